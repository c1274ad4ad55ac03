"""Paper ballots entered by staff: a paper's code is used up like an online one, a ballot
over the limit is refused next to its fields, and nothing is counted unless all is right."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.plannen import vote_service
from app.plannen.models import Ballot, BallotLine, Measure, VoteCode, VoteRound
from app.plannen.vote_service import hash_vote_code
from app.scan import codes as scan_codes
from app.staff.models import AuditEntry
from tests.conftest import SECRET
from tests.plannen.round_factories import (
    context,
    log_in_as,
    make_codes,
    make_plan,
    make_round,
    send,
    template_name,
)

pytestmark = pytest.mark.usefixtures("demo")
TODAY = date(2026, 11, 20)  # rounds without dates are open on any day


def paper_url(round_id: int | str) -> str:
    return f"/staff/stemrondes/{round_id}/papier"


def field(measure: Measure) -> str:
    return f"m-{measure.id}"


def ballots(session: Session) -> list[Ballot]:
    session.rollback()
    return list(session.exec(select(Ballot)).all())


def code_row(session: Session, shown: str) -> VoteCode:
    session.rollback()
    code = scan_codes.normalize_code(shown)
    assert code is not None
    return session.exec(
        select(VoteCode).where(VoteCode.code_hash == hash_vote_code(SECRET, code))
    ).one()


def setup(
    client: TestClient, session: Session, method: str = "approval", **settings: Any
) -> tuple[VoteRound, list[Measure], list[str]]:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, method=method, **settings)
    shown = make_codes(session, vote_round, 3) if vote_round.eligibility == "codes" else []
    log_in_as(client, session, "facilitator")
    return vote_round, measures, shown


def test_a_paper_ballot_uses_up_its_code_and_counts_on_channel_paper(
    client: TestClient, session: Session
) -> None:
    vote_round, measures, shown = setup(client, session, "approval", max_choices=2)
    data = {"language": "ar", "code": shown[0].lower(), field(measures[0]): "1"}
    response = send(client, paper_url(vote_round.id or 0), data)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == paper_url(vote_round.id or 0) + "?geteld=1&taal=ar"
    [ballot] = ballots(session)
    assert (ballot.channel, ballot.language) == ("paper", "ar")
    lines = session.exec(select(BallotLine)).all()
    assert [(line.measure_id, line.amount) for line in lines] == [(measures[0].id, 1)]
    used = code_row(session, shown[0])
    assert used.used_channel == "paper"
    assert used.used_on is not None
    [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "vote.paper_ballot"))
    assert str(ballot.id) not in str(entry.detail)
    assert str(entry.target_id) == str(vote_round.id)

    after = client.get(response.headers["location"])
    assert after.status_code == 200
    assert template_name(after) == "plannen/round_paper.html"
    assert context(after)["counted"] is True
    assert 'id="paper-counted"' in after.text
    assert context(after)["entry"].language == "ar"  # kept for the next paper
    assert context(after)["entry"].code == ""
    assert context(after)["entry"].raw == {}
    assert context(after)["paper_count"] == 1


def test_a_papers_code_counts_once_on_paper_or_online(client: TestClient, session: Session) -> None:
    vote_round, measures, shown = setup(client, session, "approval", max_choices=2)
    url = paper_url(vote_round.id or 0)
    data = {"language": "nl", "code": shown[0], field(measures[0]): "1"}
    assert send(client, url, data).status_code == 303

    again = send(client, url, {**data, field(measures[1]): "1"})
    assert again.status_code == 409
    assert "code" in context(again)["entry"].errors
    assert 'id="paper-code-error"' in again.text

    with pytest.raises(vote_service.AlreadyVoted):
        vote_service.cast_ballot(
            session,
            vote_round=vote_round,
            choices={measures[1].id or 0: 1},
            code=shown[0],
            channel="online",
            language="nl",
            today=TODAY,
            secret_key=SECRET,
        )
    assert len(ballots(session)) == 1


def test_a_code_used_online_is_refused_on_paper(client: TestClient, session: Session) -> None:
    vote_round, measures, shown = setup(client, session, "approval", max_choices=2)
    vote_service.cast_ballot(
        session,
        vote_round=vote_round,
        choices={measures[0].id or 0: 1},
        code=shown[1],
        channel="online",
        language="nl",
        today=TODAY,
        secret_key=SECRET,
    )
    data = {"language": "nl", "code": shown[1], field(measures[1]): "1"}
    response = send(client, paper_url(vote_round.id or 0), data)
    assert response.status_code == 409
    assert len(ballots(session)) == 1
    assert code_row(session, shown[1]).used_channel == "online"


@pytest.mark.parametrize(
    ("method", "settings", "values", "error"),
    [
        ("approval", {"max_choices": 2}, {0: "1", 1: "1", 2: "1"}, "ballot"),
        ("approval", {"max_choices": 2}, {}, "ballot"),
        ("approval", {"max_choices": 2}, {0: "2"}, 0),
        (
            "points",
            {"points_total": 10, "points_per_measure": 5},
            {0: "5", 1: "5", 2: "1"},
            "ballot",
        ),
        ("points", {"points_total": 10, "points_per_measure": 5}, {0: "6"}, 0),
        ("points", {"points_total": 10, "points_per_measure": 5}, {0: "2.5"}, 0),
        ("points", {"points_total": 10, "points_per_measure": 5}, {0: "-1"}, 0),
        ("budget", {"budget_amount": 1000}, {0: "600", 1: "500"}, "ballot"),
        ("budget", {"budget_amount": 1000}, {2: "401"}, 2),  # above the measure's cost
        ("budget", {"budget_amount": 1000}, {0: "12,50"}, 0),
        ("budget", {"budget_amount": 1000}, {"m-999999": "10"}, "ballot"),
    ],
)
def test_a_ballot_over_the_limit_is_refused_and_nothing_is_counted(
    client: TestClient,
    session: Session,
    method: str,
    settings: dict[str, int],
    values: dict[Any, str],
    error: Any,
) -> None:
    vote_round, measures, shown = setup(client, session, method, **settings)
    data = {"language": "nl", "code": shown[0]}
    for key, value in values.items():
        data[key if isinstance(key, str) else field(measures[key])] = value
    response = send(client, paper_url(vote_round.id or 0), data)
    assert response.status_code == 422, response.text
    errors = context(response)["entry"].errors
    assert (error if isinstance(error, str) else field(measures[error])) in errors
    assert 'id="error-summary"' in response.text
    assert ballots(session) == []
    assert session.exec(select(BallotLine)).all() == []
    assert code_row(session, shown[0]).used_on is None  # the paper can be entered again


@pytest.mark.parametrize(
    ("code", "language"), [("", "nl"), ("AAAA-BBBB-CCCC", "nl"), (None, "klingon")]
)
def test_a_missing_or_unknown_code_or_language_is_refused(
    client: TestClient, session: Session, code: str | None, language: str
) -> None:
    vote_round, measures, shown = setup(client, session, "approval", max_choices=2)
    data = {"language": language, "code": shown[0] if code is None else code}
    data[field(measures[0])] = "1"
    response = send(client, paper_url(vote_round.id or 0), data)
    assert response.status_code == 422
    assert ("language" if code is None else "code") in context(response)["entry"].errors
    assert ballots(session) == []


def test_a_code_of_another_round_is_unknown_here(client: TestClient, session: Session) -> None:
    vote_round, measures, _ = setup(client, session, "approval", max_choices=2)
    other_plan, _ = make_plan(session, slug="leeuwerikplein")
    other = make_codes(session, make_round(session, other_plan), 1)
    data = {"language": "nl", "code": other[0], field(measures[0]): "1"}
    response = send(client, paper_url(vote_round.id or 0), data)
    assert response.status_code == 422
    assert "code" in context(response)["entry"].errors
    assert ballots(session) == []
    assert code_row(session, other[0]).used_on is None


def test_an_open_round_takes_paper_ballots_without_a_code(
    client: TestClient, session: Session
) -> None:
    vote_round, measures, _ = setup(
        client, session, "budget", eligibility="open", budget_amount=1000
    )
    page = client.get(paper_url(vote_round.id or 0))
    assert 'name="code"' not in page.text
    data = {"language": "tr", field(measures[0]): "600", field(measures[2]): "400"}
    assert send(client, paper_url(vote_round.id or 0), data).status_code == 303
    [ballot] = ballots(session)
    assert (ballot.channel, ballot.language) == ("paper", "tr")


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_no_paper_ballot_outside_an_open_round(
    client: TestClient, session: Session, status: str
) -> None:
    vote_round, measures, shown = setup(client, session, "approval", status=status, max_choices=2)
    page = client.get(paper_url(vote_round.id or 0))
    assert page.status_code == 200
    assert 'id="paper-not-open"' in page.text
    data = {"language": "nl", "code": shown[0], field(measures[0]): "1"}
    response = send(client, paper_url(vote_round.id or 0), data)
    assert response.status_code == 409
    assert ballots(session) == []
    assert code_row(session, shown[0]).used_on is None


@pytest.mark.parametrize(("role", "expected"), [("partner", 403), ("anonymous", 303)])
def test_only_staff_who_enter_ballots_may(
    client: TestClient, session: Session, role: str, expected: int
) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, eligibility="open")
    log_in_as(client, session, role)
    data = {"language": "nl", field(measures[0]): "1"}
    assert send(client, paper_url(vote_round.id or 0), data).status_code == expected
    assert ballots(session) == []
