"""The pure side of results: means, distributions, priorities, comparisons and breakdowns.

Every expected figure is worked out by hand in the comment next to it.
"""

from typing import Any

import pytest

from app.plannen import aggregation
from app.plannen.aggregation import Comparison, ResultsInput
from app.programme.models import Pijler
from app.scan.models import Question
from app.suppression import HIDDEN, Figure

T = 5  # the default threshold of DESIGN.md §7
POINTS = [{"value": str(n), "labels": {"nl": f"punt {n}"}} for n in range(1, 6)]
SCALE = [*POINTS, {"value": "weet-niet", "labels": {"nl": "Weet ik niet"}, "opt_out": True}]
PIJLERS = [
    Pijler(id=10 + n, key=key, number=n, name={"nl": key.title()}, icon="x")
    for n, key in enumerate(["een", "twee", "drie", "vier"], start=1)
]


def scale(question_id: int, key: str, pijler: Pijler | None = None) -> Question:
    return Question(
        id=question_id,
        scan_id=1,
        pijler_id=pijler.id if pijler else None,
        key=key,
        kind="scale",
        page=pijler.key if pijler else "p",
        position=question_id,
        options=SCALE,
    )


def question(question_id: int, key: str, kind: str, **fields: Any) -> Question:
    return Question(
        id=question_id, scan_id=1, key=key, kind=kind, page="p", position=question_id, **fields
    )


# --- means ----------------------------------------------------------------------------------


def test_the_mean_leaves_out_dont_know() -> None:
    q = scale(1, "een.tevredenheid", PIJLERS[0])
    counts = {"1": 2, "5": 3, "weet-niet": 10}
    result = aggregation.question_result(q, counts, Comparison(), threshold=T, exact=False)
    assert result.mean == 3.4  # (2 * 1 + 3 * 5) / 5
    assert result.answered == Figure(5)
    assert result.opt_out == Figure(10, percent=67)  # 10 of the 15 who answered at all
    assert [o.value for o in result.options] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    ("counts", "exact", "mean"),
    [
        ({"4": 4}, False, None),  # four answers: too few
        ({"4": 4, "weet-niet": 30}, False, None),  # "don't know" does not make it enough
        ({"4": 4}, True, 4.0),  # a beheerder sees it
        ({"4": 4, "2": 1}, False, 3.6),  # five answers: (4 * 4 + 2) / 5
        ({}, False, None),  # no answers: no mean, no division
        ({}, True, None),
        ({"weet-niet": 7}, True, None),
    ],
)
def test_a_mean_needs_threshold_answers(
    counts: dict[str, int], exact: bool, mean: float | None
) -> None:
    points = aggregation.scale_points(scale(1, "x"))
    assert aggregation.mean(counts, points, threshold=T, exact=exact) == mean


@pytest.mark.parametrize(
    ("total", "count", "places", "expected"),
    [
        (7, 2, 1, 3.5),
        (1, 4, 1, 0.3),
        (1, 8, 2, 0.13),
        (10, 3, 1, 3.3),
        (20, 6, 1, 3.3),
        (2, 3, 2, 0.67),
    ],
)
def test_rounding_is_half_up(total: int, count: int, places: int, expected: float) -> None:
    assert aggregation.rounded(total, count, places) == expected


# --- distributions --------------------------------------------------------------------------


def test_a_distribution_hides_small_points_and_one_complement() -> None:
    q = scale(1, "een.tevredenheid", PIJLERS[0])
    counts = {"1": 3, "2": 6, "3": 10, "4": 20, "5": 8, "weet-niet": 2}
    hidden = aggregation.question_result(q, counts, Comparison(), threshold=T, exact=False)
    # 3 is small; the next-smallest point (6) goes too, or it would be 47 minus the rest
    assert [o.figure for o in hidden.options] == [
        HIDDEN,
        HIDDEN,
        Figure(10, percent=21),  # of 47 answers without "don't know"
        Figure(20, percent=43),
        Figure(8, percent=17),
    ]
    assert hidden.answered == Figure(47)
    assert hidden.opt_out == HIDDEN
    assert hidden.mean == 3.5  # (3 + 12 + 30 + 80 + 40) / 47 = 3.51
    exact = aggregation.question_result(q, counts, Comparison(), threshold=T, exact=True)
    assert exact.options[0].figure == Figure(3, percent=6, small=True)
    assert exact.options[1].figure == Figure(6, percent=13)
    assert exact.opt_out == Figure(2, percent=4, small=True)


@pytest.mark.parametrize(("count", "shown"), [(4, None), (5, 5)])
def test_suppression_at_four_and_five_responses(count: int, shown: int | None) -> None:
    q = scale(1, "een.tevredenheid", PIJLERS[0])
    result = aggregation.question_result(q, {"3": count}, Comparison(), threshold=T, exact=False)
    assert result.answered.count == shown
    assert result.options[2].figure.count == shown
    assert result.mean == (3.0 if shown else None)


# --- comparisons ----------------------------------------------------------------------------


def test_comparison_with_focusbuurten_and_gemeente_by_question_key() -> None:
    q = scale(1, "een.tevredenheid", PIJLERS[0])
    municipality = {
        ("een.tevredenheid", True, "4"): 6,  # this buurt's 6 and another focusbuurt's 4 x "2"
        ("een.tevredenheid", True, "2"): 4,
        ("een.tevredenheid", True, "weet-niet"): 9,
        ("een.tevredenheid", False, "5"): 10,
        ("twee.tevredenheid", False, "1"): 50,  # another question: not counted
    }
    result = aggregation.comparison(q, {"4": 6}, municipality, threshold=T, exact=False)
    assert result == Comparison(
        buurt=4.0,
        focus=3.2,  # (6 * 4 + 4 * 2) / 10
        gemeente=4.1,  # (24 + 8 + 50) / 20
    )
    few = aggregation.comparison(
        q, {"4": 3}, {("een.tevredenheid", False, "4"): 3}, threshold=T, exact=False
    )
    assert few == Comparison(None, None, None)


# --- priorities -----------------------------------------------------------------------------


def test_rank_score_is_mean_borda_points_and_ties_share_a_rank() -> None:
    chosen = {
        # (pijler, rank): 10 respondents. een: 5 firsts = 15 points; twee and vier: 5 seconds
        # and 2 thirds = 12 points each; drie: 3 firsts and 1 third = 10 points, but chosen
        # by only 4
        ("een", 1): 5,
        ("twee", 2): 5,
        ("twee", 3): 2,
        ("drie", 1): 3,
        ("drie", 3): 1,
        ("vier", 2): 5,
        ("vier", 3): 2,
    }
    result = aggregation.priorities(PIJLERS, chosen, 10, threshold=T, exact=False)
    assert [(p.pijler.key, p.rank, p.rank_score) for p in result] == [
        ("een", 1, 1.5),  # 15 / 10
        ("twee", 2, 1.2),  # 12 / 10, a tie: the lower pijler number first
        ("vier", 2, 1.2),
        ("drie", None, None),  # chosen by 4: hidden, and last
    ]
    assert result[0].top3 == Figure(5, percent=50)
    assert result[1].top3 == Figure(7, percent=70)
    assert result[3].top3 == HIDDEN
    exact = aggregation.priorities(PIJLERS, chosen, 10, threshold=T, exact=True)
    assert [(p.pijler.key, p.rank, p.rank_score) for p in exact] == [
        ("een", 1, 1.5),
        ("twee", 2, 1.2),
        ("vier", 2, 1.2),
        ("drie", 4, 1.0),  # 3 * 3 + 1 = 10 points
    ]
    assert exact[3].top3 == Figure(4, percent=40, small=True)


def test_competition_ranking_with_a_three_way_tie() -> None:
    chosen = {(p.key, 1): 6 for p in PIJLERS[1:]} | {("een", 2): 6}
    result = aggregation.priorities(PIJLERS, chosen, 24, threshold=T, exact=False)
    assert [(p.pijler.key, p.rank) for p in result] == [
        ("twee", 1),
        ("drie", 1),
        ("vier", 1),
        ("een", 4),
    ]


@pytest.mark.parametrize("respondents", [0, 1, 4])
def test_too_few_respondents_hide_every_score(respondents: int) -> None:
    chosen = {("twee", 1): respondents}
    result = aggregation.priorities(PIJLERS, chosen, respondents, threshold=T, exact=False)
    assert [p.pijler.number for p in result] == [1, 2, 3, 4]  # programme order
    assert all(p.rank is None and p.rank_score is None for p in result)
    assert all(p.top3.count in (None, 0) for p in result)


# --- the whole page -------------------------------------------------------------------------


def questions() -> list[Question]:
    een, twee = PIJLERS[:2]
    return [
        scale(1, "een.tevredenheid", een),
        scale(2, "een.stelling", een),
        question(3, "een.knelpunt", "knelpunt", pijler_id=een.id),
        question(4, "een.idee", "idee", pijler_id=een.id),
        question(
            5,
            "een.helpen",
            "single_choice",
            pijler_id=een.id,
            options=[{"value": v, "labels": {}} for v in ("ja", "misschien", "nee")],
        ),
        scale(6, "twee.tevredenheid", twee),
        question(
            7,
            "prioriteiten.top3",
            "ranking",
            max_choices=3,
            options=[{"value": p.key, "labels": p.name} for p in PIJLERS[:2]],
        ),
        question(
            8,
            "over-u.leeftijd",
            "single_choice",
            options=[{"value": v, "labels": {"nl": v}} for v in ("jong", "oud")],
        ),
    ]


def data(n: int, **fields: Any) -> ResultsInput:
    """``n`` online responses in Dutch, each answering as ``fields`` say (counts given)."""
    values = {
        "pijlers": PIJLERS,
        "questions": questions(),
        "submitted": {("online", "nl"): n} if n else {},
        "values": {},
        "texts": {},
        "respondents": {},
        "by_age": {},
        "by_channel": {},
        "municipality": {},
    }
    return ResultsInput(**(values | fields))


@pytest.mark.parametrize("n", [0, 1, 4])
@pytest.mark.parametrize("exact", [False, True])
def test_zero_one_or_four_responses_give_no_errors(n: int, exact: bool) -> None:
    answers = {(1, "3", 0): n, (5, "ja", 0): n, (7, "twee", 1): n, (8, "jong", 0): n}
    results = aggregation.build_results(
        data(
            n,
            values=answers,
            texts={3: n},
            respondents={7: n},
            by_age={(1, "jong", "3"): n},
            by_channel={(1, "online", "3"): n},
        ),
        threshold=T,
        exact=exact,
    )
    assert [r.pijler.key for r in results.pijlers][:2] in (["een", "twee"], ["twee", "een"])
    een = next(r for r in results.pijlers if r.pijler.key == "een")
    assert een.satisfaction is not None
    if exact or n == 0:
        assert results.submitted.count == n
        assert een.satisfaction.answered.count == n
        assert een.helpers.count == n
        assert een.remarks.count == n
        assert een.satisfaction.mean == (3.0 if n else None)
    else:
        assert results.submitted == HIDDEN
        assert een.satisfaction.answered == HIDDEN
        assert een.satisfaction.mean is None
        assert een.comparison == Comparison()
        assert een.helpers == HIDDEN
        assert een.remarks == HIDDEN
        assert all(r.rank is None for r in results.pijlers)
        assert all(cell.mean is None for g in results.by_age.groups for cell in g.means)
        assert all(g.size.count in (None, 0) for g in results.by_channel.groups)


def test_build_results_puts_it_together() -> None:
    values = {
        (1, "4", 0): 8,
        (1, "2", 0): 2,
        (1, "weet-niet", 0): 3,
        (2, "5", 0): 6,
        (5, "ja", 0): 3,
        (5, "misschien", 0): 4,
        (5, "nee", 0): 6,
        (6, "3", 0): 13,
        (7, "twee", 1): 9,
        (7, "een", 2): 9,
        (7, "een", 1): 4,
        (7, "twee", 2): 4,
        (8, "jong", 0): 6,
        (8, "oud", 0): 5,
    }
    given: dict[str, Any] = {
        "submitted": {("online", "nl"): 8, ("paper", "nl"): 5},
        "values": values,
        "texts": {3: 4, 4: 2},
        "respondents": {7: 13},
        "by_age": {
            (1, "jong", "4"): 5,
            (1, "jong", "weet-niet"): 1,
            (1, "oud", "2"): 2,
            (1, "oud", "4"): 3,
            (1, None, "weet-niet"): 2,
            (6, "jong", "3"): 6,
            (6, "oud", "3"): 5,
            (6, None, "3"): 2,
        },
        "by_channel": {(1, "online", "4"): 8, (1, "paper", "2"): 2, (6, "online", "3"): 8},
        "municipality": {("een.tevredenheid", True, "4"): 8, ("een.tevredenheid", True, "2"): 2},
    }
    results = aggregation.build_results(data(13, **given), threshold=T, exact=False)
    assert results.submitted == Figure(13)
    assert [(s.key, s.figure) for s in results.channels] == [
        ("online", Figure(8, percent=62)),
        ("paper", Figure(5, percent=38)),
        ("conversation", Figure(0, percent=0)),
    ]
    # twee: 9 firsts + 4 seconds = 35 points; een: 4 firsts + 9 seconds = 30; of 13
    assert [(r.pijler.key, r.rank, r.rank_score) for r in results.pijlers] == [
        ("twee", 1, 2.69),
        ("een", 2, 2.31),
    ]
    een = results.pijlers[1]
    assert een.satisfaction is not None
    assert een.satisfaction.mean == 3.6  # (8 * 4 + 2 * 2) / 10, "don't know" left out
    assert een.comparison == Comparison(buurt=3.6, focus=3.6, gemeente=3.6)
    assert [s.question.key for s in een.statements] == ["een.stelling"]
    assert een.statements[0].mean == 5.0
    assert een.helpers == Figure(7, percent=54)  # ja 3 + misschien 4, of 13 who answered
    assert een.remarks == Figure(6)  # 4 knelpunten and 2 ideeën
    assert results.pijlers[0].remarks == Figure(0)
    # by age: groups jong 6, oud 5, no answer 13 - 11 = 2 (small, with a complement: oud)
    ages = {g.key: g for g in results.by_age.groups}
    assert [p.key for p in results.by_age.pijlers] == ["een", "twee"]
    assert ages["jong"].size == Figure(6, percent=46)
    assert ages["oud"].size == HIDDEN
    assert ages[None].size == HIDDEN
    assert ages["jong"].means[0].mean == 4.0  # 5 answers of 4; "don't know" left out
    assert ages["oud"].means[0].mean == 3.2  # (2 * 2 + 3 * 4) / 5
    assert ages[None].means[0].mean is None  # only "don't know"
    assert ages[None].means[1].mean is None  # 2 answers: too few
    channels = {g.key: g for g in results.by_channel.groups}
    assert channels["online"].means == [aggregation.MeanCell(4.0), aggregation.MeanCell(3.0)]
    assert channels["paper"].means == [
        aggregation.MeanCell(None),  # 2 answers: too few
        aggregation.MeanCell(None, empty=True),  # no paper answers to "twee"
    ]
    exact = aggregation.build_results(data(13, **given), threshold=T, exact=True)
    paper = next(g for g in exact.by_channel.groups if g.key == "paper")
    assert paper.means[0] == aggregation.MeanCell(2.0, small=True)
