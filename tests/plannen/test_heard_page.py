"""The public "wat we hoorden" page: published or not, small numbers, hidden remarks, language."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.plannen.models import Remark, Theme
from app.plannen.schemas import PijlerView
from app.programme.models import Pijler
from app.scan.models import Answer, Question, Scan
from tests.monitoring.factories import make_responses
from tests.staff.helpers import log_in, make_user

HTMX = {"HX-Request": "true"}
STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SUBMITTED = STARTED + timedelta(minutes=20)
URL = "/s/planetenbuurt/wat-we-hoorden"


def set_scan(session: Session, **values: object) -> int:
    scan = session.exec(select(Scan).where(Scan.slug == "planetenbuurt")).one()
    for name, value in values.items():
        setattr(scan, name, value)
    session.add(scan)
    session.commit()
    assert scan.id is not None
    return scan.id


def submitted(session: Session, scan: int, count: int) -> list[uuid.UUID]:
    """Responses that rate wonen 4 and want to help with it."""
    answers = {"wonen.tevredenheid": ["4"], "wonen.helpen": ["ja"]}
    return make_responses(
        session, scan, count, started_at=STARTED, submitted_at=SUBMITTED, answers=answers
    )


def add_text(
    session: Session, scan: int, response: uuid.UUID, text: str, *, language: str = "nl"
) -> int:
    """A wonen knelpunt of a response; returns the answer's id."""
    question = session.exec(
        select(Question.id).where(Question.scan_id == scan, Question.key == "wonen.knelpunt")
    ).one()
    answer = Answer(response_id=response, question_id=question, text=text, language=language)
    session.add(answer)
    session.commit()
    assert answer.id is not None
    return answer.id


def wonen(response: object) -> PijlerView:
    views: list[PijlerView] = response.context["pijlers"]  # type: ignore[attr-defined]
    return next(view for view in views if view.result.pijler.key == "wonen")


def test_unknown_scan_is_404(client: TestClient, demo: None) -> None:
    response = client.get("/s/bestaat-niet/wat-we-hoorden")
    assert response.status_code == 404


def test_a_draft_scan_is_404_even_when_public(
    client: TestClient, session: Session, demo: None
) -> None:
    set_scan(session, status="draft", results_public=True)
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("status", ["open", "closed"])
def test_unpublished_results_are_a_friendly_page_without_figures(
    client: TestClient, session: Session, demo: None, status: str
) -> None:
    scan = set_scan(session, status=status)
    responses = submitted(session, scan, 6)
    quote = add_text(session, scan, responses[0], "Een citaat dat nog niet openbaar is")
    session.add(Remark(answer_id=quote, is_quote=True))
    session.commit()
    response = client.get(URL)
    assert response.status_code == 200
    assert response.template.name == "plannen/heard.html"  # type: ignore[attr-defined]
    assert response.context["published"] is False  # type: ignore[attr-defined]
    assert "results" not in response.context  # type: ignore[attr-defined]
    assert "Een citaat" not in response.text
    fill_in = 'href="/s/planetenbuurt"'
    assert (fill_in in response.text) is (status == "open")


@pytest.mark.parametrize("status", ["open", "closed"])
def test_published_results_stay_public_after_the_scan_closes(
    client: TestClient, session: Session, demo: None, status: str
) -> None:
    scan = set_scan(session, status=status, results_public=True)
    submitted(session, scan, 5)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["published"] is True  # type: ignore[attr-defined]
    assert response.context["results"].submitted.count == 5  # type: ignore[attr-defined]


@pytest.mark.parametrize(("count", "shown"), [(4, False), (5, True)])
def test_small_numbers_are_suppressed(
    client: TestClient, session: Session, demo: None, count: int, shown: bool
) -> None:
    scan = set_scan(session, results_public=True)
    submitted(session, scan, count)
    response = client.get(URL)
    results = response.context["results"]  # type: ignore[attr-defined]
    view = wonen(response)
    assert results.exact is False
    if shown:
        assert results.submitted.count == 5
        assert view.result.helpers.count == 5
        assert view.mean is not None
        assert view.mean.startswith("4")
        assert 'class="heard-too-few"' not in response.text.split('id="heard-topics"')[0]
    else:
        assert results.submitted.count is None
        assert view.result.helpers.count is None
        assert view.mean is None
        assert 'class="heard-too-few"' in response.text
        assert ">4<" not in response.text


def test_a_logged_in_beheerder_sees_the_public_figures(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = set_scan(session, results_public=True)
    submitted(session, scan, 3)
    log_in(client, make_user(session, role="beheerder"))
    response = client.get(URL)
    assert response.context["results"].exact is False  # type: ignore[attr-defined]
    assert response.context["results"].submitted.count is None  # type: ignore[attr-defined]


def test_only_submitted_responses_count(client: TestClient, session: Session, demo: None) -> None:
    scan = set_scan(session, results_public=True)
    submitted(session, scan, 6)
    make_responses(session, scan, 4, started_at=STARTED, answers={"wonen.helpen": ["ja"]})
    response = client.get(URL)
    assert response.context["results"].submitted.count == 6  # type: ignore[attr-defined]
    assert wonen(response).result.helpers.count == 6


def test_hidden_remarks_never_show_even_when_quoted_before_hiding(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = set_scan(session, results_public=True)
    responses = submitted(session, scan, 6)
    wonen_id = session.exec(select(Pijler.id).where(Pijler.key == "wonen")).one()
    theme = Theme(scan_id=scan, pijler_id=wonen_id, name="Schimmel")
    session.add(theme)
    session.commit()
    visible = add_text(session, scan, responses[0], "Zichtbaar citaat over schimmel")
    hidden = add_text(session, scan, responses[1], "Jan de Vries op nummer 12 is de schuld")
    session.add(Remark(answer_id=visible, is_quote=True, theme_id=theme.id))
    session.add(
        Remark(
            answer_id=hidden,
            is_quote=True,
            theme_id=theme.id,
            hidden_at=SUBMITTED,
            hidden_reason="naam genoemd",
        )
    )
    session.commit()
    for page in (client.get(URL), client.get(URL, headers=HTMX)):
        assert "Zichtbaar citaat over schimmel" in page.text
        assert "Jan de Vries" not in page.text
        assert "naam genoemd" not in page.text
    view = wonen(client.get(URL))
    assert [q.answer_id for q in view.quotes] == [visible]
    assert [(t.name, t.figure.count) for t in view.themes] == [("Schimmel", None)]


def test_quotes_are_escaped_and_carry_their_language(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = set_scan(session, results_public=True)
    responses = submitted(session, scan, 5)
    answer = add_text(
        session, scan, responses[0], "<script>alert('x')</script> مرحبا", language="ar"
    )
    session.add(Remark(answer_id=answer, is_quote=True))
    session.commit()
    response = client.get(URL)
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; مرحبا" in response.text
    assert '<blockquote class="heard-quote" dir="auto" lang="ar">' in response.text


def test_theme_names_are_marked_dutch(client: TestClient, session: Session, demo: None) -> None:
    scan = set_scan(session, results_public=True)
    responses = submitted(session, scan, 5)
    wonen_id = session.exec(select(Pijler.id).where(Pijler.key == "wonen")).one()
    theme = Theme(scan_id=scan, pijler_id=wonen_id, name="Tocht & <kou>")
    session.add(theme)
    session.commit()
    for response in responses:
        session.add(Remark(answer_id=add_text(session, scan, response, "koud"), theme_id=theme.id))
    session.commit()
    response = client.get(URL)
    assert [(t.name, t.figure.count) for t in wonen(response).themes] == [("Tocht & <kou>", 5)]
    assert '<span lang="nl" dir="auto">Tocht &amp; &lt;kou&gt;</span>' in response.text


@pytest.mark.parametrize("published", [False, True])
def test_arabic_reads_right_to_left(
    client: TestClient, session: Session, demo: None, published: bool
) -> None:
    set_scan(session, results_public=published)
    client.cookies.set("lang", "ar")
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["language"].code == "ar"  # type: ignore[attr-defined]
    assert '<html lang="ar" dir="rtl">' in response.text


def test_the_thank_you_page_links_here(client: TestClient, demo: None) -> None:
    response = client.get("/s/planetenbuurt/bedankt")
    assert response.status_code == 200
    assert f'href="{URL}"' in response.text
