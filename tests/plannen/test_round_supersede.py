"""Closing the vote on a new version of a plan fixes it and replaces the older fixed version."""

from datetime import UTC, datetime

from sqlmodel import Session

from app.plannen import vote_service
from tests.plannen.round_factories import make_plan, make_round, reload_plan, reload_round
from tests.staff.helpers import make_user


def test_closing_the_vote_on_version_two_replaces_version_one(session: Session, demo: None) -> None:
    first, _ = make_plan(session, status="vastgesteld")
    second, _ = make_plan(session)
    assert second.version == 2
    vote_round = make_round(session, second)
    actor = make_user(session, role="facilitator")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    vote_service.close_round(session, actor=actor, vote_round=vote_round, now=now)
    assert reload_round(session, vote_round.id or 0).status == "closed"
    assert reload_plan(session, second.id or 0).status == "vastgesteld"
    assert reload_plan(session, first.id or 0).status == "vervangen"
