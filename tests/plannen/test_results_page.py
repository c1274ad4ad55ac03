"""The staff results page: who may see it, small numbers per role, publishing, and its speed."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.plannen.aggregation import Results
from app.scan.models import Scan
from app.staff.models import AuditEntry
from tests.monitoring.factories import make_responses, scan_id
from tests.staff.helpers import log_in, make_user, post

HTMX = {"HX-Request": "true"}
STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SUBMITTED = STARTED + timedelta(minutes=20)
ROLES = ["anonymous", "partner", "facilitator", "beheerder"]


def url(scan: int | str) -> str:
    return f"/staff/scans/{scan}/resultaten"


def publish_url(scan: int | str) -> str:
    return f"/staff/scans/{scan}/resultaten/openbaar"


@pytest.mark.parametrize(
    ("scan", "expected"),
    [("planetenbuurt", [303, 200, 200, 200]), ("999999", [303, 404, 404, 404])],
)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("htmx", [False, True])
def test_roles_by_routes(
    client: TestClient,
    session: Session,
    demo: None,
    htmx: bool,
    role: str,
    scan: str,
    expected: list[int],
) -> None:
    if role != "anonymous":
        log_in(client, make_user(session, role=role))
    target = scan_id(session, scan) if scan == "planetenbuurt" else scan
    response = client.get(url(target), headers=HTMX if htmx else {})
    assert response.status_code == expected[ROLES.index(role)]
    if role == "anonymous":
        assert response.headers["location"] == "/staff/inloggen"
    elif expected[ROLES.index(role)] == 200:
        assert response.template.name == "plannen/results.html"  # type: ignore[attr-defined]


@pytest.fixture
def answered(demo: None, session: Session) -> int:
    """Twelve online responses and three on paper, all submitted, one not yet submitted."""
    scan = scan_id(session)
    answers = {
        "wonen.tevredenheid": ["4"],
        "wonen.helpen": ["ja"],
        "prioriteiten.top3": ["wonen", "veiligheid", "leefomgeving"],
        "over-u.leeftijd": ["27-40"],
    }
    make_responses(session, scan, 12, started_at=STARTED, submitted_at=SUBMITTED, answers=answers)
    paper = {**answers, "wonen.tevredenheid": ["2"], "over-u.leeftijd": ["66-75"]}
    make_responses(
        session, scan, 3, started_at=STARTED, submitted_at=SUBMITTED, channel="paper", answers=paper
    )
    make_responses(session, scan, 1, started_at=STARTED, answers={"wonen.tevredenheid": ["1"]})
    return scan


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("role", "exact"), [("partner", False), ("facilitator", False), ("beheerder", True)]
)
def test_small_numbers_are_hidden_for_every_role_but_beheerder(
    client: TestClient, session: Session, answered: int, role: str, exact: bool, htmx: bool
) -> None:
    log_in(client, make_user(session, role=role))
    response = client.get(url(answered), headers=HTMX if htmx else {})
    assert response.status_code == 200
    results: Results = response.context["results"]  # type: ignore[attr-defined]
    assert results.exact is exact
    assert results.submitted.count == 15  # the unsubmitted response does not count
    wonen = next(r for r in results.pijlers if r.pijler.key == "wonen")
    assert wonen.rank == 1
    assert wonen.satisfaction is not None
    options = {o.value: o.figure.count for o in wonen.satisfaction.options}
    channels = {row.key: row.size.count for row in results.by_channel.groups}
    wonen_column = [p.key for p in results.by_channel.pijlers].index("wonen")
    paper_mean = next(g for g in results.by_channel.groups if g.key == "paper").means[wonen_column]
    if exact:
        assert options == {"1": 0, "2": 3, "3": 0, "4": 12, "5": 0}
        assert wonen.satisfaction.mean == 3.6  # (12 * 4 + 3 * 2) / 15
        assert channels["paper"] == 3
        assert paper_mean.mean == 2.0
        assert paper_mean.small
        assert 'class="small-number"' in response.text
        assert "results-by-channel" in response.text
    else:
        # "2" (3) is small; its complement is the smallest other cell with answers ("4"):
        # a zero would protect nothing
        assert options["2"] is None
        assert options["4"] is None
        assert options["1"] == 0
        assert wonen.satisfaction.mean == 3.6  # built from 15 answers: shown
        assert channels["paper"] is None
        assert paper_mean.mean is None
        assert 'class="suppressed"' in response.text
        assert 'class="small-number"' not in response.text


def test_an_empty_scan_shows_no_figures_and_no_errors(
    client: TestClient, session: Session, demo: None
) -> None:
    log_in(client, make_user(session, role="partner"))
    response = client.get(url(scan_id(session)))
    assert response.status_code == 200
    results: Results = response.context["results"]  # type: ignore[attr-defined]
    assert results.submitted.count == 0
    assert all(r.rank is None and r.rank_score is None for r in results.pijlers)
    assert [r.pijler.number for r in results.pijlers] == [1, 2, 3, 4, 5, 6, 7]


def test_tables_have_captions_and_header_scopes(
    client: TestClient, session: Session, answered: int
) -> None:
    log_in(client, make_user(session, role="facilitator"))
    text = client.get(url(answered)).text
    tables = text.count("<table")
    assert tables >= 6  # totals, channels, languages, priorities, two breakdowns (+ charts)
    assert text.count("<caption") == tables
    assert 'scope="row"' in text
    assert 'scope="col"' in text
    assert 'id="results-by-age"' in text
    assert 'id="results-wonen-satisfaction"' in text or 'id="results-wonen-satisfaction' in text


@pytest.mark.parametrize("role", ["facilitator", "beheerder"])
def test_publishing_toggles_and_is_audited(
    client: TestClient, session: Session, demo: None, role: str
) -> None:
    user = make_user(session, role=role)
    log_in(client, user)
    scan = scan_id(session)
    response = post(client, publish_url(scan), {"public": "1"})
    assert response.status_code == 303
    assert response.headers["location"].startswith(url(scan))
    session.rollback()
    assert session.get(Scan, scan).results_public is True  # type: ignore[union-attr]
    page = client.get(url(scan))
    assert page.context["scan"].results_public is True  # type: ignore[attr-defined]
    assert post(client, publish_url(scan), {"public": "0"}).status_code == 303
    session.rollback()
    assert session.get(Scan, scan).results_public is False  # type: ignore[union-attr]
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.action == "results.publish")
        .order_by(col(AuditEntry.id))
    ).all()
    assert [(e.user_id, e.target_id, e.detail) for e in entries] == [
        (user.id, str(scan), {"public": True}),
        (user.id, str(scan), {"public": False}),
    ]


def test_a_partner_cannot_publish(client: TestClient, session: Session, demo: None) -> None:
    log_in(client, make_user(session, role="partner"))
    scan = scan_id(session)
    assert post(client, publish_url(scan), {"public": "1"}).status_code == 403
    session.rollback()
    assert session.get(Scan, scan).results_public is False  # type: ignore[union-attr]
    page = client.get(url(scan))
    assert page.context["can_publish"] is False  # type: ignore[attr-defined]
    assert 'id="results-publish-form"' not in page.text


def test_publishing_needs_a_choice(client: TestClient, session: Session, demo: None) -> None:
    log_in(client, make_user(session, role="facilitator"))
    scan = scan_id(session)
    response = post(client, publish_url(scan), {"public": "maybe"})
    assert response.status_code == 422
    assert response.context["publish_error"]  # type: ignore[attr-defined]
    assert 'id="results-publish-error"' in response.text
    assert post(client, publish_url(999999), {"public": "1"}).status_code == 404
