"""The pure side of progress: suppression, percentages, days, the funnel and the profile."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app import suppression
from app.config import TIMEZONE
from app.monitoring import aggregation
from app.scan.models import Question
from app.suppression import HIDDEN, Figure

T = 5  # the default threshold of DESIGN.md §7


@pytest.mark.parametrize(
    ("count", "exact", "expected"),
    [
        (4, False, HIDDEN),
        (5, False, Figure(5)),
        (1, False, HIDDEN),
        (0, False, Figure(0)),  # zero describes nobody
        (4, True, Figure(4, small=True)),
        (5, True, Figure(5)),
        (0, True, Figure(0)),
    ],
)
def test_a_lone_figure_is_hidden_under_the_threshold(
    count: int, exact: bool, expected: Figure
) -> None:
    assert suppression.single(count, threshold=T, exact=exact) == expected


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ([10, 20, 30], [True, True, True]),
        ([5, 5], [True, True]),  # exactly the threshold is shown
        ([4, 10, 20], [False, False, True]),  # one hidden: the next-smallest goes too
        ([20, 4, 10], [True, False, False]),  # wherever it sits
        ([1, 7, 7], [False, False, True]),  # ties: the first of the smallest
        ([3, 2, 20], [False, False, True]),  # two hidden: only their sum is known
        ([0, 30, 40], [True, True, True]),  # zero describes nobody
        ([0, 3, 40], [True, False, False]),  # nor is it a complement: it would protect nothing
        ([4], [False]),
        ([4, 3], [False, False]),
        ([], []),
    ],
)
def test_small_cells_and_their_complement_are_hidden(counts: list[int], shown: list[bool]) -> None:
    assert suppression.shown_cells(counts, threshold=T) == shown


@pytest.mark.parametrize(
    ("counts", "ordered", "shown"),
    [
        ([10, 3, 50, 6], False, [True, False, True, False]),  # the smallest anywhere
        ([10, 3, 50, 6], True, [False, False, True, True]),  # the smaller neighbour
        ([10, 3, 0, 50], True, [False, False, True, True]),  # never a zero neighbour
        ([3, 10, 50], True, [False, False, True]),  # the first step has one neighbour
    ],
)
def test_an_ordered_breakdown_takes_a_neighbour_as_complement(
    counts: list[int], ordered: bool, shown: list[bool]
) -> None:
    assert suppression.shown_cells(counts, threshold=T, ordered=ordered) == shown


def test_a_higher_threshold_hides_more() -> None:
    assert suppression.shown_cells([9, 10, 30], threshold=10) == [False, False, True]


def test_a_beheerder_sees_every_cell_with_small_ones_marked() -> None:
    assert suppression.breakdown([4, 10, 20], 34, threshold=T, exact=True) == [
        Figure(4, 12, small=True),
        Figure(10, 29),
        Figure(20, 59),
    ]


def test_hidden_cells_hide_their_percentages_too() -> None:
    assert suppression.breakdown([4, 10, 20], 34, threshold=T, exact=False) == [
        HIDDEN,
        HIDDEN,
        Figure(20, 59),
    ]


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 3, 33),
        (2, 3, 67),
        (1, 8, 13),  # 12.5 rounds half up
        (1, 200, 1),  # 0.5 rounds half up
        (0, 5, 0),
        (5, 5, 100),
        (5, 0, None),  # no base, no percentage
    ],
)
def test_percent(part: int, whole: int, expected: int | None) -> None:
    assert suppression.percent(part, whole) == expected


def test_totals_give_the_completion_rate_when_both_are_shown() -> None:
    totals = aggregation.totals(40, 30, threshold=T, exact=False)
    assert totals.started == Figure(40)
    assert totals.submitted == Figure(30, 75)
    assert aggregation.totals(40, 4, threshold=T, exact=False).submitted == HIDDEN


def test_groups_list_every_known_key_and_hide_small_ones() -> None:
    rows = aggregation.groups(
        {"online": (40, 30), "paper": (3, 3), "fax": (12, 10)},
        ("online", "paper", "conversation"),
        threshold=T,
        exact=False,
    )
    assert [row.key for row in rows] == ["online", "paper", "conversation", "fax"]
    by_key = {row.key: row for row in rows}
    assert by_key["online"].started == Figure(40, 73)
    assert by_key["online"].completion == 75
    # paper (3) is small; its complement is fax (12), the smallest other cell with responses:
    # conversation (0) would protect nothing
    assert by_key["paper"].started == HIDDEN
    assert by_key["paper"].completion is None
    assert by_key["conversation"].submitted == Figure(0, 0)
    assert by_key["fax"].started == HIDDEN
    assert by_key["fax"].submitted == HIDDEN


def test_groups_with_one_small_cell_hide_the_next_smallest() -> None:
    rows = aggregation.groups(
        {"online": (40, 30), "paper": (8, 6), "conversation": (2, 1)},
        ("online", "paper", "conversation"),
        threshold=T,
        exact=False,
    )
    assert [row.started.count for row in rows] == [40, None, None]
    assert [row.completion for row in rows] == [75, None, None]


# --- days -------------------------------------------------------------------------------------


def test_utc_hours_fold_into_dutch_days_across_midnight_and_the_clock_change() -> None:
    hours = [
        (datetime(2026, 3, 28, 22, tzinfo=UTC), 1),  # 23:xx on Saturday (winter time)
        (datetime(2026, 3, 28, 23, tzinfo=UTC), 2),  # 00:xx on Sunday
        (datetime(2026, 3, 29, 21, tzinfo=UTC), 4),  # 23:xx on Sunday (summer time)
        (datetime(2026, 3, 29, 22, tzinfo=UTC), 8),  # 00:xx on Monday
    ]
    assert aggregation.local_days(hours, TIMEZONE) == {
        date(2026, 3, 28): 1,
        date(2026, 3, 29): 6,
        date(2026, 3, 30): 8,
    }


def test_a_zone_off_the_whole_hour_is_refused() -> None:
    with pytest.raises(ValueError, match="whole number of hours"):
        aggregation.local_days(
            [(datetime(2026, 3, 28, 22, tzinfo=UTC), 1)], ZoneInfo("Asia/Kolkata")
        )


def test_quiet_days_in_between_are_listed() -> None:
    rows = aggregation.per_day(
        {date(2026, 3, 1): 6, date(2026, 3, 3): 7},
        {date(2026, 3, 3): 12},
        threshold=T,
        exact=False,
    )
    assert [row.day for row in rows] == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    assert [row.started.count for row in rows] == [6, 0, 7]
    assert [row.submitted.count for row in rows] == [0, 0, 12]


def test_a_small_day_hides_the_next_smallest_day_too() -> None:
    days = {date(2026, 3, 1): 6, date(2026, 3, 2): 2, date(2026, 3, 3): 7}
    rows = aggregation.per_day(days, {}, threshold=T, exact=False)
    assert [row.started.count for row in rows] == [None, None, 7]
    exact = aggregation.per_day(days, {}, threshold=T, exact=True)
    assert [(row.started.count, row.started.small) for row in exact] == [
        (6, False),
        (2, True),
        (7, False),
    ]


def test_no_responses_no_days() -> None:
    assert aggregation.per_day({}, {}, threshold=T, exact=False) == []


# --- the funnel -------------------------------------------------------------------------------

STEPS = ["a", "b", "contact", "controle"]


def funnel_counts(
    unsubmitted: dict[str | None, int], submitted: int, *, exact: bool
) -> tuple[list[int | None], list[int | None]]:
    steps = aggregation.funnel(STEPS, unsubmitted, submitted, threshold=T, exact=exact)
    assert [s.key for s in steps] == STEPS
    assert [s.number for s in steps] == [1, 2, 3, 4]
    return [s.reached.count for s in steps], [s.stopped.count for s in steps]


@pytest.mark.parametrize(
    ("unsubmitted", "submitted", "exact", "reached", "stopped"),
    [
        # exact: a response reached a step when it is on it or further, or was submitted;
        # no last page (or one the scan no longer has) counts as the first step
        (
            {None: 2, "a": 3, "b": 1, "controle": 4, "weg": 1},
            10,
            True,
            [21, 15, 14, 14],
            [6, 1, 0, 4],
        ),
        # everything large enough: everything shown
        (
            {"a": 10, "b": 6, "contact": 7, "controle": 8},
            50,
            False,
            [81, 71, 65, 58],
            [10, 6, 7, 8],
        ),
        # "b" is small and "contact" its complement; reached at contact would give both away
        # (71 - 65 = 6 at b): only reached figures that follow from shown ones remain
        (
            {"a": 10, "b": 2, "contact": 7, "controle": 8},
            50,
            False,
            [77, 67, None, 58],
            [10, None, None, 8],
        ),
        # nobody stopped at contact or controle: zeros are shown
        ({"a": 10, "b": 6}, 50, False, [66, 56, 50, 50], [10, 6, 0, 0]),
        # a small cell among zeros has no complement: hiding a zero would protect nothing, as
        # the headline totals tell anyway that 52 - 50 = 2 did not finish
        ({"b": 2}, 50, False, [52, 52, 50, 50], [0, None, 0, 0]),
        # too few submitted: nothing follows from the bottom
        (
            {"a": 10, "b": 6, "contact": 3, "controle": 8},
            4,
            False,
            [31, 21, None, None],
            [10, None, None, 8],
        ),
        # a handful of responses: nothing at all
        ({"a": 1}, 2, False, [None, None, None, None], [None, 0, 0, 0]),
    ],
)
def test_funnel(
    unsubmitted: dict[str | None, int],
    submitted: int,
    exact: bool,
    reached: list[int | None],
    stopped: list[int | None],
) -> None:
    assert funnel_counts(unsubmitted, submitted, exact=exact) == (reached, stopped)


def test_funnel_percentages_are_of_all_started() -> None:
    steps = aggregation.funnel(STEPS, {"a": 10, "b": 6}, 50, threshold=T, exact=False)
    assert [s.reached.percent for s in steps] == [100, 85, 76, 76]
    assert [s.stopped.percent for s in steps] == [15, 9, 0, 0]


# --- the "over u" profile ---------------------------------------------------------------------


def question(**fields: object) -> Question:
    defaults: dict[str, object] = {
        "id": 1,
        "scan_id": 1,
        "key": "over-u.kinderen",
        "kind": "yes_no",
        "page": "over-u",
        "position": 1,
        "texts": {"nl": {"text": "Wonen er kinderen bij u?"}, "en": {"text": "Children?"}},
        "options": [
            {"value": "ja", "labels": {"nl": "Ja", "en": "Yes"}},
            {"value": "nee", "labels": {"nl": "Nee", "en": "No"}},
        ],
    }
    return Question.model_validate({**defaults, **fields})


def test_profile_rows_follow_the_options_then_no_answer() -> None:
    [result] = aggregation.profile(
        [question()], {(1, "ja"): 12, (1, "nee"): 6}, {1: 18}, 25, threshold=T, exact=False
    )
    assert result.key == "over-u.kinderen"
    assert result.texts == {"nl": "Wonen er kinderen bij u?", "en": "Children?"}
    assert not result.multiple
    assert [(r.value, r.labels.get("en"), r.figure) for r in result.rows] == [
        ("ja", "Yes", Figure(12, 48)),
        ("nee", "No", Figure(6, 24)),
        (None, None, Figure(7, 28)),
    ]


@pytest.mark.parametrize(
    ("exact", "counts"),
    [(False, [12, None, None]), (True, [12, 3, 5])],
)
def test_profile_hides_a_small_answer_and_its_complement(
    exact: bool, counts: list[int | None]
) -> None:
    [result] = aggregation.profile(
        [question()], {(1, "ja"): 12, (1, "nee"): 3}, {1: 15}, 20, threshold=T, exact=exact
    )
    assert [r.figure.count for r in result.rows] == counts


def test_profile_keeps_values_no_longer_offered_and_skips_free_text() -> None:
    results = aggregation.profile(
        [question(), question(id=2, key="over-u.iets", kind="long_text", options=[])],
        {(1, "ja"): 10, (1, "misschien"): 6},
        {1: 16},
        20,
        threshold=T,
        exact=True,
    )
    assert [q.key for q in results] == ["over-u.kinderen"]
    assert [r.value for r in results[0].rows] == ["ja", "nee", "misschien", None]
