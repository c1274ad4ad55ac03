"""Pure rules of changing a scan: which changes keep its results honest, and text completeness.

Once residents have answered, a change that would alter what their answers mean is refused
with an explanation; everything else (dates, status, order, new questions, translations,
intro and thank-you texts) stays allowed. The predicate is tested as a table.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.i18n import gettext_lazy as _l

SOURCE_LANGUAGE = "nl"


class Change(StrEnum):
    DATES = "dates"
    STATUS = "status"
    TITLE = "title"
    ACCESS_TO_OPEN = "access_to_open"  # codes → open: a weaker promise, true of every response
    ACCESS_TO_CODES = "access_to_codes"  # open → codes: a stronger promise than earlier ones had
    REORDER = "reorder"
    ADD_QUESTION = "add_question"
    REMOVE_QUESTION = "remove_question"
    OPTIONS = "options"  # option values or their Dutch labels
    DUTCH_TEXT = "dutch_text"  # a question's Dutch text or help
    TRANSLATION = "translation"  # a question's text, help or option label in another language
    SCAN_TEXT = "scan_text"  # intro, thank-you and page texts, any language


REMOVE_ANSWERED = _l(
    "Residents have already answered this question. Removing it would delete their answers "
    "from the results. Keep the question, or start a new scan for a different questionnaire."
)
OPTIONS_AFTER_RESPONSES = _l(
    "This scan already has responses. Changing the answer options would change what the "
    "earlier answers mean. Add a new question instead."
)
DUTCH_TEXT_ANSWERED = _l(
    "Residents have already answered this question. Changing its Dutch text would change "
    "what their answers mean. Add a new statement instead; translations can still be corrected."
)
CODES_AFTER_RESPONSES = _l(
    "This scan already has responses that came in without a code. Switching to codes now "
    "would suggest that every response came with a code. Start a new scan with codes instead."
)


def refusal(change: Change, *, scan_has_responses: bool, question_answered: bool = False) -> Any:
    """Why ``change`` is refused (a translatable message), or None when it is allowed.

    ``scan_has_responses``: the scan has at least one submitted response.
    ``question_answered``: the question has saved answers, submitted or still in progress
    (a resident who is halfway must not send an answer to a question that changed under them).
    """
    if change is Change.REMOVE_QUESTION and question_answered:
        return REMOVE_ANSWERED
    if change is Change.OPTIONS and (scan_has_responses or question_answered):
        return OPTIONS_AFTER_RESPONSES
    if change is Change.DUTCH_TEXT and question_answered:
        return DUTCH_TEXT_ANSWERED
    if change is Change.ACCESS_TO_CODES and scan_has_responses:
        return CODES_AFTER_RESPONSES
    return None


def access_change(old: str, new: str) -> Change | None:
    if old == new:
        return None
    return Change.ACCESS_TO_CODES if new == "codes" else Change.ACCESS_TO_OPEN


# --- texts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextSlot:
    """One translatable text of a scan: its form field name and its texts by language."""

    name: str
    texts: dict[str, str]
    question_id: int | None = None
    part: str = "scan"  # "title", "scan", "page", "text", "help" or "option"


def text_slots(
    title: dict[str, str], texts: dict[str, Any], questions: list[Any]
) -> list[TextSlot]:
    """Every text of a scan in editor order: title, intro, thanks, pages, then each question.

    Field names: ``title``, ``intro.<name>``, ``thanks.<name>``, ``pages.<page>.<name>``,
    ``q<id>.text``, ``q<id>.help`` and ``q<id>.opt.<value>``.
    """
    slots = [TextSlot("title", dict(title), part="title")]
    for section in ("intro", "thanks"):
        for name, by_language in texts.get(section, {}).items():
            slots.append(TextSlot(f"{section}.{name}", dict(by_language)))
    for page, page_texts in texts.get("pages", {}).items():
        for name, by_language in page_texts.items():
            slots.append(TextSlot(f"pages.{page}.{name}", dict(by_language), part="page"))
    for question in questions:
        slots.extend(question_slots(question))
    return slots


def question_slots(question: Any) -> list[TextSlot]:
    texts: dict[str, dict[str, str]] = question.texts
    prefix = f"q{question.id}"
    slots = [
        TextSlot(
            f"{prefix}.{part}",
            {lang: t[part] for lang, t in texts.items() if t.get(part)},
            question.id,
            part,
        )
        for part in ("text", "help")
    ]
    slots.extend(
        TextSlot(f"{prefix}.opt.{option['value']}", dict(option["labels"]), question.id, "option")
        for option in question.options
    )
    return slots


def completeness(slots: list[TextSlot], languages: list[str]) -> dict[str, tuple[int, int]]:
    """Per language, ``(n, m)``: of the m texts residents read (those with a Dutch text),
    how many n have a text in that language. The scan's title is not counted: residents see
    it only in the browser's tab, and it falls back to Dutch like every text.
    """
    counted = [s for s in slots if s.part != "title" and s.texts.get(SOURCE_LANGUAGE)]
    return {
        language: (sum(1 for s in counted if s.texts.get(language)), len(counted))
        for language in languages
    }


def change_of_slot(slot: TextSlot, language: str) -> Change:
    """What editing ``slot`` in ``language`` amounts to, for ``refusal``."""
    if slot.part == "title":
        return Change.TITLE
    if slot.part in ("scan", "page"):
        return Change.SCAN_TEXT
    if language != SOURCE_LANGUAGE:
        return Change.TRANSLATION
    return Change.OPTIONS if slot.part == "option" else Change.DUTCH_TEXT
