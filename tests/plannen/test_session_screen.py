"""The ontwerpsessie screen: roles, always-suppressed figures, priority order, slides, htmx."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.plannen.models import Remark, Theme
from app.plannen.schemas import PijlerView
from app.programme.models import Pijler
from app.scan.models import Answer, Question
from tests.monitoring.factories import make_responses, scan_id
from tests.staff.helpers import log_in, make_user

HTMX = {"HX-Request": "true"}
STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SUBMITTED = STARTED + timedelta(minutes=20)
ROLES = ["anonymous", "partner", "facilitator", "beheerder"]
PRIORITIES = ["veiligheid", "wonen", "kunst-cultuur"]


def url(scan: int | str, stap: int | str | None = None) -> str:
    return f"/staff/scans/{scan}/ontwerpsessie" + (f"?stap={stap}" if stap is not None else "")


def submitted(session: Session, scan: int, count: int, satisfaction: str = "4") -> list[uuid.UUID]:
    """Responses that rank veiligheid, wonen, kunst-cultuur, rate every pijler, want to help."""
    pijlers = session.exec(select(Pijler.key)).all()
    answers = {f"{key}.tevredenheid": [satisfaction] for key in pijlers}
    answers |= {f"{key}.helpen": ["ja"] for key in pijlers}
    answers["prioriteiten.top3"] = PRIORITIES
    return make_responses(
        session, scan, count, started_at=STARTED, submitted_at=SUBMITTED, answers=answers
    )


def add_text(
    session: Session, scan: int, response: uuid.UUID, key: str, text: str, *, position: int = 0
) -> int:
    """A free-text answer (knelpunt or idee) of a response; returns the answer's id."""
    question = session.exec(
        select(Question.id).where(Question.scan_id == scan, Question.key == key)
    ).first()
    assert question is not None
    answer = Answer(
        response_id=response, question_id=question, position=position, text=text, language="nl"
    )
    session.add(answer)
    session.commit()
    assert answer.id is not None
    return answer.id


def pijler_id(session: Session, key: str) -> int:
    found = session.exec(select(Pijler.id).where(Pijler.key == key)).first()
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("scan", "expected"),
    [("planetenbuurt", [303, 200, 200, 200]), ("999999", [303, 404, 404, 404])],
)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("htmx", [False, True])
def test_who_may_open_the_screen(
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
    elif response.status_code == 200:
        assert response.template.name == "plannen/session.html"  # type: ignore[attr-defined]


@pytest.mark.parametrize("stap", [None, 1])
def test_a_beheerder_sees_suppressed_figures_too(
    client: TestClient, session: Session, demo: None, stap: int | None
) -> None:
    scan = scan_id(session)
    submitted(session, scan, 4)
    log_in(client, make_user(session, role="beheerder"))
    response = client.get(url(scan, stap))
    assert response.status_code == 200
    results = response.context["results"]  # type: ignore[attr-defined]
    assert results.exact is False
    assert results.submitted.count is None
    slides: list[PijlerView] = response.context["slides"]  # type: ignore[attr-defined]
    assert all(view.mean is None and view.result.helpers.count is None for view in slides)
    assert 'class="session-too-few"' in response.text


def test_five_responses_show_their_figures(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    submitted(session, scan, 5)
    log_in(client, make_user(session, role="facilitator"))
    response = client.get(url(scan, 1))
    slide: PijlerView = response.context["slide"]  # type: ignore[attr-defined]
    assert response.context["results"].submitted.count == 5  # type: ignore[attr-defined]
    assert slide.result.pijler.key == "veiligheid"
    assert slide.mean is not None
    assert slide.mean.startswith("4")


def test_pijlers_follow_the_residents_priority_order(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    submitted(session, scan, 6)
    log_in(client, make_user(session, role="partner"))
    response = client.get(url(scan))
    slides: list[PijlerView] = response.context["slides"]  # type: ignore[attr-defined]
    keys = [view.result.pijler.key for view in slides]
    assert keys[:3] == PRIORITIES
    assert [view.result.rank for view in slides[:3]] == [1, 2, 3]
    positions = [response.text.index(f'data-pijler="{key}"') for key in keys]
    assert positions == sorted(positions)
    for number, key in enumerate(keys, start=1):
        page = client.get(url(scan, number))
        assert page.context["slide"].result.pijler.key == key  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("stap", "status"),
    [(0, 404), (1, 200), (7, 200), (8, 404), (-1, 404), ("abc", 404), ("1.5", 404)],
)
def test_stap_outside_the_pijlers_is_404(
    client: TestClient, session: Session, demo: None, stap: int | str, status: int
) -> None:
    log_in(client, make_user(session, role="facilitator"))
    response = client.get(url(scan_id(session), stap))
    assert response.status_code == status
    if status == 200:
        assert response.context["slide"] is response.context["slides"][int(stap) - 1]  # type: ignore[attr-defined]


def test_the_overview_has_no_slide_and_links_every_pijler(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    log_in(client, make_user(session, role="facilitator"))
    response = client.get(url(scan))
    assert response.context["slide"] is None  # type: ignore[attr-defined]
    for number in range(1, 8):
        assert f'href="{url(scan, number)}"' in response.text
    assert f'href="{url(scan, 1)}" rel="next"' in response.text
    assert 'rel="prev"' not in response.text
    last = client.get(url(scan, 7))
    assert f'href="{url(scan, 6)}" rel="prev"' in last.text
    assert 'rel="next"' not in last.text
    first = client.get(url(scan, 1))
    assert f'href="{url(scan)}" rel="prev"' in first.text


@pytest.mark.parametrize("stap", [None, 2])
def test_htmx_gets_only_the_slide(
    client: TestClient, session: Session, demo: None, stap: int | None
) -> None:
    scan = scan_id(session)
    log_in(client, make_user(session, role="facilitator"))
    page = client.get(url(scan, stap))
    fragment = client.get(url(scan, stap), headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.headers["vary"] == "HX-Request"
    assert fragment.text.lstrip().startswith('<section id="slide"')
    assert "<html" not in fragment.text
    assert "session-nav" not in fragment.text
    assert "<html" in page.text
    assert "session-nav" in page.text
    assert f'hx-get="{url(scan, stap)}"' in fragment.text
    assert 'hx-trigger="every 10s"' in fragment.text
    assert "ontwerpsessie.js" in page.text


def test_a_slide_shows_its_pijlers_biggest_themes_and_visible_quotes(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    responses = submitted(session, scan, 12)
    wonen, veiligheid = pijler_id(session, "wonen"), pijler_id(session, "veiligheid")
    themes = [Theme(scan_id=scan, pijler_id=wonen, name=f"Wonen {n}") for n in range(7)]
    themes.append(Theme(scan_id=scan, pijler_id=veiligheid, name="Verlichting"))
    session.add_all(themes)
    session.commit()
    # Theme n of wonen gets n + 1 remarks: "Wonen 6" is the biggest; 0 and 1 fall off the top 5.
    texts = iter(range(100))
    for n, theme in enumerate(themes[:7]):
        for response in responses[: n + 1]:
            number = next(texts)
            answer = add_text(
                session, scan, response, "wonen.knelpunt", f"tekst {number}", position=number
            )
            session.add(Remark(answer_id=answer, theme_id=theme.id))
    quoted = [
        add_text(session, scan, r, "wonen.idee", f"Citaat {n}") for n, r in enumerate(responses)
    ]
    for n, answer in enumerate(quoted[:5]):
        hidden = SUBMITTED if n == 0 else None
        session.add(Remark(answer_id=answer, is_quote=True, hidden_at=hidden, hidden_reason=None))
    session.commit()
    log_in(client, make_user(session, role="facilitator"))
    response = client.get(url(scan, 2))  # wonen is the residents' second
    slide: PijlerView = response.context["slide"]  # type: ignore[attr-defined]
    assert slide.result.pijler.key == "wonen"
    assert [t.name for t in slide.themes] == ["Wonen 6", "Wonen 5", "Wonen 4", "Wonen 3", "Wonen 2"]
    assert [t.figure.count for t in slide.themes] == [7, 6, 5, None, None]
    assert "Verlichting" not in response.text
    assert [q.text for q in slide.quotes] == ["Citaat 1", "Citaat 2", "Citaat 3"]
    assert "Citaat 0" not in response.text
    assert 'lang="nl"' in response.text
