"""Parsing the plan's staff forms (a measure, a section text) into values plus errors.

Pure: the posted fields in, typed values and a message per field out; never raises for bad
input. What needs the database (do the themes belong to this scan, does the partner exist)
is checked by ``plan_service``, which raises ``InvalidForm`` with the same field names.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.numbers import format_decimal

from app.i18n import LANGUAGES, current_locale
from app.i18n import gettext_lazy as _l
from app.plannen.models import KERNELEMENTEN, RESIDENT_ROLES
from app.plannen.plan_rules import period_ok
from app.scan.forms import clean_text

TITLE_LIMIT = 160
DESCRIPTION_LIMIT = 4_000
SECTION_LIMIT = 8_000
COST_LIMIT = 100_000_000  # whole euros
# Whole euros: plain digits, or groups of three after a dot or a space ("12.500", "1 250 000").
# "12.5" or "12,50" is refused rather than read as 125 or 1250.
_EUROS = re.compile(r"[0-9]{1,12}|[0-9]{1,3}(?:[. ][0-9]{3})+")
READ_LIMIT = 10_000  # characters read of any posted field before it is checked
ID_LIMIT = 200  # ids read of a multiple choice (themes, partners)

KERNELEMENT_LABELS: dict[str, Any] = {
    "sociale-basis-persoonlijk": _l("Social foundation: personal"),
    "sociale-basis-gemeenschappelijk": _l("Social foundation: shared"),
    "sociale-basis-institutioneel": _l("Social foundation: institutional"),
    "sociale-aanpak": _l("Social approach"),
    "leefbaarheid": _l("Liveability"),
    "gemengde-buurt-woningvoorraad": _l("Mixed neighbourhood and housing stock"),
}
# What the plan's history says of each audited action (the action's code stays in the audit log).
HISTORY_LABELS: dict[str, Any] = {
    "plan.draft": _l("Drafted the plan from the results"),
    "plan.section": _l("Changed a section's text"),
    "plan.public": _l("Changed whether residents can see the plan"),
    "plan.fix": _l("Fixed the plan"),
    "plan.new_version": _l("Started a new version"),
    "plan.supersede": _l("Replaced by a newer fixed version"),
    "measure.add": _l("Added a measure"),
    "measure.update": _l("Changed a measure"),
    "measure.move": _l("Moved a measure"),
    "measure.remove": _l("Removed a measure"),
    "vote.round_create": _l("Prepared a vote round"),
    "vote.round_open": _l("Opened the vote round"),
    "vote.round_close": _l("Closed the vote round"),
    "vote.codes_generate": _l("Made voting codes"),
    "vote.codes_export": _l("Downloaded voting codes"),
    "vote.paper_ballot": _l("Entered a paper ballot"),
}
ROLE_LABELS: dict[str, Any] = {
    "meedenken": _l("Residents think along"),
    "meedoen": _l("Residents take part"),
    "meebeslissen": _l("Residents decide together"),
}
STATUS_LABELS: dict[str, Any] = {
    "concept": _l("Draft"),
    "ter_stemming": _l("Being voted on"),
    "vastgesteld": _l("Fixed"),
    "vervangen": _l("Replaced by a newer version"),
}


@dataclass(frozen=True)
class MeasureInput:
    """A measure as typed: texts in ``language``, everything else shared by all languages."""

    language: str
    title: str
    description: str
    pijler_id: int | None
    theme_ids: tuple[int, ...]
    lead_partner_id: int | None
    partner_ids: tuple[int, ...]
    resident_role: str
    kernelement: str | None
    starts_on: date | None
    ends_on: date | None
    cost_estimate: int | None


@dataclass
class MeasureForm:
    raw: dict[str, Any] = field(default_factory=dict)  # to show again: strings, lists of ids
    errors: dict[str, Any] = field(default_factory=dict)
    data: MeasureInput | None = None


@dataclass
class SectionForm:
    language: str
    text: str
    errors: dict[str, Any] = field(default_factory=dict)


def _one(items: list[tuple[str, Any]], name: str) -> str:
    value = next((v for k, v in items if k == name), "")
    return value[:READ_LIMIT] if isinstance(value, str) else ""


def _many(items: list[tuple[str, Any]], name: str) -> list[str]:
    return [v[:20] for k, v in items if k == name and isinstance(v, str) and v][:ID_LIMIT]


def language_of(typed: str) -> str:
    return typed if typed in LANGUAGES else "nl"


def _id(typed: str) -> int | None:
    typed = typed.strip()
    return int(typed) if typed.isdecimal() and len(typed) < 10 else None


def _date(typed: str, errors: dict[str, Any], name: str) -> date | None:
    typed = typed.strip()
    if not typed:
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        errors[name] = _l("Enter a date as year-month-day, for example 2027-03-01.")
        return None


def _text(
    typed: str, limit: int, errors: dict[str, Any], name: str, *, required: bool = False
) -> str:
    text = clean_text(typed)
    if len(text) > limit:
        errors[name] = _l("This text is too long. Use at most %(limit)s characters.") % {
            "limit": limit
        }
    elif required and not text:
        errors[name] = _l("Please fill this in (in Dutch).")
    return text


def parse_measure(items: list[tuple[str, Any]]) -> MeasureForm:
    """A measure's form; the Dutch title is required, other languages may stay empty."""
    form = MeasureForm()
    errors = form.errors
    language = language_of(_one(items, "language"))
    raw: dict[str, Any] = {
        name: _one(items, name)
        for name in (
            "title", "description", "pijler", "trekker", "role", "kernelement",
            "starts_on", "ends_on", "cost",
        )
    }  # fmt: skip
    raw["language"] = language
    raw["themes"] = _many(items, "themes")
    raw["partners"] = _many(items, "partners")
    form.raw = raw
    title = _text(raw["title"], TITLE_LIMIT, errors, "title", required=language == "nl")
    description = _text(raw["description"], DESCRIPTION_LIMIT, errors, "description")
    pijler_id = _id(raw["pijler"])
    if pijler_id is None:
        errors["pijler"] = _l("Choose the pijler this measure belongs to.")
    theme_ids = tuple(dict.fromkeys(i for i in map(_id, raw["themes"]) if i is not None))
    if len(theme_ids) != len(set(raw["themes"])):
        errors["themes"] = _l("Choose themes from the list.")
    elif not theme_ids:
        errors["themes"] = _l(
            "Choose at least one theme: every measure answers what residents said."
        )
    lead = _id(raw["trekker"]) if raw["trekker"] else None
    if raw["trekker"] and lead is None:
        errors["trekker"] = _l("Choose a partner from the list.")
    partner_ids = tuple(dict.fromkeys(i for i in map(_id, raw["partners"]) if i is not None))
    if len(partner_ids) != len(set(raw["partners"])):
        errors["partners"] = _l("Choose partners from the list.")
    elif lead is not None and lead in partner_ids:
        errors["partners"] = _l("The trekker is named already: choose only the other partners.")
    role = raw["role"] or "meedenken"
    if role not in RESIDENT_ROLES:
        errors["role"] = _l("Choose one of the roles in the list.")
    kernelement = raw["kernelement"] or None
    if kernelement is not None and kernelement not in KERNELEMENTEN:
        errors["kernelement"] = _l("Choose one of the kernelementen in the list.")
    starts_on = _date(raw["starts_on"], errors, "starts_on")
    ends_on = _date(raw["ends_on"], errors, "ends_on")
    if not period_ok(starts_on, ends_on):
        errors["ends_on"] = _l("The end cannot be before the start.")
    cost = _cost(raw["cost"], errors)
    if not errors:
        form.data = MeasureInput(
            language=language,
            title=title,
            description=description,
            pijler_id=pijler_id,
            theme_ids=theme_ids,
            lead_partner_id=lead,
            partner_ids=partner_ids,
            resident_role=role,
            kernelement=kernelement,
            starts_on=starts_on,
            ends_on=ends_on,
            cost_estimate=cost,
        )
    return form


def _cost(typed: str, errors: dict[str, Any]) -> int | None:
    """Whole euros, 0 to 100,000,000; dots or spaces between groups of three are fine."""
    cleaned = typed.strip().removeprefix("€").strip()
    if not cleaned:
        return None
    if not _EUROS.fullmatch(cleaned):
        errors["cost"] = _l("Enter whole euros, without cents, for example 12500.")
        return None
    cost = int(cleaned.replace(".", "").replace(" ", ""))
    if cost > COST_LIMIT:
        limit = format_decimal(COST_LIMIT, locale=current_locale())
        errors["cost"] = _l("Enter at most %(limit)s euros.") % {"limit": limit}
        return None
    return cost


def parse_section(items: list[tuple[str, Any]]) -> SectionForm:
    language = language_of(_one(items, "language"))
    errors: dict[str, Any] = {}
    text = _text(_one(items, "text"), SECTION_LIMIT, errors, "text")
    return SectionForm(language=language, text=text, errors=errors)
