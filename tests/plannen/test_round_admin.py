"""Staff side of vote rounds: who may do what, a new round's settings, the round's page with
live results and turnout, and the life cycle draft → open → closed that fixes the plan."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.plannen import vote_service
from app.plannen.models import Ballot, VoteRound
from app.staff.models import AuditEntry
from tests.conftest import SECRET
from tests.plannen.round_factories import (
    HTMX,
    context,
    log_in_as,
    make_codes,
    make_plan,
    make_round,
    reload_plan,
    reload_round,
    send,
    template_name,
)

pytestmark = pytest.mark.usefixtures("demo")
ROLES = ["anonymous", "partner", "facilitator", "beheerder"]
TODAY = date(2026, 11, 20)
GOOD = {
    "method": "approval",
    "eligibility": "codes",
    "max_choices": "2",
    "points_total": "",
    "points_per_measure": "",
    "budget_amount": "",
    "min_supporters": "",
    "opens_on": "",
    "closes_on": "",
}


def new_url(plan_id: int | str) -> str:
    return f"/staff/plannen/{plan_id}/stemronde/nieuw"


def round_url(round_id: int | str, action: str = "") -> str:
    return f"/staff/stemrondes/{round_id}{action}"


def vote(session: Session, vote_round: VoteRound, choices: dict[int, int], **kw: Any) -> None:
    vote_service.cast_ballot(
        session,
        vote_round=vote_round,
        choices=choices,
        code=kw.get("code"),
        channel=kw.get("channel", "online"),
        language=kw.get("language", "nl"),
        today=TODAY,
        secret_key=SECRET,
    )


def rounds(session: Session) -> list[VoteRound]:
    session.rollback()
    return list(session.exec(select(VoteRound)).all())


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "target", "expected"),
    [
        ("get", "round", [303, 200, 200, 200]),
        ("get", "round_htmx", [303, 200, 200, 200]),
        ("get", "new", [303, 403, 200, 200]),
        ("post", "new", [303, 403, 422, 422]),
        ("post", "open", [303, 403, 303, 303]),
        ("post", "close", [303, 403, 409, 409]),  # a draft round cannot be closed
        ("get", "codes", [303, 403, 200, 200]),
        ("get", "paper", [303, 403, 200, 200]),
        ("get", "missing", [303, 404, 404, 404]),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_and_run_a_vote_round(
    client: TestClient, session: Session, role: str, method: str, target: str, expected: list[int]
) -> None:
    plan, _ = make_plan(session)
    other_plan, _ = make_plan(session, slug="leeuwerikplein")
    vote_round = make_round(session, other_plan, status="draft")
    log_in_as(client, session, role)
    path = {
        "round": round_url(vote_round.id or 0),
        "round_htmx": round_url(vote_round.id or 0),
        "new": new_url(plan.id or 0),
        "open": round_url(vote_round.id or 0, "/openen"),
        "close": round_url(vote_round.id or 0, "/sluiten"),
        "codes": round_url(vote_round.id or 0, "/codes"),
        "paper": round_url(vote_round.id or 0, "/papier"),
        "missing": round_url(999999),
    }[target]
    headers = HTMX if target == "round_htmx" else {}
    if method == "get":
        response = client.get(path, headers=headers)
    else:
        response = send(client, path, {"method": "nonsense"})
    assert response.status_code == expected[ROLES.index(role)], response.text
    if role == "anonymous":
        assert response.headers["location"] == "/staff/inloggen"
    if target == "round" and response.status_code == 200:
        can_act = role != "partner"
        assert context(response)["can_manage"] is can_act
        assert ('id="round-open"' in response.text) is can_act


# --- a new round ----------------------------------------------------------------------------


def test_the_new_round_form_offers_every_method_with_its_parameters(
    client: TestClient, session: Session
) -> None:
    plan, measures = make_plan(session)
    log_in_as(client, session, "facilitator")
    response = client.get(new_url(plan.id or 0))
    assert response.status_code == 200
    assert template_name(response) == "plannen/round_new.html"
    assert context(response)["measures"] == measures
    for name in ("max_choices", "points_total", "points_per_measure", "budget_amount"):
        assert f'name="{name}"' in response.text
    for value in ("approval", "points", "budget", "codes", "open"):
        assert f'value="{value}"' in response.text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"method": "lottery"}, "method"),
        ({"eligibility": "everyone"}, "eligibility"),
        ({"max_choices": "0"}, "max_choices"),
        ({"max_choices": ""}, "max_choices"),
        ({"max_choices": "1.5"}, "max_choices"),
        ({"max_choices": "twee"}, "max_choices"),
        ({"max_choices": "-1"}, "max_choices"),
        ({"max_choices": "99999999999"}, "max_choices"),
        ({"method": "points", "points_total": "0", "points_per_measure": "1"}, "points_total"),
        (
            {"method": "points", "points_total": "10", "points_per_measure": "11"},
            "points_per_measure",
        ),
        (
            {"method": "points", "points_total": "10", "points_per_measure": "0"},
            "points_per_measure",
        ),
        (
            {"method": "points", "points_total": "10", "points_per_measure": ""},
            "points_per_measure",
        ),
        ({"method": "budget", "budget_amount": "0"}, "budget_amount"),
        ({"method": "budget", "budget_amount": "100001"}, "budget_amount"),
        ({"method": "budget", "budget_amount": "12,50"}, "budget_amount"),
        ({"method": "budget", "budget_amount": "50", "min_supporters": "0"}, "min_supporters"),
        ({"method": "budget", "budget_amount": "50", "min_supporters": "x"}, "min_supporters"),
        ({"opens_on": "2026-12-10", "closes_on": "2026-12-01"}, "closes_on"),
        ({"opens_on": "2026-13-01"}, "opens_on"),
    ],
)
def test_a_bad_setting_is_refused_next_to_its_field_and_nothing_is_made(
    client: TestClient, session: Session, changes: dict[str, str], field: str
) -> None:
    plan, _ = make_plan(session)
    log_in_as(client, session, "facilitator")
    response = send(client, new_url(plan.id or 0), {**GOOD, **changes})
    assert response.status_code == 422
    assert template_name(response) == "plannen/round_new.html"
    assert field in context(response)["errors"]
    assert f'id="round-{field}-error"' in response.text
    assert context(response)["values"]["method"] == {**GOOD, **changes}["method"][:20]
    assert rounds(session) == []
    assert reload_plan(session, plan.id or 0).status == "concept"


def test_a_budget_vote_needs_measures_with_costs(client: TestClient, session: Session) -> None:
    plan, _ = make_plan(session, costs=(None, None))
    log_in_as(client, session, "facilitator")
    data = {**GOOD, "method": "budget", "budget_amount": "50"}
    response = send(client, new_url(plan.id or 0), data)
    assert response.status_code == 422
    assert "method" in context(response)["errors"]
    assert rounds(session) == []


def test_a_new_round_stores_only_its_methods_settings_and_puts_the_plan_to_a_vote(
    client: TestClient, session: Session
) -> None:
    plan, _ = make_plan(session)
    log_in_as(client, session, "facilitator")
    data = {
        **GOOD,
        "method": "budget",
        "eligibility": "open",
        "max_choices": "7",  # another method's: ignored
        "budget_amount": "50",
        "min_supporters": "3",
        "opens_on": "2026-12-01",
        "closes_on": "2026-12-14",
    }
    response = send(client, new_url(plan.id or 0), data)
    assert response.status_code == 303, response.text
    [made] = rounds(session)
    assert response.headers["location"] == round_url(made.id or 0)
    assert (made.method, made.eligibility, made.status) == ("budget", "open", "draft")
    assert (made.budget_amount, made.min_supporters, made.max_choices) == (50, 3, None)
    assert (made.opens_on, made.closes_on) == (date(2026, 12, 1), date(2026, 12, 14))
    assert reload_plan(session, plan.id or 0).status == "ter_stemming"
    actions = session.exec(select(AuditEntry.action)).all()
    assert "vote.round_create" in actions


@pytest.mark.parametrize("status", ["ter_stemming", "vastgesteld", "vervangen"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_round_is_refused_on_a_plan_that_is_not_a_concept(
    client: TestClient, session: Session, status: str, method: str
) -> None:
    plan, _ = make_plan(session, status=status)
    log_in_as(client, session, "facilitator")
    path = new_url(plan.id or 0)
    response = client.get(path) if method == "get" else send(client, path, GOOD)
    assert response.status_code == 409
    assert rounds(session) == []
    assert reload_plan(session, plan.id or 0).status == status


def test_a_round_is_refused_on_a_plan_without_measures(
    client: TestClient, session: Session
) -> None:
    plan, _ = make_plan(session, costs=())
    log_in_as(client, session, "facilitator")
    assert client.get(new_url(plan.id or 0)).status_code == 409
    assert send(client, new_url(plan.id or 0), GOOD).status_code == 409
    assert rounds(session) == []


# --- the round's page -----------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
def test_staff_see_live_totals_and_ranking_refreshed_by_htmx(
    client: TestClient, session: Session, htmx: bool
) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, method="points", eligibility="open")
    first, second, third = (m.id or 0 for m in measures)
    vote(session, vote_round, {first: 5, second: 3})
    vote(session, vote_round, {second: 5, third: 1})
    log_in_as(client, session, "facilitator")
    response = client.get(round_url(vote_round.id or 0), headers=HTMX if htmx else {})
    assert response.status_code == 200
    assert template_name(response) == "plannen/round_page.html"
    assert response.headers["vary"] == "HX-Request"
    assert ("<html" in response.text) is not htmx
    assert 'id="round-live"' in response.text
    assert 'hx-trigger="every 30s"' in response.text
    rows = context(response)["rows"]
    assert [(r.measure_id, r.rank, r.total, r.supporters) for r in rows] == [
        (second, 1, 8, 2),
        (first, 2, 5, 1),
        (third, 3, 1, 1),
    ]
    assert context(response)["turnout"].ballots == 2
    assert 'id="round-refresh"' in response.text


@pytest.mark.parametrize(
    ("role", "hidden"), [("partner", True), ("facilitator", True), ("beheerder", False)]
)
def test_turnout_breakdowns_hide_small_numbers_except_for_a_beheerder(
    client: TestClient, session: Session, role: str, hidden: bool
) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, eligibility="open")
    for _ in range(6):
        vote(session, vote_round, {measures[0].id or 0: 1})
    vote(session, vote_round, {measures[1].id or 0: 1}, channel="paper", language="ar")
    log_in_as(client, session, role)
    turnout = context(client.get(round_url(vote_round.id or 0)))["turnout"]
    channels = {cell.key: cell.figure.count for cell in turnout.by_channel}
    languages = {cell.key: cell.figure.count for cell in turnout.by_language}
    assert turnout.ballots == 7
    assert "conversation" not in channels  # no ballots: no row
    if hidden:
        # The one paper ballot is hidden, and so is online: 7 - 6 would give it away.
        assert channels["paper"] is None
        assert channels["online"] is None
        assert languages == {"nl": None, "ar": None}
    else:
        assert channels["paper"] == 1
        assert channels["online"] == 6
        assert languages == {"nl": 6, "ar": 1}


def test_a_codes_round_shows_codes_issued_and_used_by_channel(
    client: TestClient, session: Session
) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan)
    codes = make_codes(session, vote_round, 8)
    for code in codes[:6]:
        vote(session, vote_round, {measures[0].id or 0: 1}, code=code)
    log_in_as(client, session, "beheerder")
    turnout = context(client.get(round_url(vote_round.id or 0)))["turnout"]
    assert (turnout.codes_issued, turnout.codes_used, turnout.codes_unused) == (8, 6, 2)
    assert {c.key: c.figure.count for c in turnout.codes_by_channel}["online"] == 6


# --- open and close -------------------------------------------------------------------------


def test_open_then_close_with_confirmation_stores_the_snapshot_and_fixes_the_plan(
    client: TestClient, session: Session
) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, status="draft", max_choices=2)
    round_id = vote_round.id or 0
    codes = make_codes(session, vote_round, 4)
    log_in_as(client, session, "facilitator")

    assert send(client, round_url(round_id, "/openen")).status_code == 303
    vote_round = reload_round(session, round_id)
    assert vote_round.status == "open"
    assert send(client, round_url(round_id, "/openen")).status_code == 409  # only once

    first, second, _ = (m.id or 0 for m in measures)
    vote(session, vote_round, {first: 1, second: 1}, code=codes[0])
    vote(session, vote_round, {second: 1}, code=codes[1])

    asked = send(client, round_url(round_id, "/sluiten"))
    assert asked.status_code == 200
    assert template_name(asked) == "plannen/round_close.html"
    assert 'name="confirm" value="yes"' in asked.text
    assert reload_round(session, round_id).status == "open"  # asking changes nothing

    closed = send(client, round_url(round_id, "/sluiten"), {"confirm": "yes"})
    assert closed.status_code == 303
    assert closed.headers["location"] == round_url(round_id)
    vote_round = reload_round(session, round_id)
    assert vote_round.status == "closed"
    assert vote_round.closed_at is not None
    results = vote_round.results
    assert (results["ballots"], results["codes_issued"], results["codes_used"]) == (2, 4, 2)
    assert [(m["measure_id"], m["rank"], m["total"]) for m in results["measures"][:2]] == [
        (second, 1, 2),
        (first, 2, 1),
    ]
    fixed = reload_plan(session, plan.id or 0)
    assert fixed.status == "vastgesteld"
    assert fixed.fixed_at is not None
    actions = session.exec(select(AuditEntry.action)).all()
    assert {"vote.round_open", "vote.round_close"} <= set(actions)

    page = client.get(round_url(round_id))
    assert context(page)["closed"] is True
    assert [r.measure_id for r in context(page)["rows"]][:2] == [second, first]
    assert 'id="round-snapshot"' in page.text
    assert 'hx-trigger="every 30s"' not in page.text  # nothing changes any more

    with pytest.raises(vote_service.RoundNotOpen):
        vote(session, vote_round, {first: 1}, code=codes[2])
    session.rollback()
    assert len(session.exec(select(Ballot)).all()) == 2
    assert send(client, round_url(round_id, "/sluiten"), {"confirm": "yes"}).status_code == 409

    # The ranking is kept in the plan: its staff page shows each measure's place.
    plan_page = client.get(f"/staff/plannen/{plan.id}")
    assert context(plan_page)["vote_places"][second] == 1
    assert context(plan_page)["vote_places"][first] == 2
    assert "Plaats 1 in de stemming" in plan_page.text
    history = [entry.action for entry, _ in context(plan_page)["history"]]
    assert {"vote.round_open", "vote.round_close"} <= set(history)  # the round's steps too
    assert "Stemronde gesloten" in plan_page.text  # the history in words, not action codes
    assert ">vote.round_close<" not in plan_page.text


def test_the_snapshot_is_shown_as_stored_not_recounted(
    client: TestClient, session: Session
) -> None:
    plan, measures = make_plan(session, status="vastgesteld")
    stored = {
        "method": "approval",
        "eligibility": "open",
        "ballots": 40,
        "codes_issued": None,
        "codes_used": None,
        "closed_on": "2026-12-14",
        "measures": [
            {
                "measure_id": m.id,
                "rank": i + 1,
                "total": 30 - i,
                "supporters": 30 - i,
                "counts": True,
                "funded": None,
            }
            for i, m in enumerate(measures)
        ],
    }
    vote_round = make_round(
        session,
        plan,
        eligibility="open",
        status="closed",
        closed_at=datetime(2026, 12, 14, 17, tzinfo=UTC),
        results=stored,
    )
    plan.status = "vastgesteld"
    session.add(plan)
    session.commit()
    log_in_as(client, session, "partner")
    response = client.get(round_url(vote_round.id or 0))
    assert response.status_code == 200
    assert [r.total for r in context(response)["rows"]] == [30, 29, 28]
    assert context(response)["closed_on"] == date(2026, 12, 14)
    assert 'id="round-poll"' in response.text  # an open round: a non-binding poll
    assert (
        session.exec(select(Ballot).where(col(Ballot.vote_round_id) == vote_round.id)).all() == []
    )


@pytest.mark.parametrize("method", ["approval", "points", "budget"])
def test_the_page_shows_each_methods_settings_and_a_budgets_funding(
    client: TestClient, session: Session, method: str
) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, method=method, eligibility="open", min_supporters=None)
    vote(session, vote_round, {measures[2].id or 0: 1 if method != "budget" else 400})
    log_in_as(client, session, "facilitator")
    response = client.get(round_url(vote_round.id or 0))
    assert response.status_code == 200
    assert 'id="round-settings"' in response.text
    top = context(response)["rows"][0]
    assert top.measure_id == measures[2].id
    assert top.funded is (True if method == "budget" else None)
    assert ("€" in response.text) is (method == "budget")
