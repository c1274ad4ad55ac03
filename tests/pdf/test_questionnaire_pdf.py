"""The paper questionnaire: the online questions, keys and order on A4 in every language, a
QR code to the scan, a box for the code in code mode, downloadable by those who see the scan."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import i18n
from app.pdf import questionnaire
from app.pdf.fetcher import StaticFilesOnly
from app.programme.models import Buurt
from app.scan import queries, rules
from app.scan.models import Question, Scan
from tests.pdf.helpers import metadata, page_texts, plain, qr_codes, reader, render_page
from tests.staff.helpers import log_in, make_user

pytestmark = pytest.mark.usefixtures("demo")
SLUG = "kloosstraat"
BASE = "http://testserver/"  # the test client's base URL


def the_scan(session: Session) -> tuple[Scan, Buurt]:
    session.rollback()  # ends the snapshot: see what the app wrote
    scan = session.exec(select(Scan).where(Scan.slug == SLUG)).one()
    found = queries.scan_with_buurt_by_id(session, scan.id or 0)
    assert found is not None
    return found


def pdf_url(scan: Scan, language: str | None = None) -> str:
    query = f"?taal={language}" if language else ""
    return f"/staff/scans/{scan.id}/papier.pdf{query}"


def logged_in(client: TestClient, session: Session, role: str = "facilitator") -> TestClient:
    log_in(client, make_user(session, role=role))
    return client


def download(client: TestClient, scan: Scan, language: str) -> bytes:
    response = client.get(pdf_url(scan, language))
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "no-store"
    return response.content


def letters(text: str) -> str:
    """Letters and digits only: Arabic punctuation moves about in extracted text."""
    return "".join(ch for ch in plain(text) if ch.isalnum())


def found(text: str, extracted: str) -> bool:
    """In logical or in visual (reversed) order, as readers of Arabic differ."""
    wanted = letters(text)
    return wanted in extracted or wanted[::-1] in extracted


def assert_in_order(keys: list[str], text: str) -> None:
    position = 0
    for key in keys:
        found_at = text.find(key, position)
        assert found_at >= 0, f"{key} missing or out of order"
        position = found_at + len(key)


def online_order(session: Session, scan: Scan) -> list[Question]:
    """The questions as a resident meets them online: page by page in step order."""
    questions = queries.questions(session, scan.id or 0)
    pages = [step.key for step in rules.steps([q.page for q in questions])]
    return sorted(questions, key=lambda q: (pages.index(q.page), q.position))


def test_the_dutch_form_has_every_question_in_the_online_order(
    client: TestClient, session: Session
) -> None:
    scan, _buurt = the_scan(session)
    pdf = download(logged_in(client, session), scan, "nl")
    texts = page_texts(pdf)
    assert 10 <= len(texts) <= 30
    questions = online_order(session, scan)
    everything = plain("".join(texts))
    assert_in_order([q.key for q in questions], everything)
    for question in questions:
        assert plain(question.texts["nl"]["text"]) in everything, question.key
    info = metadata(pdf)
    assert (info["lang"], info["tagged"]) == ("nl", "True")
    assert plain(scan.title["nl"]) in plain(info["title"])
    size = reader(pdf).pages[0].mediabox
    assert (round(float(size.width)), round(float(size.height))) == (595, 842)


def test_the_first_page_has_a_qr_code_to_the_scan_and_no_code_box_in_open_mode(
    client: TestClient, session: Session
) -> None:
    scan, _buurt = the_scan(session)
    pdf = download(logged_in(client, session), scan, "nl")
    assert qr_codes(render_page(pdf, 0, scale=3)) == [f"{BASE}s/{SLUG}"]
    first = plain(page_texts(pdf)[0])
    assert f"testserver/s/{SLUG}" in first
    with i18n.use_locale("nl"):
        assert plain(i18n.gettext("Your code")) not in first


def test_in_code_mode_the_first_page_has_a_box_for_the_code(session: Session) -> None:
    scan, buurt = the_scan(session)
    scan.access_mode = "codes"
    session.add(scan)
    session.commit()
    pdf = questionnaire.questionnaire_pdf(session, scan, buurt, language="nl", base_url=BASE)
    first = plain(page_texts(pdf)[0])
    with i18n.use_locale("nl"):
        assert plain(i18n.gettext("Your code")) in first
    html = questionnaire.questionnaire_html(session, scan, buurt, language="nl", base_url=BASE)
    assert html.count('class="code-cell"') == 12
    assert html.count('class="code-group"') == 3


def test_the_arabic_form_is_right_to_left_with_the_arabic_texts(
    client: TestClient, session: Session
) -> None:
    scan, buurt = the_scan(session)
    pdf = download(logged_in(client, session), scan, "ar")
    texts = page_texts(pdf)
    assert 10 <= len(texts) <= 30
    assert metadata(pdf)["lang"] == "ar"
    assert metadata(pdf)["title"]
    questions = online_order(session, scan)
    assert_in_order([q.key for q in questions], plain("".join(texts)))
    extracted = letters("".join(texts))
    first = questions[0].texts["ar"]["text"]
    assert found(first, extracted), first
    # Some Arabic ligatures come out of the PDF as other letters: most texts, not all.
    arabic = [q.texts["ar"]["text"] for q in questions]
    assert sum(found(text, extracted) for text in arabic) >= 0.8 * len(arabic)
    for pijler in queries.pijlers_by_key(session).values():
        assert found(pijler.name["ar"], extracted), pijler.key
    html = questionnaire.questionnaire_html(session, scan, buurt, language="ar", base_url=BASE)
    assert '<html lang="ar" dir="rtl">' in html


def test_the_ukrainian_form_fetches_nothing_but_the_apps_static_files(session: Session) -> None:
    scan, buurt = the_scan(session)
    fetcher = StaticFilesOnly()
    pdf = questionnaire.questionnaire_pdf(
        session, scan, buurt, language="uk", base_url=BASE, fetcher=fetcher
    )
    assert fetcher.refused == []
    assert metadata(pdf)["lang"] == "uk"
    texts = page_texts(pdf)
    questions = online_order(session, scan)
    assert_in_order([q.key for q in questions], plain("".join(texts)))
    assert plain(questions[0].texts["uk"]["text"]) in plain("".join(texts))
    # The contact details are a slip of their own: the last page has no question key.
    assert not any(q.key in plain(texts[-1]) for q in questions)


def test_texts_with_markup_and_emoji_are_printed_as_text(session: Session) -> None:
    scan, buurt = the_scan(session)
    question = online_order(session, scan)[0]
    question.texts = {
        **question.texts,
        "nl": {"text": "<script>alert(1)</script> Fietsen 🚲 <b>vet</b>?", "help": "<i>x</i>"},
    }
    scan.title = {"nl": "Kloos <img src=x> 🏠"}
    session.add_all([question, scan])
    session.commit()
    html = questionnaire.questionnaire_html(session, scan, buurt, language="nl", base_url=BASE)
    for markup in ("<script>", "<b>vet", "<img src=x>"):
        assert markup not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Fietsen 🚲" in html
    fetcher = StaticFilesOnly()
    pdf = questionnaire.questionnaire_pdf(
        session, scan, buurt, language="nl", base_url=BASE, fetcher=fetcher
    )
    assert fetcher.refused == []
    assert plain("<script>alert(1)</script> Fietsen") in plain(page_texts(pdf)[1])


@pytest.mark.parametrize(("role", "status"), [(None, 303), ("partner", 200), ("facilitator", 200)])
def test_who_may_download_the_paper_form(
    client: TestClient, session: Session, role: str | None, status: int
) -> None:
    scan, _buurt = the_scan(session)
    if role is not None:
        logged_in(client, session, role)
    response = client.get(pdf_url(scan, "tr"))
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"].endswith("/staff/inloggen")
    else:
        assert metadata(response.content)["lang"] == "tr"


def test_an_unknown_scan_or_language_is_refused(client: TestClient, session: Session) -> None:
    scan, _buurt = the_scan(session)
    logged_in(client, session, "partner")
    for scan_id in (999_999, 2**40, 0):
        assert client.get(f"/staff/scans/{scan_id}/papier.pdf?taal=nl").status_code == 404
    for language in ("xx", "NL", "../nl", ""):
        response = client.get(pdf_url(scan, language) if language else pdf_url(scan) + "?taal=")
        assert response.status_code == 422, language
        assert response.template.name == "errors/error.html"  # type: ignore[attr-defined]


def test_the_scan_page_and_the_entry_page_link_to_the_paper_form(
    client: TestClient, session: Session
) -> None:
    scan, _buurt = the_scan(session)
    logged_in(client, session)
    page = client.get(f"/staff/scans/{scan.id}").text
    for code in i18n.LANGUAGES:
        assert f"{pdf_url(scan)}?taal={code}" in page
    assert f'href="{pdf_url(scan)}"' in client.get(f"/staff/scans/{scan.id}/invoer").text


def test_the_entry_page_numbers_the_questions_as_the_paper_does(
    client: TestClient, session: Session
) -> None:
    scan, buurt = the_scan(session)
    logged_in(client, session)
    response = client.get(f"/staff/scans/{scan.id}/invoer")
    numbers = response.context["numbers"]  # type: ignore[attr-defined]
    entry_order = [q.key for section in response.context["sections"] for q in section.questions]  # type: ignore[attr-defined]
    assert [numbers[key] for key in entry_order] == list(range(1, len(entry_order) + 1))
    with i18n.use_locale("nl"):
        pages = questionnaire.paper_pages(
            session, scan, queries.questions(session, scan.id or 0), "nl"
        )
    paper = [(q.number, q.view.key) for page in pages for q in page.questions]
    assert paper == [(numbers[key], key) for key in entry_order]
    assert f'id="q-{entry_order[0].replace(".", "-")}-number"' in response.text
    assert buurt.name


@pytest.mark.parametrize(
    ("questions", "numbers"),
    [
        ([], {}),
        ([("a", "a.1"), ("a", "a.2"), ("b", "b.1")], {"a.1": 1, "a.2": 2, "b.1": 3}),
        # A page whose questions are not together by position still comes in one piece.
        ([("a", "a.1"), ("b", "b.1"), ("a", "a.2")], {"a.1": 1, "a.2": 2, "b.1": 3}),
        ([("b", "b.1"), ("a", "a.1")], {"b.1": 1, "a.1": 2}),
    ],
)
def test_question_numbers_follow_the_steps(
    questions: list[tuple[str, str]], numbers: dict[str, int]
) -> None:
    assert rules.question_numbers(questions) == numbers
