"""Staff forms of vote rounds: a new round's settings and the number of codes in a batch.

Parsing turns what was typed into values plus messages per field, never an exception; the
rules of a round (``rules.round_settings_errors``) are checked on the parsed settings.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.i18n import gettext_lazy as _l
from app.plannen import rules
from app.plannen.models import VOTE_METHODS

ELIGIBILITIES = ("codes", "open")
NUMBER_FIELDS = ("max_choices", "points_total", "points_per_measure", "budget_amount")
OPTIONAL_NUMBER_FIELDS = ("min_supporters",)
DATE_FIELDS = ("opens_on", "closes_on")
FIELDS = ("method", "eligibility", *NUMBER_FIELDS, *OPTIONAL_NUMBER_FIELDS, *DATE_FIELDS)
# The parameters each method uses; the others are kept as typed but not stored.
METHOD_FIELDS: dict[str, tuple[str, ...]] = {
    "approval": ("max_choices",),
    "points": ("points_total", "points_per_measure"),
    "budget": ("budget_amount", "min_supporters"),
}
DEFAULTS = {
    "method": "approval",
    "eligibility": "codes",
    "max_choices": "3",
    "points_total": "10",
    "points_per_measure": "5",
    "budget_amount": "50",
    "min_supporters": "",
    "opens_on": "",
    "closes_on": "",
}
NUMBER = re.compile(r"-?[0-9]{1,9}")
MAX_NUMBER = 1_000_000  # far above any sensible setting; keeps values inside an INTEGER


@dataclass
class RoundForm:
    """A new round's settings as typed (``values``), parsed (``settings``) and their errors."""

    values: dict[str, str]
    settings: rules.RoundSettings | None = None
    errors: dict[str, Any] = field(default_factory=dict)


def _text(form: list[tuple[str, Any]], name: str, limit: int = 20) -> str:
    value = next((v for k, v in form if k == name), "")
    return value[:limit].strip() if isinstance(value, str) else ""


def _number(typed: str, errors: dict[str, Any], name: str, *, required: bool) -> int | None:
    if not typed:
        if required:
            errors[name] = _l("Fill in a whole number.")
        return None
    if not NUMBER.fullmatch(typed) or abs(int(typed)) > MAX_NUMBER:
        errors[name] = _l("Give a whole number, without decimals or a currency sign.")
        return None
    return int(typed)


def _date(typed: str, errors: dict[str, Any], name: str) -> date | None:
    if not typed:
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        errors[name] = _l("Give a date as day, month and year.")
        return None


def parse_round_form(form: list[tuple[str, Any]]) -> RoundForm:
    """The posted settings; only the chosen method's parameters are checked and stored."""
    values = {name: _text(form, name) for name in FIELDS}
    errors: dict[str, Any] = {}
    method = values["method"]
    if method not in VOTE_METHODS:
        errors["method"] = _l("Choose one of the methods.")
    if values["eligibility"] not in ELIGIBILITIES:
        errors["eligibility"] = _l("Choose who may vote.")
    used = METHOD_FIELDS.get(method, ())
    numbers: dict[str, int | None] = dict.fromkeys((*NUMBER_FIELDS, *OPTIONAL_NUMBER_FIELDS))
    for name in used:
        numbers[name] = _number(
            values[name], errors, name, required=name not in OPTIONAL_NUMBER_FIELDS
        )
    dates = {name: _date(values[name], errors, name) for name in DATE_FIELDS}
    settings = rules.RoundSettings(
        method=method,
        eligibility=values["eligibility"],
        max_choices=numbers["max_choices"],
        points_total=numbers["points_total"],
        points_per_measure=numbers["points_per_measure"],
        budget_amount=numbers["budget_amount"],
        min_supporters=numbers["min_supporters"],
        opens_on=dates["opens_on"],
        closes_on=dates["closes_on"],
    )
    # Rule messages too, so every problem shows at once; a field's parse message comes first.
    for name, message in rules.round_settings_errors(settings).items():
        errors.setdefault(name, message)
    return RoundForm(values, None if errors else settings, errors)
