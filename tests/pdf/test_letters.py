"""Code letters: one A4 page per code, issued from the scan's and the vote round's code pages.

Each page carries its code (and only the pages do), a QR code that decodes to the code page
with the code after ``#``, and the other languages' lines; the database keeps keyed hashes."""

import json
import re
from datetime import date
from typing import Any

import httpx
import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient
from sqlalchemy import select as select_all
from sqlmodel import Session, select

from app.db import metadata
from app.i18n import LANGUAGES
from app.pdf import letters, render
from app.pdf.fetcher import StaticFilesOnly
from app.plannen.models import VoteCode
from app.plannen.vote_service import hash_vote_code
from app.programme.models import Buurt, Partner
from app.scan import codes
from app.scan.models import AccessCode, Scan
from app.scan.service import TITLE_LIMIT
from app.staff.models import AuditEntry
from tests.conftest import SECRET
from tests.pdf.helpers import metadata as pdf_metadata
from tests.pdf.helpers import page_texts, plain, qr_codes, reader, render_page
from tests.plannen.round_factories import make_plan, make_round
from tests.staff.helpers import log_in, make_user, post

pytestmark = pytest.mark.usefixtures("demo")
SLUG = "planetenbuurt"
A4_POINTS = (595, 842)
SHOWN = re.compile(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}")


def the_scan(session: Session) -> Scan:
    session.rollback()  # ends the snapshot: see what the app wrote
    return session.exec(select(Scan).where(Scan.slug == SLUG)).one()


def codes_path(session: Session) -> str:
    """The codes page of Planetenbuurt's scan, whose access is set to 'with codes' here."""
    scan = the_scan(session)
    scan.access_mode = "codes"
    session.add(scan)
    session.commit()
    return f"/staff/scans/{scan.id}/codes"


def as_role(client: TestClient, session: Session, role: str) -> None:
    if role != "anonymous":
        log_in(client, make_user(session, role=role))


def codes_on_pages(pdf: bytes) -> list[str]:
    """The one code printed on each page, read from the page's text."""
    found = []
    for text in page_texts(pdf):
        on_page = SHOWN.findall(plain(text))
        assert len(set(on_page)) == 1, on_page
        found.append(on_page[0])
    return found


def every_stored_text(session: Session) -> str:
    """Every row of every table as text: a plain code must be nowhere in it."""
    session.rollback()
    dump = []
    for table in metadata.sorted_tables:
        rows = session.execute(select_all(table)).all()
        dump.extend(json.dumps([str(v) for v in row]) for row in rows)
    return "\n".join(dump)


def assert_a_pdf_download(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith("attachment;")


def assert_codes_nowhere_but_on_the_pages(pdf: bytes, shown: list[str]) -> None:
    document = reader(pdf)
    info = json.dumps({str(k): str(v) for k, v in (document.metadata or {}).items()})
    bare = [code.replace("-", "") for code in shown]
    assert not any(code in info for code in shown + bare)
    assert document.outline == []  # no bookmarks, so no code in them either
    assert all("/Annots" not in page for page in document.pages)  # no links


def test_a_batch_as_letters_has_one_page_per_code_with_its_code_and_qr_code(
    client: TestClient, session: Session
) -> None:
    as_role(client, session, "facilitator")
    response = post(client, codes_path(session), {"count": "3", "format": "pdf"})
    assert_a_pdf_download(response)
    assert "brieven-planetenbuurt-batch1.pdf" in response.headers["content-disposition"]
    pdf = response.content
    document = reader(pdf)
    assert len(document.pages) == 3
    for page in document.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4_POINTS
    assert pdf_metadata(pdf)["lang"] == "nl"
    assert pdf_metadata(pdf)["tagged"] == "True"

    shown = codes_on_pages(pdf)
    assert len(set(shown)) == 3
    for index, code in enumerate(shown):
        assert qr_codes(render_page(pdf, index, scale=2)) == [
            f"http://testserver/s/{SLUG}/code#{code}"
        ]

    scan = the_scan(session)
    stored = session.exec(select(AccessCode).where(AccessCode.scan_id == scan.id)).all()
    plain_codes = [codes.normalize_code(code) or "" for code in shown]
    assert {row.code_hash for row in stored} == {codes.hash_code(SECRET, c) for c in plain_codes}
    assert all(row.used_on is None and row.exported for row in stored)
    dump = every_stored_text(session)
    assert not any(c in dump or s in dump for c, s in zip(plain_codes, shown, strict=True))
    assert_codes_nowhere_but_on_the_pages(pdf, shown)
    [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "codes.generate")).all()
    assert entry.detail["count"] == 3


def test_a_letter_is_in_dutch_with_a_line_in_each_other_language(
    client: TestClient, session: Session
) -> None:
    as_role(client, session, "facilitator")
    response = post(client, codes_path(session), {"count": "1", "format": "pdf"})
    assert_a_pdf_download(response)
    [text] = page_texts(response.content)
    extracted = plain(text)
    scan = the_scan(session)
    for expected in [scan.title["nl"], "Planetenbuurt", f"testserver/s/{SLUG}/code", "Zwijndrecht"]:
        assert plain(expected) in extracted, expected
    assert scan.ends_on is not None
    assert plain(format_date(scan.ends_on, format="long", locale="nl")) in extracted
    for code, line in letters.INVITATIONS["scan"].items():
        # Arabic comes out in visual or logical order depending on the reader: accept both.
        words = [plain(word) for word in line.split()[:3]]
        if code == "ar":
            assert all(w in extracted or w[::-1] in extracted for w in words), line
        else:
            assert plain(" ".join(line.split()[:3])) in extracted, line
        assert (
            plain(LANGUAGES[code].name) in extracted
            or plain(LANGUAGES[code].name)[::-1] in extracted
        )


def test_the_other_languages_lines_carry_their_language_and_direction() -> None:
    html = render.render_html("pdf/letter.html", letter_context(), language="nl")
    assert '<html lang="nl" dir="ltr">' in html
    assert '<p lang="ar" dir="rtl">' in html
    for code in ("en", "tr", "pl", "uk"):
        assert f'<p lang="{code}" dir="ltr">' in html


def test_more_letters_than_the_limit_are_refused_and_no_code_is_issued(
    client: TestClient, session: Session
) -> None:
    as_role(client, session, "facilitator")
    response = post(client, codes_path(session), {"count": "501", "format": "pdf"})
    assert response.status_code == 422
    assert response.template.name == "staff/codes.html"  # type: ignore[attr-defined]
    context = response.context  # type: ignore[attr-defined]
    assert "500" in context["error"]  # letters.MAX_LETTERS
    assert context["output"] == "pdf"
    assert 'aria-invalid="true"' in response.text
    assert 'name="format" value="pdf" checked' in response.text
    assert session.exec(select(AccessCode)).all() == []
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "codes.generate")).all() == []


def test_a_batch_without_a_format_is_still_the_csv(client: TestClient, session: Session) -> None:
    as_role(client, session, "facilitator")
    response = post(client, codes_path(session), {"count": "2"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")


def test_vote_codes_as_letters_open_the_vote_with_the_code_after_the_hash(
    client: TestClient, session: Session
) -> None:
    plan, _ = make_plan(session)
    vote_round = make_round(session, plan, status="draft", closes_on=date(2031, 5, 1))
    as_role(client, session, "facilitator")
    response = post(
        client, f"/staff/stemrondes/{vote_round.id}/codes", {"count": "2", "format": "pdf"}
    )
    assert_a_pdf_download(response)
    pdf = response.content
    assert len(reader(pdf).pages) == 2
    shown = codes_on_pages(pdf)
    for index, code in enumerate(shown):
        assert qr_codes(render_page(pdf, index, scale=2)) == [
            f"http://testserver/s/{SLUG}/stemmen#{code}"
        ]
        assert "1mei2031" in plain(page_texts(pdf)[index])
    session.rollback()
    stored = session.exec(select(VoteCode)).all()
    plain_codes = [codes.normalize_code(code) or "" for code in shown]
    assert {row.code_hash for row in stored} == {hash_vote_code(SECRET, c) for c in plain_codes}
    assert all(row.used_on is None for row in stored)
    dump = every_stored_text(session)
    assert not any(c in dump or s in dump for c, s in zip(plain_codes, shown, strict=True))
    assert_codes_nowhere_but_on_the_pages(pdf, shown)


def test_more_vote_letters_than_the_limit_are_refused_and_no_code_is_issued(
    client: TestClient, session: Session
) -> None:
    plan, _ = make_plan(session)
    vote_round = make_round(session, plan, status="draft")
    as_role(client, session, "facilitator")
    path = f"/staff/stemrondes/{vote_round.id}/codes"
    response = post(client, path, {"count": str(letters.MAX_LETTERS + 1), "format": "pdf"})
    assert response.status_code == 422
    assert response.template.name == "plannen/round_codes.html"  # type: ignore[attr-defined]
    assert response.context["error"]  # type: ignore[attr-defined]
    session.rollback()
    assert session.exec(select(VoteCode)).all() == []


ROLES = ["anonymous", "partner", "facilitator", "beheerder"]


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, [303, 403, 200, 200], strict=True)))
def test_only_code_managers_get_letters(
    client: TestClient, session: Session, role: str, expected: int
) -> None:
    as_role(client, session, role)
    response = post(client, codes_path(session), {"count": "1", "format": "pdf"})
    assert response.status_code == expected
    if expected == 303:
        assert response.headers["location"] == "/staff/inloggen"
    session.rollback()
    assert len(session.exec(select(AccessCode)).all()) == (1 if expected == 200 else 0)


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 303), ("partner", 403)])
def test_only_vote_managers_get_vote_letters(
    client: TestClient, session: Session, role: str, expected: int
) -> None:
    plan, _ = make_plan(session)
    vote_round = make_round(session, plan, status="draft")
    as_role(client, session, role)
    path = f"/staff/stemrondes/{vote_round.id}/codes"
    assert post(client, path, {"count": "1", "format": "pdf"}).status_code == expected
    session.rollback()
    assert session.exec(select(VoteCode)).all() == []


# --- the document itself, without the web ---------------------------------------------------


def letter_context(title: str = "Buurtscan Planetenbuurt", count: int = 1) -> dict[str, Any]:
    url = "https://buurtscan.example/s/planetenbuurt/code"
    shown = [codes.format_code(codes.new_code()) for _ in range(count)]
    return {
        "title": "Planetenbuurt · Buurtscan",
        "kind": "scan",
        "document_title": {"nl": title},
        "buurt": Buurt(name="Planetenbuurt", slug="planetenbuurt"),
        "short_url": letters.short_url(url),
        "closes_on": date(2031, 6, 30),
        "sender": "Gemeente Zwijndrecht",
        "partners": ["Diverz", "Trivire"],
        "invitations": letters.invitations("scan"),
        "letters": [letters.Letter(code, letters.qr_svg(f"{url}#{code}")) for code in shown],
    }


class RecordingFetcher(StaticFilesOnly):
    """The app's fetcher, also noting what it served."""

    def __init__(self) -> None:
        super().__init__()
        self.served: list[str] = []

    def fetch(self, url: str, headers: object = None) -> Any:
        response = super().fetch(url, headers)
        self.served.append(url)
        return response


def test_a_letter_fetches_its_stylesheets_and_nothing_else() -> None:
    fetcher = RecordingFetcher()
    html = render.render_html("pdf/letter.html", letter_context(count=2), language="nl")
    pdf = render.html_to_pdf(html, fetcher)
    assert fetcher.refused == []
    assert {url.rsplit("/", 1)[-1] for url in fetcher.served} == {"print.css", "print-letter.css"}
    assert len(reader(pdf).pages) == 2


def test_a_hostile_title_is_escaped_and_the_letter_stays_one_page() -> None:
    start = "<script>alert(1)</script> Buurt 🏠 حي السلام "
    title = (start + "Heel lange titel " * 9)[:TITLE_LIMIT]  # as long as a title may be
    html = render.render_html("pdf/letter.html", letter_context(title), language="nl")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    pdf = render.html_to_pdf(html)
    [text] = page_texts(pdf)
    assert plain("<script>alert(1)</script>") in plain(text)
    assert plain("حي السلام") in plain(text) or plain("حي السلام")[::-1] in plain(text)


def test_the_senders_are_the_gemeente_first_then_the_partners() -> None:
    partners = [
        Partner(name="Diverz", slug="diverz", kind="welzijn"),
        Partner(name="Gemeente Zwijndrecht", slug="gemeente", kind="gemeente"),
        Partner(name="Trivire", slug="trivire", kind="woningcorporatie"),
    ]
    assert letters.senders("Zwijndrecht", partners) == (
        "Gemeente Zwijndrecht",
        ["Diverz", "Trivire"],
    )
    assert letters.senders("Dordrecht", []) == ("Gemeente Dordrecht", [])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://buurtscan.example/s/kloosstraat/code", "buurtscan.example/s/kloosstraat/code"),
        ("http://testserver/s/kloosstraat/", "testserver/s/kloosstraat"),
        ("https://buurtscan.example/s/x/stemmen#ABCD-EFGH-JKMN", "buurtscan.example/s/x/stemmen"),
    ],
)
def test_the_short_address_to_type(url: str, expected: str) -> None:
    assert letters.short_url(url) == expected


def test_no_more_letters_than_the_limit_in_one_pdf() -> None:
    with pytest.raises(ValueError, match=f"not {letters.MAX_LETTERS + 1}"):
        letters.letters_pdf(
            kind="scan",
            title={},
            buurt=Buurt(name="X", slug="x"),
            url="https://buurtscan.example/s/x/code",
            closes_on=None,
            partners=[],
            shown_codes=["ABCD-EFGH-JKMN"] * (letters.MAX_LETTERS + 1),
        )
