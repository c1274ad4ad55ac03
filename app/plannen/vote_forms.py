"""Parsing a ballot form into choices (measure id → amount), with errors per field.

Pure: it takes the round's method, the ballot's measure ids and the posted fields, and never
raises for bad input. Each measure has one field ``m-<id>``: a checkbox with value ``1``
(approval) or a number (points, euros). Empty or absent is 0. A number is ASCII digits only,
with spaces around allowed ("3", " 3 "): "2.5", "1e3", "-1", "٣" (an Arabic-Indic digit) are
errors, not guesses. Whether the choices fit the round is for ``rules.ballot_errors``.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.i18n import gettext_lazy as _l
from app.plannen.rules import BALLOT

VALUE_LIMIT = 7  # characters of one field: 9,999,999 is far above any budget
CONTROL_FIELDS = frozenset({"csrf_token"})
_FIELD = re.compile(r"m-([1-9][0-9]{0,8})", re.ASCII)
_NUMBER = re.compile(r"[0-9]+", re.ASCII)
_SPACES = " \t\r\n"


@dataclass
class BallotForm:
    """What a ballot said: the amounts per measure, the typed values to show again, errors."""

    choices: dict[int, int] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)


def parse_ballot(
    method: str, measure_ids: Sequence[int], items: list[tuple[str, Any]]
) -> BallotForm:
    """The choices of a posted ballot; unknown measure ids are kept for the rules to refuse."""
    form = BallotForm()
    posted: dict[str, list[str]] = {}
    fields = 0
    for name, value in items:
        if name in CONTROL_FIELDS:
            continue
        fields += 1
        match = _FIELD.fullmatch(name) if isinstance(name, str) else None
        if match is None or not isinstance(value, str):
            form.errors[BALLOT] = _l(
                "This ballot has a field we do not know. Reload the page and try again."
            )
            continue
        posted.setdefault(name, []).append(value)
    if fields > max(len(measure_ids), 1):
        form.errors[BALLOT] = _l("This ballot has too many fields. Reload the page and try again.")
        return form
    for name, values in posted.items():
        form.raw[name] = values[0][: VALUE_LIMIT + 1]
        amount, error = _parse_value(method, values)
        if error is not None:
            form.errors[name] = error
        elif amount:
            form.choices[int(name[2:])] = amount
    return form


def _parse_value(method: str, values: list[str]) -> tuple[int, Any]:
    if len(values) > 1:
        return 0, _l("Give one answer per measure.")
    typed = values[0]
    if len(typed) > VALUE_LIMIT:
        return 0, _l("This number is too long.")
    text = typed.strip(_SPACES)
    if text == "":
        return 0, None
    if method == "approval":
        if text != "1":
            return 0, _l("Tick the box, or leave it empty.")
        return 1, None
    if text.startswith("-"):
        return 0, _l("A number cannot be below 0.")
    if not _NUMBER.fullmatch(text):
        return 0, _l("Give a whole number, with the digits 0 to 9, like 3.")
    return int(text), None
