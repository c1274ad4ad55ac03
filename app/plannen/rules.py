"""The rules of a stemronde: its settings, a valid ballot, the ranking and the results snapshot.

Pure: no session, no clock (``now`` is passed in). Decisions, pinned by the tests' tables:

- A ballot may use less than it may: fewer approvals than ``max_choices``, fewer points than
  ``points_total``, less money than ``budget_amount``. An empty ballot (nothing chosen) is
  refused with a message: a blank vote is not counted as turnout.
- Every amount is a whole number above zero: approval gives exactly 1 per measure.
- Budget: only measures with a cost estimate are on the ballot; one household never gives a
  measure more than its cost (more would be money nobody can spend).
- Ranking: counting measures first, then by total, then supporters (higher first); measures
  equal in all three share a rank (competition ranking 1, 2, 2, 4) and are listed by id.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.i18n import gettext_lazy as _l
from app.plannen.models import VOTE_METHODS, VoteRound
from app.scan.rules import local_date
from app.suppression import HIDDEN, Figure, single

ELIGIBILITIES = ("codes", "open")
MAX_BUDGET = 100_000  # euros per household
MAX_POINTS = 1_000
MAX_CHOICES = 100
BALLOT = "ballot"  # the error key of what concerns the whole ballot, not one measure


def field_name(measure_id: int) -> str:
    """The ballot form's field of a measure, and the key of its error."""
    return f"m-{measure_id}"


@dataclass(frozen=True)
class RoundSettings:
    method: str
    eligibility: str
    max_choices: int | None
    points_total: int | None
    points_per_measure: int | None
    budget_amount: int | None
    min_supporters: int | None
    opens_on: date | None
    closes_on: date | None


def round_settings_errors(s: RoundSettings) -> dict[str, Any]:
    """Per field name, what is wrong with a round's settings (empty when they are fine)."""
    errors: dict[str, Any] = {}
    if s.method not in VOTE_METHODS:
        errors["method"] = _l("Choose one of the voting methods.")
    if s.eligibility not in ELIGIBILITIES:
        errors["eligibility"] = _l("Choose who may vote: with a code, or everyone.")
    if s.method == "approval":
        if s.max_choices is None or not 1 <= s.max_choices <= MAX_CHOICES:
            errors["max_choices"] = _l("Give a whole number from 1 to %(max)s.") % {
                "max": MAX_CHOICES
            }
    elif s.method == "points":
        if s.points_total is None or not 1 <= s.points_total <= MAX_POINTS:
            errors["points_total"] = _l("Give a whole number from 1 to %(max)s.") % {
                "max": MAX_POINTS
            }
        elif s.points_per_measure is None or not 1 <= s.points_per_measure <= s.points_total:
            errors["points_per_measure"] = _l(
                "Give a whole number from 1 to the number of points (%(max)s)."
            ) % {"max": s.points_total}
    elif s.method == "budget":
        if s.budget_amount is None or not 1 <= s.budget_amount <= MAX_BUDGET:
            errors["budget_amount"] = _l("Give a whole number of euros from 1 to %(max)s.") % {
                "max": MAX_BUDGET
            }
        if s.min_supporters is not None and s.min_supporters < 1:
            errors["min_supporters"] = _l("Give a whole number of 1 or more, or leave it empty.")
    if s.opens_on is not None and s.closes_on is not None and s.closes_on < s.opens_on:
        errors["closes_on"] = _l("The last day cannot be before the first day.")
    return errors


def on_ballot(method: str, cost: int | None) -> bool:
    """Whether a measure can get votes: in a budget vote only measures with a cost."""
    return method != "budget" or (cost is not None and cost > 0)


def ballot_errors(
    vote_round: VoteRound, choices: Mapping[int, int], measures: Mapping[int, int | None]
) -> dict[str, Any]:
    """What is wrong with a ballot: per measure field (``m-<id>``) and for the whole (``ballot``).

    ``choices`` maps measure id to amount; ``measures`` maps the ids on this round's ballot
    to their cost. Nothing is counted unless this is empty.
    """
    errors: dict[str, Any] = {}
    method = vote_round.method
    for measure_id, amount in choices.items():
        if measure_id not in measures or not on_ballot(method, measures[measure_id]):
            errors[BALLOT] = _l(
                "This ballot has a measure that is not part of this vote. "
                "Reload the page and try again."
            )
            continue
        key = field_name(measure_id)
        cost = measures[measure_id]
        if amount < 0:
            errors[key] = _l("A number cannot be below 0.")
        elif amount == 0:
            continue
        elif method == "approval" and amount != 1:
            errors[key] = _l("Tick the box, or leave it empty.")
        elif method == "points" and amount > (vote_round.points_per_measure or 0):
            errors[key] = _l("You can give at most %(max)s points to one measure.") % {
                "max": vote_round.points_per_measure or 0
            }
        elif method == "budget" and cost is not None and amount > cost:
            errors[key] = _l("You can give at most what this measure costs: %(max)s euros.") % {
                "max": cost
            }
    if errors:
        return errors
    given = {m: a for m, a in choices.items() if a > 0}
    if not given:
        errors[BALLOT] = _l("Choose at least one measure.")
    elif method == "approval" and len(given) > (vote_round.max_choices or 0):
        errors[BALLOT] = _l("You can choose at most %(max)s measures.") % {
            "max": vote_round.max_choices or 0
        }
    elif method == "points" and sum(given.values()) > (vote_round.points_total or 0):
        errors[BALLOT] = _l("You gave %(given)s points. You can give at most %(max)s.") % {
            "given": sum(given.values()),
            "max": vote_round.points_total or 0,
        }
    elif method == "budget" and sum(given.values()) > (vote_round.budget_amount or 0):
        errors[BALLOT] = _l("You gave %(given)s euros. You can give at most %(max)s euros.") % {
            "given": sum(given.values()),
            "max": vote_round.budget_amount or 0,
        }
    return errors


@dataclass(frozen=True)
class MeasureTotal:
    measure_id: int
    total: int
    supporters: int


@dataclass(frozen=True)
class RankedMeasure:
    measure_id: int
    rank: int
    total: int
    supporters: int
    counts: bool
    funded: bool | None = None  # budget only: the money given covers the cost, and it counts


def rank(
    vote_round: VoteRound, totals: Sequence[MeasureTotal], costs: Mapping[int, int | None]
) -> list[RankedMeasure]:
    """Every measure on the ballot (``costs``), ranked; a measure nobody chose has total 0.

    With ``min_supporters`` (budget) a measure with fewer supporters does not count: it is
    ranked after every counting measure and is never funded.
    """
    by_id = {t.measure_id: t for t in totals}
    rows: list[tuple[int, int, int, bool]] = []
    for measure_id, cost in costs.items():
        if not on_ballot(vote_round.method, cost):
            continue
        found = by_id.get(measure_id, MeasureTotal(measure_id, 0, 0))
        counts = not (
            vote_round.method == "budget"
            and vote_round.min_supporters is not None
            and found.supporters < vote_round.min_supporters
        )
        rows.append((measure_id, found.total, found.supporters, counts))
    rows.sort(key=lambda r: (not r[3], -r[1], -r[2], r[0]))
    ranked: list[RankedMeasure] = []
    previous: tuple[bool, int, int] | None = None
    current = 0
    for position, (measure_id, total, supporters, counts) in enumerate(rows, start=1):
        key = (counts, total, supporters)
        if key != previous:
            current, previous = position, key
        funded: bool | None = None
        if vote_round.method == "budget":
            cost = costs.get(measure_id)
            funded = counts and cost is not None and total >= cost
        ranked.append(RankedMeasure(measure_id, current, total, supporters, counts, funded))
    return ranked


def snapshot(
    vote_round: VoteRound,
    ranked: Sequence[RankedMeasure],
    ballots: int,
    codes_issued: int | None,
    codes_used: int | None,
    closed_on: date,
) -> dict[str, Any]:
    """The results as stored in ``VoteRound.results`` at closing (plain JSON)."""
    return {
        "method": vote_round.method,
        "eligibility": vote_round.eligibility,
        "ballots": ballots,
        "codes_issued": codes_issued,
        "codes_used": codes_used,
        "closed_on": closed_on.isoformat(),
        "measures": [
            {
                "measure_id": r.measure_id,
                "rank": r.rank,
                "total": r.total,
                "supporters": r.supporters,
                "counts": r.counts,
                "funded": r.funded,
            }
            for r in ranked
        ],
    }


def ranked_from_snapshot(results: Mapping[str, Any]) -> list[RankedMeasure]:
    """The ranking stored by ``snapshot``, back as ``RankedMeasure`` rows."""
    return [
        RankedMeasure(
            int(m["measure_id"]),
            int(m["rank"]),
            int(m["total"]),
            int(m["supporters"]),
            bool(m["counts"]),
            m.get("funded"),
        )
        for m in results.get("measures", [])
    ]


def round_state_on(vote_round: VoteRound, today: date) -> str:
    """``draft``, ``not_yet``, ``open`` or ``closed``; the dates are inclusive local days."""
    if vote_round.status == "draft":
        return "draft"
    if vote_round.status == "closed" or (
        vote_round.closes_on is not None and today > vote_round.closes_on
    ):
        return "closed"
    if vote_round.opens_on is not None and today < vote_round.opens_on:
        return "not_yet"
    return "open"


def round_state(vote_round: VoteRound, now: datetime) -> str:
    """The round's state now, in the municipality's time zone (like ``scan_state``)."""
    return round_state_on(vote_round, local_date(now))


def public_measure_figures(total: int, supporters: int, *, threshold: int) -> tuple[Figure, Figure]:
    """A measure's vote total and supporters as the public sees them (``total``, ``supporters``).

    Both are hidden when fewer than ``threshold`` households supported the measure: a small
    total (one household's euros or points) would tell what that household gave.
    """
    shown_supporters = single(supporters, threshold=threshold, exact=False)
    if shown_supporters.suppressed:
        return HIDDEN, HIDDEN
    return Figure(total), shown_supporters
