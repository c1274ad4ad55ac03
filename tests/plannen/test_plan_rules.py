"""The plan's life cycle and small rules, as tables."""

from datetime import date

import pytest

from app.plannen import plan_rules
from app.plannen.models import PLAN_STATUSES

ACTIONS = ["vote", "count", "fix", "supersede"]
# status -> the actions allowed from it
ALLOWED = {
    "concept": {"vote", "fix"},
    "ter_stemming": {"count"},
    "vastgesteld": {"supersede"},
    "vervangen": set(),
}
EDITS = {
    "concept": {"measures", "sections", "public"},
    "ter_stemming": {"public"},
    "vastgesteld": {"public", "new_version"},
    "vervangen": set(),
}


@pytest.mark.parametrize("status", PLAN_STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
def test_transitions_allowed_per_status(status: str, action: str) -> None:
    assert plan_rules.can_transition(action, status) is (action in ALLOWED[status])


@pytest.mark.parametrize(
    ("action", "to"),
    [("vote", "ter_stemming"), ("count", "vastgesteld"), ("fix", "vastgesteld"),
     ("supersede", "vervangen")],
)  # fmt: skip
def test_each_transition_leads_to_its_status(action: str, to: str) -> None:
    assert plan_rules.next_status(action) == to


def test_an_unknown_action_is_never_allowed() -> None:
    assert not any(plan_rules.can_transition("delete", s) for s in PLAN_STATUSES)


@pytest.mark.parametrize("status", PLAN_STATUSES)
@pytest.mark.parametrize("what", ["measures", "sections", "public", "new_version", "title"])
def test_edits_allowed_per_status(status: str, what: str) -> None:
    assert plan_rules.can_edit(status, what) is (what in EDITS[status])


@pytest.mark.parametrize(
    ("status", "flag", "public"),
    [
        ("concept", False, False),
        ("concept", True, True),
        ("ter_stemming", False, True),
        ("vastgesteld", False, True),
        ("vervangen", True, False),
        ("vervangen", False, False),
    ],
)
def test_who_sees_a_plan(status: str, flag: bool, public: bool) -> None:
    assert plan_rules.is_public(status, flag) is public


@pytest.mark.parametrize(
    ("measures", "without", "problems"),
    [(0, 0, ["no_measures"]), (3, 1, ["no_trekker"]), (3, 0, []), (1, 0, [])],
)
def test_fixing_needs_measures_with_trekkers(
    measures: int, without: int, problems: list[str]
) -> None:
    assert plan_rules.fix_problems(measures, without) == problems


@pytest.mark.parametrize(
    ("starts", "ends", "ok"),
    [
        (None, None, True),
        (date(2027, 1, 1), None, True),
        (None, date(2027, 1, 1), True),
        (date(2027, 1, 1), date(2027, 1, 1), True),
        (date(2027, 1, 2), date(2027, 1, 1), False),
    ],
)
def test_period(starts: date | None, ends: date | None, ok: bool) -> None:
    assert plan_rules.period_ok(starts, ends) is ok


@pytest.mark.parametrize(
    ("counts", "exact", "themes", "total"),
    [
        ([12, 7], False, [12, 7], 19),
        ([12, 3], False, [None, None], 15),  # one small theme takes another with it
        ([12, 3, 2], False, [12, None, None], 17),
        ([3], False, [None], None),
        ([2, 2], False, [None, None], None),
        ([12, 3], True, [12, 3], 15),
        ([0, 8], False, [0, 8], 8),
    ],
)
def test_why_hides_small_numbers(
    counts: list[int], exact: bool, themes: list[int | None], total: int | None
) -> None:
    why = plan_rules.why(counts, threshold=5, exact=exact)
    assert [f.count for f in why.themes] == themes
    assert why.total.count == total


@pytest.mark.parametrize(
    ("texts", "locale", "text", "lang"),
    [
        ({"nl": "Speeltuin", "ar": "ملعب"}, "ar", "ملعب", "ar"),
        ({"nl": "Speeltuin", "ar": ""}, "ar", "Speeltuin", "nl"),
        ({"nl": "Speeltuin"}, "tr", "Speeltuin", "nl"),
        ({"en": "Playground"}, "tr", "Playground", "en"),
        ({}, "tr", "", "nl"),
    ],
)
def test_shown_text_says_its_language(
    texts: dict[str, str], locale: str, text: str, lang: str
) -> None:
    assert plan_rules.shown(texts, locale) == plan_rules.Shown(text, lang)
