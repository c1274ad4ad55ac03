"""The SQL side of progress on fabricated responses: Dutch days, channels, languages, funnel."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from app.config import TIMEZONE
from app.monitoring import aggregation, queries
from app.scan.models import Scan
from tests.monitoring.factories import make_responses, scan_id


def local(*parts: int) -> datetime:
    """A Dutch wall-clock time (28 March 2026 is winter time, the 29th from 03:00 summer)."""
    return datetime(*parts, tzinfo=TIMEZONE)


@pytest.fixture
def scan(demo: None, session: Session) -> Scan:
    """Responses over Saturday 28 and Sunday 29 March 2026, around both midnights."""
    found = session.get(Scan, scan_id(session))
    assert found is not None
    assert found.id is not None
    about = {"over-u.kinderen": ["ja"], "over-u.meedoen": ["meedenken", "meedoen"]}
    # Saturday morning: three submitted online in Dutch, with the "over u" page
    make_responses(
        session,
        found.id,
        3,
        started_at=local(2026, 3, 28, 10, 0),
        submitted_at=local(2026, 3, 28, 10, 20),
        answers=about,
    )
    # Saturday 23:30 (22:30 UTC): a paper form in Turkish, submitted at 23:50
    make_responses(
        session,
        found.id,
        started_at=local(2026, 3, 28, 23, 30),
        submitted_at=local(2026, 3, 28, 23, 50),
        channel="paper",
        language="tr",
        answers={"over-u.kinderen": ["nee"]},
    )
    # Saturday noon, submitted Sunday 00:10 (still Saturday 23:10 in UTC), no "over u"
    make_responses(
        session,
        found.id,
        started_at=local(2026, 3, 28, 12, 0),
        submitted_at=local(2026, 3, 29, 0, 10),
        channel="conversation",
    )
    # Sunday 00:30 (Saturday 23:30 UTC): two in Arabic, stopped at "wonen", never submitted
    make_responses(
        session,
        found.id,
        2,
        started_at=local(2026, 3, 29, 0, 30),
        language="ar",
        last_page="wonen",
        answers={"over-u.kinderen": ["ja"]},
    )
    # Sunday 23:30 in summer time (21:30 UTC): started, nothing saved yet
    make_responses(session, found.id, started_at=local(2026, 3, 29, 23, 30))
    assert local(2026, 3, 29, 0, 30).astimezone(UTC).day == 28  # the case that matters
    return found


def exact_progress(session: Session, scan: Scan) -> aggregation.Progress:
    data = queries.progress_input(session, scan)
    return aggregation.build_progress(data, zone=TIMEZONE, threshold=5, exact=True)


def test_responses_count_on_their_dutch_day(session: Session, scan: Scan) -> None:
    progress = exact_progress(session, scan)
    assert [(r.day, r.started.count, r.submitted.count) for r in progress.days] == [
        (date(2026, 3, 28), 5, 4),
        (date(2026, 3, 29), 3, 1),
    ]
    assert (progress.totals.started.count, progress.totals.submitted.count) == (8, 5)
    assert progress.totals.submitted.percent == 63


def test_hours_are_grouped_in_utc_in_sql(session: Session, scan: Scan) -> None:
    data = queries.progress_input(session, scan)
    assert data.started_by_hour == [
        (datetime(2026, 3, 28, 9, tzinfo=UTC), 3),
        (datetime(2026, 3, 28, 11, tzinfo=UTC), 1),
        (datetime(2026, 3, 28, 22, tzinfo=UTC), 1),
        (datetime(2026, 3, 28, 23, tzinfo=UTC), 2),
        (datetime(2026, 3, 29, 21, tzinfo=UTC), 1),
    ]


def test_responses_by_channel_and_language(session: Session, scan: Scan) -> None:
    progress = exact_progress(session, scan)
    channels = {r.key: (r.started.count, r.submitted.count) for r in progress.channels}
    assert channels == {"online": (6, 3), "paper": (1, 1), "conversation": (1, 1)}
    languages = {r.key: (r.started.count, r.submitted.count) for r in progress.languages}
    assert languages == {
        "nl": (5, 4),
        "en": (0, 0),
        "tr": (1, 1),
        "ar": (2, 0),
        "pl": (0, 0),
        "uk": (0, 0),
    }


def test_funnel_counts_where_unsubmitted_responses_are(session: Session, scan: Scan) -> None:
    progress = exact_progress(session, scan)
    funnel = {step.key: (step.reached.count, step.stopped.count) for step in progress.funnel}
    assert [step.key for step in progress.funnel][-3:] == ["over-u", "contact", "controle"]
    assert funnel["rijke-ontwikkeldag"] == (8, 1)  # the one without a saved page
    assert funnel["armoede-werk-inkomen"] == (7, 0)
    assert funnel["wonen"] == (7, 2)
    assert funnel["leefomgeving"] == (5, 0)
    assert funnel["controle"] == (5, 0)


def test_profile_counts_submitted_responses_only(session: Session, scan: Scan) -> None:
    progress = exact_progress(session, scan)
    profile = {q.key: {r.value: r.figure.count for r in q.rows} for q in progress.profile}
    assert list(profile) == [
        "over-u.leeftijd",
        "over-u.kinderen",
        "over-u.jaren-in-buurt",
        "over-u.meedoen",
    ]
    assert profile["over-u.kinderen"] == {"ja": 3, "nee": 1, None: 1}
    assert profile["over-u.meedoen"] == {
        "meedenken": 3,
        "meedoen": 3,
        "meebeslissen": 0,
        "nu-even-niet": 0,
        None: 2,
    }
    assert profile["over-u.leeftijd"][None] == 5


def test_a_scan_without_responses_counts_nothing(demo: None, session: Session) -> None:
    found = session.get(Scan, scan_id(session))
    assert found is not None
    progress = exact_progress(session, found)
    assert progress.days == []
    assert progress.totals.started.count == 0
    assert {step.reached.count for step in progress.funnel} == {0}
