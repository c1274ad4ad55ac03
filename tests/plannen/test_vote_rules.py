"""The rules of each voting method as tables: limits, edge amounts, the K-supporters rule."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.plannen import rules
from app.plannen.models import VoteRound
from app.plannen.rules import BALLOT, MeasureTotal, RankedMeasure, RoundSettings
from app.plannen.vote_forms import parse_ballot

APPROVAL = VoteRound(id=1, plan_id=1, method="approval", max_choices=2)
POINTS = VoteRound(id=2, plan_id=1, method="points", points_total=10, points_per_measure=5)
BUDGET = VoteRound(id=3, plan_id=1, method="budget", budget_amount=1000)
BUDGET_K = VoteRound(id=4, plan_id=1, method="budget", budget_amount=1000, min_supporters=3)
COSTS: dict[int, int | None] = {1: 800, 2: 2500, 3: 400, 4: None}


@pytest.mark.parametrize(
    ("vote_round", "choices", "error_keys"),
    [
        # approval: up to max_choices, 1 each
        (APPROVAL, {1: 1}, set()),
        (APPROVAL, {1: 1, 2: 1}, set()),  # exactly at the limit
        (APPROVAL, {1: 1, 2: 1, 3: 1}, {BALLOT}),  # one over
        (APPROVAL, {}, {BALLOT}),  # empty ballot
        (APPROVAL, {1: 0}, {BALLOT}),  # only zeros is empty
        (APPROVAL, {1: 2}, {"m-1"}),  # an approval is 1
        (APPROVAL, {1: -1}, {"m-1"}),
        (APPROVAL, {99: 1}, {BALLOT}),  # unknown or foreign measure
        (APPROVAL, {1: 1, 99: 1}, {BALLOT}),
        # points: at most points_total, at most points_per_measure on one
        (POINTS, {1: 5, 2: 5}, set()),  # exactly at both limits
        (POINTS, {1: 3}, set()),  # fewer points than the total is fine
        (POINTS, {1: 6}, {"m-1"}),  # one over per measure
        (POINTS, {1: 5, 2: 5, 3: 1}, {BALLOT}),  # one over the total
        (POINTS, {1: 0, 2: 0}, {BALLOT}),
        (POINTS, {1: -3, 2: 5}, {"m-1"}),
        (POINTS, {1: 2, 7: 2}, {BALLOT}),
        # budget: never above the amount, never above a measure's cost
        (BUDGET, {1: 600, 3: 400}, set()),  # exactly the amount
        (BUDGET, {1: 600, 3: 401}, {"m-3"}),  # above the measure's cost
        (BUDGET, {1: 800, 2: 201}, {BALLOT}),  # one euro over the amount
        (BUDGET, {1: 1}, set()),
        (BUDGET, {2: 1000}, set()),
        (BUDGET, {2: 1001}, {BALLOT}),
        (BUDGET, {1: -1}, {"m-1"}),
        (BUDGET, {4: 10}, {BALLOT}),  # no cost: not on the ballot
        (BUDGET, {}, {BALLOT}),
        (BUDGET, {5: 10}, {BALLOT}),
    ],
)
def test_ballot_errors(
    vote_round: VoteRound, choices: dict[int, int], error_keys: set[str]
) -> None:
    assert set(rules.ballot_errors(vote_round, choices, COSTS)) == error_keys


@pytest.mark.parametrize(
    ("method", "typed", "choices", "error_keys"),
    [
        ("points", [("m-1", "3")], {1: 3}, set()),
        ("points", [("m-1", " 3 ")], {1: 3}, set()),  # spaces around: fine
        ("points", [("m-1", "")], {}, set()),  # empty is 0
        ("points", [("m-1", "0")], {}, set()),
        ("points", [("m-1", "2.5")], {}, {"m-1"}),  # fractional
        ("points", [("m-1", "2,5")], {}, {"m-1"}),
        ("points", [("m-1", "1e3")], {}, {"m-1"}),
        ("points", [("m-1", "-1")], {}, {"m-1"}),
        ("points", [("m-1", "\u0663")], {}, {"m-1"}),  # Arabic-Indic three
        ("points", [("m-1", "３")], {}, {"m-1"}),  # full-width three
        ("points", [("m-1", "12345678")], {}, {"m-1"}),  # over 7 characters
        ("budget", [("m-1", "9999999")], {1: 9999999}, set()),  # 7 characters: for the rules
        ("points", [("m-1", "1"), ("m-1", "2")], {}, {"m-1"}),  # a doubled field
        ("points", [("m-99", "2")], {99: 2}, set()),  # unknown id: the rules refuse it
        ("points", [("x", "2")], {}, {BALLOT}),  # a field we do not know
        ("points", [("m-01", "2")], {}, {BALLOT}),
        ("points", [("m-1", "1"), ("m-2", "1"), ("m-3", "1"), ("m-4", "1")], {}, {BALLOT}),
        ("approval", [("m-1", "1"), ("m-2", "1")], {1: 1, 2: 1}, set()),
        ("approval", [("m-1", "on")], {}, {"m-1"}),
        ("approval", [("m-1", "2")], {}, {"m-1"}),
        ("approval", [("m-1", "1"), ("csrf_token", "x")], {1: 1}, set()),
    ],
)
def test_parse_ballot(
    method: str, typed: list[tuple[str, Any]], choices: dict[int, int], error_keys: set[str]
) -> None:
    form = parse_ballot(method, [1, 2, 3], typed)
    assert form.choices == choices
    assert set(form.errors) == error_keys


@pytest.mark.parametrize(
    ("vote_round", "totals", "expected"),
    [
        # competition ranking: equal totals and supporters share a rank (1, 2, 2, 4)
        (
            POINTS,
            [MeasureTotal(1, 30, 6), MeasureTotal(2, 20, 4), MeasureTotal(3, 20, 4)],
            [(1, 1), (2, 2), (3, 2), (4, 4)],
        ),
        # equal totals: more supporters first
        (
            POINTS,
            [MeasureTotal(1, 20, 3), MeasureTotal(2, 20, 5)],
            [(2, 1), (1, 2), (3, 3), (4, 3)],
        ),
    ],
)
def test_rank_order(
    vote_round: VoteRound, totals: list[MeasureTotal], expected: list[tuple[int, int]]
) -> None:
    ranked = rules.rank(vote_round, totals, COSTS)
    assert [(r.measure_id, r.rank) for r in ranked] == expected
    assert all(r.funded is None and r.counts for r in ranked)


@pytest.mark.parametrize(
    ("supporters", "counts", "funded"),
    [(2, False, False), (3, True, True), (4, True, True)],  # K = 3: at, below, above
)
def test_budget_min_supporters(supporters: int, counts: bool, funded: bool) -> None:
    ranked = rules.rank(
        BUDGET_K, [MeasureTotal(1, 900, supporters), MeasureTotal(3, 100, 5)], COSTS
    )
    by_id = {r.measure_id: r for r in ranked}
    assert by_id[1].counts is counts
    assert by_id[1].funded is funded
    assert 4 not in by_id  # no cost: not on a budget ballot
    if not counts:  # a measure that does not count comes after every one that does
        order = [r.measure_id for r in ranked]
        assert order.index(1) > order.index(3)
        assert by_id[3].rank == 1


@pytest.mark.parametrize(("total", "funded"), [(799, False), (800, True), (1200, True)])
def test_budget_funded_at_cost(total: int, funded: bool) -> None:
    (first, *_rest) = [
        r for r in rules.rank(BUDGET, [MeasureTotal(1, total, 9)], COSTS) if r.measure_id == 1
    ]
    assert first.funded is funded


def test_snapshot_is_plain_json() -> None:
    ranked = [RankedMeasure(1, 1, 900, 3, True, True)]
    assert rules.snapshot(BUDGET_K, ranked, 12, 40, 12, date(2025, 6, 30)) == {
        "method": "budget",
        "eligibility": "codes",
        "ballots": 12,
        "codes_issued": 40,
        "codes_used": 12,
        "closed_on": "2025-06-30",
        "measures": [
            {
                "measure_id": 1,
                "rank": 1,
                "total": 900,
                "supporters": 3,
                "counts": True,
                "funded": True,
            }
        ],
    }
    assert (
        rules.ranked_from_snapshot(
            rules.snapshot(BUDGET_K, ranked, 1, None, None, date(2025, 1, 1))
        )
        == ranked
    )


def _settings(**changes: Any) -> RoundSettings:
    base: dict[str, Any] = {
        "method": "budget",
        "eligibility": "codes",
        "max_choices": None,
        "points_total": None,
        "points_per_measure": None,
        "budget_amount": 50,
        "min_supporters": None,
        "opens_on": None,
        "closes_on": None,
    }
    return RoundSettings(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "error_keys"),
    [
        ({}, set()),
        ({"method": "dice"}, {"method"}),
        ({"eligibility": "everyone"}, {"eligibility"}),
        ({"method": "approval", "max_choices": 1}, set()),
        ({"method": "approval", "max_choices": 0}, {"max_choices"}),
        ({"method": "approval", "max_choices": None}, {"max_choices"}),
        ({"method": "points", "points_total": 10, "points_per_measure": 10}, set()),
        (
            {"method": "points", "points_total": 10, "points_per_measure": 11},
            {"points_per_measure"},
        ),
        ({"method": "points", "points_total": 10, "points_per_measure": 0}, {"points_per_measure"}),
        ({"method": "points", "points_total": 0, "points_per_measure": 1}, {"points_total"}),
        ({"budget_amount": 100_000}, set()),
        ({"budget_amount": 100_001}, {"budget_amount"}),
        ({"budget_amount": 0}, {"budget_amount"}),
        ({"budget_amount": None}, {"budget_amount"}),
        ({"min_supporters": 1}, set()),
        ({"min_supporters": 0}, {"min_supporters"}),
        ({"opens_on": date(2025, 5, 1), "closes_on": date(2025, 5, 1)}, set()),
        ({"opens_on": date(2025, 5, 2), "closes_on": date(2025, 5, 1)}, {"closes_on"}),
    ],
)
def test_round_settings_errors(changes: dict[str, Any], error_keys: set[str]) -> None:
    assert set(rules.round_settings_errors(_settings(**changes))) == error_keys


@pytest.mark.parametrize(
    ("status", "opens_on", "closes_on", "now", "state"),
    [
        ("draft", None, None, datetime(2025, 5, 1, 12, tzinfo=UTC), "draft"),
        ("open", None, None, datetime(2025, 5, 1, 12, tzinfo=UTC), "open"),
        ("closed", None, None, datetime(2025, 5, 1, 12, tzinfo=UTC), "closed"),
        ("open", date(2025, 5, 2), None, datetime(2025, 5, 1, 21, 59, tzinfo=UTC), "not_yet"),
        (
            "open",
            date(2025, 5, 2),
            None,
            datetime(2025, 5, 1, 22, 0, tzinfo=UTC),
            "open",
        ),  # 00:00 CEST
        ("open", None, date(2025, 5, 1), datetime(2025, 5, 1, 21, 59, tzinfo=UTC), "open"),
        ("open", None, date(2025, 5, 1), datetime(2025, 5, 1, 22, 0, tzinfo=UTC), "closed"),
    ],
)
def test_round_state(
    status: str, opens_on: date | None, closes_on: date | None, now: datetime, state: str
) -> None:
    vote_round = VoteRound(
        plan_id=1, method="approval", status=status, opens_on=opens_on, closes_on=closes_on
    )
    assert rules.round_state(vote_round, now) == state
