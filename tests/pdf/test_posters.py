"""Posters: A3 and A4, the scan's title and buurt, a large QR code to the scan's short
address, the closing date, and the invitation in six languages."""

from datetime import date
from typing import Any

import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.i18n import LANGUAGES
from app.pdf import letters, render
from app.pdf.fetcher import StaticFilesOnly
from app.programme.models import Buurt
from app.scan.models import Scan
from app.scan.service import TITLE_LIMIT
from tests.pdf.helpers import metadata, page_texts, plain, qr_codes, reader, render_page
from tests.staff.helpers import log_in, make_user

pytestmark = pytest.mark.usefixtures("demo")
SLUG = "planetenbuurt"
SIZES = {"a3": (842, 1191), "a4": (595, 842)}


def the_scan(session: Session) -> Scan:
    session.rollback()  # ends the snapshot: see what the app wrote
    return session.exec(select(Scan).where(Scan.slug == SLUG)).one()


def poster_path(session: Session, query: str = "") -> str:
    return f"/staff/scans/{the_scan(session).id}/poster.pdf{query}"


def as_role(client: TestClient, session: Session, role: str) -> None:
    if role != "anonymous":
        log_in(client, make_user(session, role=role))


def either_order(text: str, extracted: str) -> bool:
    """Arabic comes out in visual or logical order depending on the reader: accept both."""
    return plain(text) in extracted or plain(text)[::-1] in extracted


@pytest.mark.parametrize("formaat", ["a3", "a4"])
def test_a_poster_is_one_page_of_its_size_with_a_qr_code_to_the_short_address(
    client: TestClient, session: Session, formaat: str
) -> None:
    as_role(client, session, "facilitator")
    response = client.get(poster_path(session, f"?formaat={formaat}"))
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert f'filename="poster-{SLUG}-{formaat}.pdf"' in response.headers["content-disposition"]
    pdf = response.content
    [page] = reader(pdf).pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == SIZES[formaat]
    assert qr_codes(render_page(pdf, 0, scale=1.5)) == [f"http://testserver/s/{SLUG}"]
    assert metadata(pdf)["lang"] == "nl"
    assert metadata(pdf)["tagged"] == "True"

    scan = the_scan(session)
    assert scan.ends_on is not None
    extracted = plain(page_texts(pdf)[0])
    for expected in [
        scan.title["nl"],
        "Planetenbuurt",
        f"testserver/s/{SLUG}",
        format_date(scan.ends_on, format="long", locale="nl"),
        "Zwijndrecht",
    ]:
        assert plain(expected) in extracted, expected
    for code, line in letters.INVITATIONS["poster"].items():
        assert either_order(LANGUAGES[code].name, extracted), code
        words = line.split()[:3]
        assert all(either_order(word, extracted) for word in words), line


def test_a_poster_is_a3_when_no_size_is_asked(client: TestClient, session: Session) -> None:
    as_role(client, session, "facilitator")
    response = client.get(poster_path(session))
    assert response.status_code == 200
    [page] = reader(response.content).pages
    assert round(float(page.mediabox.height)) == SIZES["a3"][1]


@pytest.mark.parametrize("formaat", ["a5", "", "A4x", "<script>", "a" * 5000])
def test_an_unknown_size_is_a_422_page(client: TestClient, session: Session, formaat: str) -> None:
    as_role(client, session, "facilitator")
    response = client.get(poster_path(session), params={"formaat": formaat})
    assert response.status_code == 422
    assert response.template.name == "errors/error.html"  # type: ignore[attr-defined]


@pytest.mark.parametrize("scan_id", ["999999", "0", "-3", "99999999999999999999"])
def test_the_poster_of_an_unknown_scan_is_404(
    client: TestClient, session: Session, scan_id: str
) -> None:
    as_role(client, session, "facilitator")
    assert client.get(f"/staff/scans/{scan_id}/poster.pdf?formaat=a4").status_code == 404


ROLES = ["anonymous", "partner", "facilitator", "beheerder"]


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, [303, 200, 200, 200], strict=True)))
def test_everyone_who_may_see_the_scan_gets_its_poster(
    client: TestClient, session: Session, role: str, expected: int
) -> None:
    as_role(client, session, role)
    response = client.get(poster_path(session, "?formaat=a4"))
    assert response.status_code == expected
    if expected == 303:
        assert response.headers["location"] == "/staff/inloggen"


def test_a_scan_with_codes_says_that_the_letter_has_the_code(
    client: TestClient, session: Session
) -> None:
    scan = the_scan(session)
    scan.access_mode = "codes"
    session.add(scan)
    session.commit()
    as_role(client, session, "facilitator")
    response = client.get(poster_path(session, "?formaat=a4"))
    html = render.render_html("pdf/poster.html", poster_context(access_mode="codes"), language="nl")
    assert 'class="poster-code"' in html
    assert response.status_code == 200
    assert len(reader(response.content).pages) == 1


# --- the document itself, without the web ---------------------------------------------------


def poster_context(title: str = "Buurtscan Planetenbuurt", **scan: Any) -> dict[str, Any]:
    url = "https://buurtscan.example/s/planetenbuurt"
    return {
        "title": "Planetenbuurt · Buurtscan · A4",
        "formaat": "a4",
        "scan": Scan(
            buurt_id=1,
            slug="planetenbuurt",
            title={"nl": title},
            **{"ends_on": date(2031, 6, 30), "access_mode": "codes", **scan},
        ),
        "buurt": Buurt(name="Planetenbuurt", slug="planetenbuurt"),
        "short_url": letters.short_url(url),
        "qr": letters.qr_svg(url),
        "sender": "Gemeente Zwijndrecht",
        "invitations": letters.invitations("poster"),
    }


@pytest.mark.parametrize("formaat", ["a3", "a4"])
def test_a_poster_fetches_its_stylesheets_and_nothing_else(formaat: str) -> None:
    fetcher = StaticFilesOnly()
    context = {**poster_context(), "formaat": formaat}
    pdf = render.html_to_pdf(render.render_html("pdf/poster.html", context, language="nl"), fetcher)
    assert fetcher.refused == []
    [page] = reader(pdf).pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == SIZES[formaat]


def test_a_hostile_title_is_escaped_and_the_poster_stays_one_page() -> None:
    start = "<script>alert(1)</script> Buurt 🏠 حي السلام "
    title = (start + "Heel lange titel " * 9)[:TITLE_LIMIT]  # as long as a title may be
    fetcher = StaticFilesOnly()
    html = render.render_html("pdf/poster.html", poster_context(title), language="nl")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    pdf = render.html_to_pdf(html, fetcher)
    assert fetcher.refused == []
    [text] = page_texts(pdf)
    assert plain("<script>alert(1)</script> Buurt") in plain(text)
    assert either_order("حي السلام", plain(text))
    assert "30juni2031" in plain(text)  # still on the one page
    assert qr_codes(render_page(pdf, 0, scale=1.5)) == ["https://buurtscan.example/s/planetenbuurt"]
