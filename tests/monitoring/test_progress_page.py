"""The progress page: who may see it, small numbers per role, the htmx refresh, and its speed."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.monitoring.aggregation import Progress
from tests.monitoring.factories import make_responses, scan_id
from tests.staff.helpers import log_in, make_user

HTMX = {"HX-Request": "true"}
STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ROLES = ["anonymous", "partner", "facilitator", "beheerder"]


def url(scan: int | str) -> str:
    return f"/staff/scans/{scan}/voortgang"


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


@pytest.fixture
def small_and_large(demo: None, session: Session) -> int:
    """Twelve online responses and three on paper, all submitted."""
    scan = scan_id(session)
    submitted = STARTED + timedelta(minutes=20)
    make_responses(session, scan, 12, started_at=STARTED, submitted_at=submitted)
    make_responses(session, scan, 3, started_at=STARTED, submitted_at=submitted, channel="paper")
    return scan


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("role", "exact"), [("partner", False), ("facilitator", False), ("beheerder", True)]
)
def test_small_numbers_are_hidden_for_every_role_but_beheerder(
    client: TestClient,
    session: Session,
    small_and_large: int,
    role: str,
    exact: bool,
    htmx: bool,
) -> None:
    log_in(client, make_user(session, role=role))
    response = client.get(url(small_and_large), headers=HTMX if htmx else {})
    assert response.status_code == 200
    assert response.template.name == "staff/progress.html"  # type: ignore[attr-defined]
    progress: Progress = response.context["progress"]  # type: ignore[attr-defined]
    assert progress.exact is exact
    assert progress.totals.started.count == 15
    channels = {row.key: row for row in progress.channels}
    if exact:
        assert channels["paper"].started.count == 3
        assert channels["paper"].started.small
        assert channels["conversation"].started.count == 0
        assert not channels["conversation"].started.small
        assert channels["online"].started.count == 12
        assert 'class="small-number"' in response.text
        assert 'class="suppressed"' not in response.text
    else:
        # paper (3) is small; online (12) is hidden with it, or paper would be 15 - 12 - 0:
        # a zero (conversation) protects nothing
        assert channels["paper"].started.count is None
        assert channels["conversation"].started.count == 0
        assert channels["online"].started.count is None
        assert channels["paper"].completion is None
        assert 'class="suppressed"' in response.text
        assert 'class="small-number"' not in response.text


def test_htmx_gets_only_the_figures_block(
    client: TestClient, session: Session, small_and_large: int
) -> None:
    log_in(client, make_user(session, role="partner"))
    page = client.get(url(small_and_large))
    fragment = client.get(url(small_and_large), headers=HTMX)
    assert "<html" in page.text
    assert 'id="progress-figures"' in page.text
    assert 'hx-trigger="every 30s"' in page.text
    assert f'hx-get="{url(small_and_large)}"' in page.text
    assert f'id="progress-refresh" class="link-action" href="{url(small_and_large)}"' in page.text
    assert "<html" not in fragment.text
    assert "staff-nav" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="progress-figures"')
    assert 'hx-trigger="every 30s"' in fragment.text  # the block keeps polling
    assert 'id="progress-funnel"' in fragment.text
    assert "HX-Request" in page.headers["vary"]
    assert "HX-Request" in fragment.headers["vary"]


def test_tables_have_captions_and_header_scopes(
    client: TestClient, session: Session, small_and_large: int
) -> None:
    log_in(client, make_user(session, role="facilitator"))
    text = client.get(url(small_and_large)).text
    tables = text.count("<table")
    assert tables >= 9  # totals, days, channels, languages, funnel, four "over u" questions
    assert text.count("<caption") == tables
    assert 'scope="row"' in text
    assert 'scope="col"' in text


def test_ten_thousand_submitted_responses(client: TestClient, session: Session, demo: None) -> None:
    scan = scan_id(session)
    began = time.perf_counter()
    for day in range(10):
        make_responses(
            session,
            scan,
            1000,
            started_at=STARTED + timedelta(days=day),
            submitted_at=STARTED + timedelta(days=day, minutes=25),
            channel=("online", "paper")[day % 2],
            language=("nl", "tr", "ar")[day % 3],
            answers={
                "over-u.leeftijd": [("27-40", "41-65")[day % 2]],
                "over-u.kinderen": ["ja"],
                "over-u.meedoen": ["meedenken", "meedoen"],
            },
        )
    setup = time.perf_counter() - began
    log_in(client, make_user(session, role="facilitator"))
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        response = client.get(url(scan), headers=HTMX)
        timings.append(time.perf_counter() - began)
        assert response.status_code == 200
    progress: Progress = response.context["progress"]  # type: ignore[attr-defined]
    assert progress.totals.submitted.count == 10_000
    assert len(progress.days) == 10
    print(  # a figure to read, not a timed assertion (DESIGN.md §10)
        f"\nprogress page, 10,000 submitted responses: setup {setup:.2f} s, "
        f"requests {', '.join(f'{t * 1000:.0f} ms' for t in timings)}"
    )
