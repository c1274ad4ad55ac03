"""View models of the resident pages: questions with their options, answers and errors."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.i18n import localized
from app.scan.forms import Value, field_names
from app.scan.models import Answer, Question


@dataclass(frozen=True)
class OptionView:
    value: str
    label: str
    opt_out: bool = False


@dataclass
class QuestionView:
    key: str
    kind: str
    text: str
    help: str
    required: bool
    display: str | None
    options: list[OptionView]
    field_names: list[str]
    max_choices: int | None
    chosen: list[str] = field(default_factory=list)  # values in order (rank order for ranking)
    text_value: str = ""
    error: Any = None

    @property
    def dom_id(self) -> str:
        return "q-" + self.key.replace(".", "-")

    def label_for(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)

    @property
    def chosen_labels(self) -> list[str]:
        return [self.label_for(value) for value in self.chosen]

    @property
    def has_answer(self) -> bool:
        return bool(self.chosen or self.text_value)


def question_view(question: Question, answers: Sequence[Answer | Value]) -> QuestionView:
    texts = {lang: t.get("text", "") for lang, t in question.texts.items()}
    helps = {lang: t.get("help", "") for lang, t in question.texts.items() if t.get("help")}
    ordered = sorted(answers, key=lambda a: a.position)
    return QuestionView(
        key=question.key,
        kind=question.kind,
        text=localized(texts),
        help=localized(helps),
        required=question.required,
        display=question.display,
        options=[
            OptionView(o["value"], localized(o["labels"]), bool(o.get("opt_out")))
            for o in question.options
        ],
        field_names=field_names(question),
        max_choices=question.max_choices,
        chosen=[a.value for a in ordered if a.value is not None],
        text_value=next((a.text for a in ordered if a.text), "") or "",
    )


def question_views(
    questions: list[Question],
    answers: list[Answer],
    raw: dict[str, list[str]] | None = None,
    errors: dict[str, Any] | None = None,
) -> list[QuestionView]:
    """Views for a page; where a post had an error, the typed input is shown again."""
    by_question: dict[int, list[Answer]] = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, []).append(answer)
    views = []
    for question in questions:
        view = question_view(question, by_question.get(question.id or 0, []))
        if errors and question.key in errors:
            view.error = errors[question.key]
            typed = [v for name in view.field_names for v in (raw or {}).get(name, [])]
            if question.kind in ("short_text", "long_text", "knelpunt", "idee"):
                view.text_value = typed[0] if typed else ""
            else:
                view.chosen = typed
        views.append(view)
    return views
