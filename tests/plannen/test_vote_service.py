"""Casting ballots: a code counts once, in its own round, while the round is open; and the
round's life: create, open, close (the ranking folded into the plan)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from app.plannen import rules, vote_queries, vote_service
from app.plannen.models import Ballot, BallotLine, Plan, VoteCode, VoteRound
from app.staff.models import AuditEntry
from tests.conftest import SECRET
from tests.plannen.vote_factories import make_codes, make_plan, make_round
from tests.staff.helpers import make_user

pytestmark = pytest.mark.usefixtures("demo")
TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, 10, tzinfo=UTC)


def ballots(session: Session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(Ballot)).one()


def cast(
    session: Session, vote_round: VoteRound, choices: dict[int, int], code: str | None
) -> None:
    vote_service.cast_ballot(
        session,
        vote_round=vote_round,
        choices=choices,
        code=code,
        channel="online",
        language="ar",
        today=TODAY,
        secret_key=SECRET,
    )


def test_a_code_counts_once(session: Session) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan)
    (code,) = make_codes(session, vote_round)
    first, second = measures[0].id or 0, measures[2].id or 0
    ballot_id = vote_service.cast_ballot(
        session,
        vote_round=vote_round,
        choices={first: 600, second: 400},
        code=code.lower(),  # as typed: small letters are fine
        channel="online",
        language="ar",
        today=TODAY,
        secret_key=SECRET,
    )
    with pytest.raises(vote_service.AlreadyVoted):  # replayed
        cast(session, vote_round, {first: 1}, code)
    assert ballots(session) == 1
    ballot = session.get(Ballot, ballot_id)
    assert ballot is not None
    assert (ballot.channel, ballot.language) == ("online", "ar")
    assert {
        (t.measure_id, t.total, t.supporters)
        for t in vote_queries.totals(session, vote_round.id or 0)
    } == {
        (first, 600, 1),
        (second, 400, 1),
    }
    row = session.exec(select(VoteCode)).one()
    assert (row.used_on, row.used_channel) == (TODAY, "online")


def test_a_code_of_another_round_is_unknown_and_stays_unused(session: Session) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan)
    other_plan, _ = make_plan(session, "planetenbuurt")
    other_round = make_round(session, other_plan)
    (other_code,) = make_codes(session, other_round)
    with pytest.raises(vote_service.UnknownVoteCode):
        cast(session, vote_round, {measures[0].id or 0: 10}, other_code)
    with pytest.raises(vote_service.UnknownVoteCode):
        cast(session, vote_round, {measures[0].id or 0: 10}, None)
    with pytest.raises(vote_service.UnknownVoteCode):
        vote_service.check_vote_code(
            session, vote_round, other_code, client="1.2.3.4", secret_key=SECRET, now=NOW
        )
    assert ballots(session) == 0
    assert session.exec(select(VoteCode)).one().used_on is None


def test_an_invalid_ballot_counts_nothing_and_keeps_the_code(session: Session) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan)
    (code,) = make_codes(session, vote_round)
    with pytest.raises(vote_service.BallotInvalid) as refused:
        cast(session, vote_round, {measures[1].id or 0: 1001}, code)  # over the budget
    assert rules.BALLOT in refused.value.errors
    assert refused.value.status_code == 422
    assert ballots(session) == 0
    assert session.exec(select(VoteCode)).one().used_on is None
    cast(session, vote_round, {measures[1].id or 0: 1000}, code)
    assert ballots(session) == 1


@pytest.mark.parametrize(
    ("status", "opens_on", "closes_on"),
    [
        ("closed", None, None),
        ("draft", None, None),
        ("open", None, date(2025, 5, 31)),  # after its last day
        ("open", date(2025, 6, 2), None),  # before its first day
    ],
)
def test_no_vote_outside_the_open_round(
    session: Session, status: str, opens_on: date | None, closes_on: date | None
) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, status=status, opens_on=opens_on, closes_on=closes_on)
    (code,) = make_codes(session, vote_round)
    with pytest.raises(vote_service.RoundNotOpen) as refused:
        cast(session, vote_round, {measures[0].id or 0: 10}, code)
    assert refused.value.status_code == 409
    assert ballots(session) == 0
    assert session.exec(select(VoteCode)).one().used_on is None


def test_a_vote_after_closing_is_refused_even_with_a_stale_round(session: Session) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan)
    (code,) = make_codes(session, vote_round)
    stale = VoteRound.model_validate(vote_round.model_dump())  # read while still open
    vote_service.close_round(session, actor=make_user(session), vote_round=vote_round, now=NOW)
    with pytest.raises(vote_service.RoundNotOpen):
        cast(session, stale, {measures[0].id or 0: 10}, code)
    assert ballots(session) == 0


def test_an_open_poll_needs_no_code(session: Session) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, method="approval", eligibility="open", max_choices=2)
    cast(session, vote_round, {measures[0].id or 0: 1, measures[1].id or 0: 1}, None)
    cast(session, vote_round, {measures[0].id or 0: 1}, None)
    assert ballots(session) == 2
    totals = {t.measure_id: t.total for t in vote_queries.totals(session, vote_round.id or 0)}
    assert totals == {measures[0].id: 2, measures[1].id: 1}


def test_create_open_close_folds_the_ranking_into_the_plan(session: Session) -> None:
    user = make_user(session)
    plan, measures = make_plan(session, status="concept")
    settings = rules.RoundSettings("budget", "codes", None, None, None, 1000, 2, None, None)
    vote_round = vote_service.create_round(session, actor=user, plan=plan, settings=settings)
    assert plan.status == "ter_stemming"
    with pytest.raises(vote_service.RoundChangeRefused):  # the plan is no longer a concept
        vote_service.create_round(session, actor=user, plan=plan, settings=settings)
    codes = vote_service.issue_codes(
        session, actor=user, vote_round=vote_round, count=3, secret_key=SECRET
    )
    assert len(codes) == 3
    assert all(len(c) == 14 and c[4] == "-" for c in codes)
    stored = {c.code_hash for c in session.exec(select(VoteCode)).all()}
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    with pytest.raises(vote_service.RoundNotOpen):  # still a draft
        cast(session, vote_round, {measures[0].id or 0: 500}, codes[0])
    vote_service.open_round(session, actor=user, vote_round=vote_round)
    cast(session, vote_round, {measures[0].id or 0: 500, measures[2].id or 0: 400}, codes[0])
    cast(session, vote_round, {measures[0].id or 0: 300}, codes[1])
    vote_service.close_round(session, actor=user, vote_round=vote_round, now=NOW)
    session.rollback()
    fixed = session.get(Plan, plan.id)
    closed = session.get(VoteRound, vote_round.id)
    assert fixed is not None
    assert closed is not None
    assert fixed.status == "vastgesteld"
    assert fixed.fixed_at is not None
    assert closed.status == "closed"
    assert closed.results["ballots"] == 2
    assert (closed.results["codes_issued"], closed.results["codes_used"]) == (3, 2)
    ranking = [
        (m["measure_id"], m["rank"], m["total"], m["supporters"], m["counts"], m["funded"])
        for m in closed.results["measures"]
    ]
    assert ranking == [
        (measures[0].id, 1, 800, 2, True, False),  # counts, but 800 < its cost of 1000
        (measures[2].id, 2, 400, 1, False, False),  # 1 household: below K = 2
        (measures[1].id, 3, 0, 0, False, False),
    ]
    actions = session.exec(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == [
        "vote.round_create",
        "vote.codes_generate",
        "vote.round_open",
        "vote.round_close",
    ]
    with pytest.raises(vote_service.RoundChangeRefused):
        vote_service.close_round(session, actor=user, vote_round=closed, now=NOW)


def test_paper_ballot_uses_the_code_and_audits_without_the_ballot(session: Session) -> None:
    user = make_user(session)
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan)
    (code,) = make_codes(session, vote_round)
    vote_service.enter_paper_ballot(
        session,
        actor=user,
        vote_round=vote_round,
        choices={measures[0].id or 0: 100},
        code=code,
        language="nl",
        today=TODAY,
        secret_key=SECRET,
    )
    with pytest.raises(vote_service.AlreadyVoted):  # the same letter online
        cast(session, vote_round, {measures[0].id or 0: 100}, code)
    session.rollback()
    ballot = session.exec(select(Ballot)).one()
    assert ballot.channel == "paper"
    (entry,) = session.exec(
        select(AuditEntry).where(AuditEntry.action == "vote.paper_ballot")
    ).all()
    assert str(ballot.id) not in str(entry.detail) + str(entry.target_id)
    assert "100" not in str(entry.detail)
    assert session.exec(select(func.count()).select_from(BallotLine)).one() == 1
