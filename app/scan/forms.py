"""Parsing a questionnaire page's form into answer values, with errors per question.

Pure: it takes the page's questions and the posted fields and never raises for bad input.
A question with an error keeps its stored answer; the others are saved.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from app.i18n import gettext_lazy as _l

TEXT_LIMITS = {"short_text": 200, "long_text": 2000, "knelpunt": 2000, "idee": 2000}
CHOICE_KINDS = frozenset({"scale", "single_choice", "yes_no"})
KINDS = frozenset({*TEXT_LIMITS, *CHOICE_KINDS, "multiple_choice", "ranking"})
CONTROL_FIELDS = frozenset({"csrf_token", "nav", "switch_lang"})
# C0 controls but tab and newline, DEL, and lone surrogates: never stored.
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Value:
    position: int = 0
    value: str | None = None
    text: str | None = None


@dataclass
class PageForm:
    """What a page's post said: values per question key, typed input to show again, errors."""

    values: dict[str, list[Value]] = field(default_factory=dict)
    raw: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)
    form_error: Any = None
    nav: str = "next"

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or self.form_error is not None


def field_names(question: Any) -> list[str]:
    if question.kind == "ranking":
        return [f"{question.key}.{rank}" for rank in range(1, (question.max_choices or 1) + 1)]
    return [question.key]


def clean_text(typed: str) -> str:
    return _UNWANTED.sub("", typed.replace("\r\n", "\n").replace("\r", "\n")).strip()


def parse_page(
    questions: list[Any], items: list[tuple[str, Any]], *, check_required: bool
) -> PageForm:
    form = PageForm()
    known = {name: q for q in questions for name in field_names(q)}
    posted: dict[str, list[str]] = {}
    for name, value in items:
        if name == "nav" and isinstance(value, str):
            form.nav = value if value in ("next", "back", "review") else "next"
        elif name in CONTROL_FIELDS:
            continue
        elif name not in known or not isinstance(value, str):
            form.form_error = _l(
                "This form has a question we do not know. Reload the page and try again."
            )
        else:
            posted.setdefault(name, []).append(value)
    form.raw = posted
    for question in questions:
        values, error = _parse_question(question, posted)
        if error is None and check_required and question.required and not values:
            error = _required_message(question)
        if error is not None:
            form.errors[question.key] = error
        else:
            form.values[question.key] = values
    return form


def _option_values(question: Any) -> set[str]:
    return {option["value"] for option in question.options}


def _parse_question(question: Any, posted: dict[str, list[str]]) -> tuple[list[Value], Any]:
    kind = question.kind
    if kind in TEXT_LIMITS:
        typed = posted.get(question.key, [])
        if len(typed) > 1:
            return [], _l("Please give one answer.")
        text = clean_text(typed[0]) if typed else ""
        limit = TEXT_LIMITS[kind]
        if len(text) > limit:
            return [], _l("Your text is too long. Use at most %(limit)s characters.") % {
                "limit": limit
            }
        return ([Value(text=text)] if text else []), None
    if kind in CHOICE_KINDS:
        chosen = [v for v in posted.get(question.key, []) if v != ""]
        if len(chosen) > 1:
            return [], _l("Choose one answer.")
        if chosen and chosen[0] not in _option_values(question):
            return [], _l("Choose one of the answers in the list.")
        return [Value(value=chosen[0])] if chosen else [], None
    if kind == "multiple_choice":
        chosen = list(dict.fromkeys(v for v in posted.get(question.key, []) if v != ""))
        if any(v not in _option_values(question) for v in chosen):
            return [], _l("Choose one of the answers in the list.")
        exclusive = {o["value"] for o in question.options if o.get("exclusive")}
        if len(chosen) > 1 and exclusive & set(chosen):
            return [], _l("One of your choices cannot be combined with the others. Choose again.")
        if question.max_choices and len(chosen) > question.max_choices:
            return [], _l("Choose at most %(count)s answers.") % {"count": question.max_choices}
        return [Value(position=i, value=v) for i, v in enumerate(chosen)], None
    if kind == "ranking":
        return _parse_ranking(question, posted)
    return [], _l("This question cannot be answered here.")


def _parse_ranking(question: Any, posted: dict[str, list[str]]) -> tuple[list[Value], Any]:
    chosen: list[str] = []
    for name in field_names(question):
        typed = posted.get(name, [])
        if len(typed) > 1:
            return [], _l("Choose one answer per place.")
        if typed and typed[0] != "":
            chosen.append(typed[0])
    if any(v not in _option_values(question) for v in chosen):
        return [], _l("Choose one of the answers in the list.")
    if len(set(chosen)) != len(chosen):
        return [], _l("You chose the same topic twice. Choose each topic only once.")
    # Gaps close up: a first and third choice become a first and second.
    return [Value(position=rank, value=v) for rank, v in enumerate(chosen, start=1)], None


def _required_message(question: Any) -> Any:
    if question.kind == "ranking":
        return _l("Choose at least one topic.")
    if question.kind in TEXT_LIMITS:
        return _l("Please fill in this question.")
    if any(option.get("opt_out") for option in question.options):
        return _l("Please choose an answer. You can also choose “I don't know”.")
    return _l("Please choose an answer.")


@dataclass
class ContactForm:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    errors: dict[str, Any] = field(default_factory=dict)
    nav: str = "next"


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
CONTACT_LIMITS = {"name": 120, "email": 254, "phone": 30}


def parse_contact(items: list[tuple[str, Any]]) -> ContactForm:
    form = ContactForm()
    for name, value in items:
        if not isinstance(value, str):
            continue
        if name == "nav":
            form.nav = value if value in ("next", "back", "review") else "next"
        elif name in CONTACT_LIMITS:
            text = clean_text(value).replace("\n", " ")
            if len(text) > CONTACT_LIMITS[name]:
                form.errors[name] = _l("This is too long.")
            setattr(form, name, text or None)
    if form.email and "email" not in form.errors and not _EMAIL.match(form.email):
        form.errors["email"] = _l("This is not an e-mail address. Check it, or leave it empty.")
    if form.phone and "phone" not in form.errors and not _PHONE.match(form.phone):
        form.errors["phone"] = _l("Use only numbers for the phone number, like 078 123 4567.")
    if form.name and not (form.email or form.phone) and not form.errors:
        form.errors["email"] = _l("Give an e-mail address or phone number, so we can invite you.")
    return form
