"""The programmaplan PDF: what it shows, its suppression, bad input, languages and who may
download it."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import i18n
from app.pdf import plan as plan_pdf
from app.pdf.fetcher import StaticFilesOnly
from app.pdf.render import html_to_pdf
from app.plannen import plan_queries, plan_service
from app.plannen.models import Measure, MeasurePartner, MeasureTheme, Plan, Remark, VoteRound
from app.programme.models import Partner
from app.scan.models import Scan
from tests.monitoring.factories import make_responses, scan_id
from tests.pdf.helpers import metadata, page_texts, plain, reader
from tests.plannen.plan_factories import STARTED, SUBMITTED, add_theme, seed_results
from tests.plannen.remark_factories import add_remark
from tests.staff.helpers import log_in, make_user

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ARABIC_QUOTE = "الشارع مظلم في الليل ونحتاج إلى إنارة"
EMOJI_QUOTE = "Meer bankjes in het park graag 🌳🙂"
DESCRIPTION = "Een zebrapad bij de school en elke ochtend een klaar-over."


def gettext(message: str, language: str = "nl", **values: Any) -> str:
    with i18n.use_locale(language):
        return i18n.gettext(message) % values if values else i18n.gettext(message)


def quote(session: Session, scan: int, theme: int, text: str, *, language: str) -> None:
    answer = add_remark(session, scan, text, key="veiligheid.knelpunt", language=language)
    session.add(Remark(answer_id=answer, theme_id=theme, is_quote=True))
    session.commit()


@pytest.fixture
def themes(demo: None, session: Session) -> dict[str, int]:
    scan = scan_id(session)
    found = seed_results(session, scan)
    found["Lantaarns"] = add_theme(
        session, scan, "Lantaarns", pijler="veiligheid", remarks=3, key="veiligheid.knelpunt"
    )
    for remark in session.exec(select(Remark).where(Remark.theme_id == found["Lantaarns"])):
        remark.is_quote = False  # three quotes per pijler: the Verkeer one and these two
        session.add(remark)
    quote(session, scan, found["Verkeer"], ARABIC_QUOTE, language="ar")
    quote(session, scan, found["Verkeer"], EMOJI_QUOTE, language="nl")
    return found


@pytest.fixture
def plan(session: Session, themes: dict[str, int]) -> Plan:
    """The drafted plan; its first measure filled in as a facilitator would."""
    author = make_user(session, role="facilitator", email="author@zwijndrecht.example")
    scan = session.get(Scan, scan_id(session))
    assert scan is not None
    drafted = plan_service.draft_plan(session, actor=author, scan=scan, threshold=5)
    first = plan_queries.plan_measures(session, drafted.id or 0)[0]
    trekker, other = session.exec(select(Partner).order_by(Partner.id)).all()[:2]
    first.description = {"nl": DESCRIPTION}
    first.lead_partner_id = trekker.id
    first.cost_estimate = 15_000
    first.starts_on, first.ends_on = date(2027, 3, 1), date(2027, 10, 31)
    first.kernelement = "leefbaarheid"
    session.add(first)
    session.add(MeasurePartner(measure_id=first.id or 0, partner_id=other.id or 0))
    session.commit()
    return drafted


def document(session: Session, plan: Plan, language: str = "nl") -> plan_pdf.PlanDocument:
    session.expire_all()
    found = plan_queries.plan_with_scan(session, plan.id or 0)
    assert found is not None
    return plan_pdf.plan_document(session, *found, threshold=5, language=language, now=NOW)


def render(
    session: Session, plan: Plan, language: str = "nl"
) -> tuple[bytes, plan_pdf.PlanDocument]:
    doc = document(session, plan, language)
    return plan_pdf.plan_pdf(doc, language=language), doc


def titles(session: Session, plan: Plan) -> list[str]:
    return [
        shown for m in plan_queries.plan_measures(session, plan.id or 0) if (shown := m.title["nl"])
    ]


def flat(outline: list[Any]) -> list[str]:
    return [t for item in outline for t in (flat(item) if isinstance(item, list) else [item.title])]


# --- what the document shows ----------------------------------------------------------------------


def test_the_plan_pdf_shows_cover_measures_quotes_and_method(session: Session, plan: Plan) -> None:
    pdf, doc = render(session, plan)
    pages = page_texts(pdf)
    assert 6 <= len(pages) <= 40
    cover = plain(pages[0])
    assert plain(doc.buurt.name) in cover
    for title in titles(session, plan):  # no measure, no page number on the cover
        assert plain(title) not in cover
        assert any(plain(title) in plain(page) for page in pages[1:]), title
    assert f"van{len(pages)}" not in cover  # a cover has no page number
    assert f"Pagina2van{len(pages)}" in plain(pages[1])
    text = plain("".join(pages))
    trekker = session.exec(select(Partner).order_by(Partner.id)).first()
    assert trekker is not None
    assert plain(trekker.name) in text
    assert plain(DESCRIPTION) in text
    assert plain("€ 15.000") in text  # whole euros, Dutch format
    assert plain(f"{gettext('Kernelement')}{gettext('Liveability')}") in text
    assert plain("Verkeer 0") in text  # the quote of the Verkeer theme (add_theme's first)
    assert plain(gettext("Method and privacy")) in plain(pages[-1])
    assert plain(gettext("Programme plan")).upper() in cover  # in capitals by the stylesheet
    # bookmarks: the buurt, the summary, every pijler of the plan, the method
    outline = flat(reader(pdf).outline)
    assert outline[0] == doc.buurt.name
    assert [name for name in outline if name.endswith(doc.pijlers[0].name.text)]
    assert len(outline) >= len(doc.pijlers) + 3


def test_arabic_and_emoji_quotes_render(session: Session, plan: Plan) -> None:
    pdf, doc = render(session, plan)
    text = plain("".join(page_texts(pdf)))
    arabic = plain(ARABIC_QUOTE)
    assert arabic in text or arabic[::-1] in text  # logical or visual order
    assert plain("Meer bankjes in het park graag") in text
    assert "🌳" in text  # drawn (from Noto Color Emoji, by fallback), not dropped
    veiligheid = next(p for p in doc.pijlers if p.key == "veiligheid")
    assert veiligheid.view is not None
    assert {q.language for q in veiligheid.view.quotes} >= {"ar", "nl"}
    assert plan_pdf.direction(ARABIC_QUOTE) == "rtl"
    assert plan_pdf.direction("«" + EMOJI_QUOTE) == "ltr"
    html = plan_pdf.plan_html(doc, language="nl")
    assert f'dir="rtl" lang="ar"><p>{ARABIC_QUOTE}</p>' in html


def test_quotes_and_texts_are_escaped(session: Session, plan: Plan, themes: dict[str, int]) -> None:
    for remark in session.exec(select(Remark).where(Remark.is_quote)):
        session.delete(remark)  # room for this quote among the pijler's three
    session.commit()
    scan = scan_id(session)
    quote(session, scan, themes["Verkeer"], "<b>vet</b> & <script>x</script>", language="nl")
    measure = plan_queries.plan_measures(session, plan.id or 0)[0]
    measure.title = {"nl": "<i>Schuin</i>"}
    session.add(measure)
    session.commit()
    html = plan_pdf.plan_html(document(session, plan), language="nl")
    assert "&lt;b&gt;vet&lt;/b&gt; &amp; &lt;script&gt;" in html
    assert "&lt;i&gt;Schuin&lt;/i&gt;" in html
    assert "<script>x" not in html
    assert "<i>Schuin" not in html


def test_a_small_theme_shows_no_count(session: Session, plan: Plan) -> None:
    pdf, doc = render(session, plan)
    veiligheid = next(p for p in doc.pijlers if p.key == "veiligheid")
    assert veiligheid.view is not None
    counts = {t.name: t.figure.count for t in veiligheid.view.themes}
    assert counts == {"Verkeer": 8, "Lantaarns": None}  # 6 + the two quotes; 3 is too few
    line = next(
        line for page in page_texts(pdf) for line in page.splitlines() if "Lantaarns" in line
    )
    assert "3" not in line
    assert plain(gettext("too few responses")) in plain(line)


def test_four_responses_show_no_figures(demo: None, session: Session) -> None:
    scan = scan_id(session, "leeuwerikplein")
    make_responses(
        session, scan, 4, started_at=STARTED, submitted_at=SUBMITTED, channel="paper",
        answers={"prioriteiten.top3": ["wonen"], "wonen.tevredenheid": ["2"]},
    )  # fmt: skip
    plan = Plan(scan_id=scan, status="vastgesteld", title={"nl": "Plan"}, pijler_order=["wonen"])
    session.add(plan)
    session.commit()
    pdf, doc = render(session, plan)
    assert doc.results.submitted.count is None
    assert all(s.figure.count is None for s in doc.channels + doc.languages)
    wonen = next(p for p in doc.pijlers if p.key == "wonen")
    assert wonen.view is not None
    assert wonen.view.mean is None
    assert wonen.view.result.satisfaction is not None
    assert wonen.view.result.satisfaction.answered.count is None
    text = plain("".join(page_texts(pdf)))
    assert plain(gettext("too few responses")) in text
    participation = plain(page_texts(pdf)[2])
    assert "4" not in participation.replace(f"Pagina3van{len(page_texts(pdf))}", "")


def test_a_plan_without_measures_renders(demo: None, session: Session) -> None:
    plan = Plan(scan_id=scan_id(session), title={"nl": "Leeg plan"})
    session.add(plan)
    session.commit()
    pdf, doc = render(session, plan)
    assert doc.measure_count == 0
    assert doc.pijlers == []
    text = plain("".join(page_texts(pdf)))
    assert plain(gettext("This plan has no measures yet.")) in text
    assert metadata(pdf)["title"] == "Leeg plan"


def test_a_very_long_measure_breaks_across_pages(session: Session, plan: Plan) -> None:
    short, _ = render(session, plan)
    measure = plan_queries.plan_measures(session, plan.id or 0)[0]
    words = [f"woord{n}" for n in range(600)]
    long_text = " ".join(words)[:3990] + " EINDE"
    assert 3_900 < len(long_text) <= 4_000
    measure.description = {"nl": long_text}
    measure.title = {"nl": "Lang" * 40}  # one 160-character word
    session.add(measure)
    session.commit()
    pdf, _ = render(session, plan)
    pages = page_texts(pdf)
    assert len(pages) > len(page_texts(short))
    start = next(i for i, page in enumerate(pages) if "woord0 " in page or "woord0\n" in page)
    end = next(i for i, page in enumerate(pages) if "EINDE" in page)
    assert end > start  # broken across pages, nothing lost
    assert plain("Lang" * 40) in plain("".join(pages))


def test_title_language_and_tags(session: Session, plan: Plan) -> None:
    pdf, doc = render(session, plan)
    assert metadata(pdf) == {"title": doc.title, "lang": "nl", "tagged": "True"}
    assert doc.title == "Programmaplan Planetenbuurt"
    arabic, doc = render(session, plan, "ar")
    assert metadata(arabic) == {
        "title": "خطة البرنامج لحي Planetenbuurt",  # the drafted Dutch title, in Arabic
        "lang": "ar",
        "tagged": "True",
    }
    # Page numbers in words: bare "2 / 15" would read "15 / 2" from right to left.
    footer = page_texts(arabic)[1].splitlines()[-1]
    assert "الصفحة" in footer
    assert "من" in footer
    assert "/" not in footer
    html = plan_pdf.plan_html(doc, language="ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert "<svg" not in html  # no SVG text in Arabic: the figures are HTML tables
    measure = plan_queries.plan_measures(session, plan.id or 0)[0]
    assert f'<h4 lang="nl" dir="ltr">{measure.title["nl"]}</h4>' in html  # Dutch fallback


def test_the_fetcher_refuses_nothing(session: Session, plan: Plan) -> None:
    fetcher = StaticFilesOnly()
    html = plan_pdf.plan_html(document(session, plan), language="nl")
    assert "static/css/print-plan.css" in html
    assert "<svg" in html
    pdf = html_to_pdf(html, fetcher)
    assert page_texts(pdf)
    assert fetcher.refused == []


def test_the_vote_results_are_shown_and_suppressed(session: Session, plan: Plan) -> None:
    measures = plan_queries.plan_measures(session, plan.id or 0)
    plan.status = "vastgesteld"
    session.add(plan)
    rows = [
        {"measure_id": m.id, "rank": n + 1, "total": 9 - n, "supporters": 9 - 3 * n,
         "counts": True, "funded": None}
        for n, m in enumerate(measures)
    ]  # fmt: skip
    session.add(
        VoteRound(
            plan_id=plan.id or 0, method="points", eligibility="codes", status="closed",
            points_total=10, points_per_measure=5,
            results={"method": "points", "eligibility": "codes", "ballots": 12,
                     "codes_issued": 40, "codes_used": 12, "closed_on": "2027-01-15",
                     "measures": rows},
        )
    )  # fmt: skip
    session.commit()
    pdf, doc = render(session, plan)
    assert doc.vote is not None
    assert doc.vote.turnout == 30
    assert doc.vote.codes_issued == 40
    lines = doc.vote.lines
    assert [line.rank for line in lines] == sorted(line.rank or 0 for line in lines)
    assert lines[0].row.supporters.count == 9
    assert lines[0].row.total.count == 9
    assert lines[-1].row.supporters.count is None
    assert lines[-1].row.total.count is None
    assert plain(gettext("What residents chose")) in plain("".join(page_texts(pdf)))


def test_too_few_ballots_show_no_vote_figures(session: Session, plan: Plan) -> None:
    plan.status = "vastgesteld"
    session.add(plan)
    session.add(
        VoteRound(
            plan_id=plan.id or 0, method="approval", eligibility="codes", status="closed",
            max_choices=2,
            results={"method": "approval", "eligibility": "codes", "ballots": 3,
                     "codes_issued": 40, "codes_used": 3, "measures": []},
        )
    )  # fmt: skip
    session.commit()
    _, doc = render(session, plan)
    assert doc.vote is not None
    assert doc.vote.results.too_few
    assert doc.vote.results.ballots.count is None
    assert doc.vote.turnout is None
    assert doc.vote.lines == []


# --- who may download it ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "partner", "facilitator", "beheerder"])
def test_staff_download_by_role(
    client: TestClient, session: Session, plan: Plan, role: str
) -> None:
    if role != "anonymous":
        log_in(client, make_user(session, role=role))
    response = client.get(f"/staff/plannen/{plan.id}/plan.pdf")
    if role == "anonymous":
        assert response.status_code == 303
        return
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert (
        'filename="programmaplan-planetenbuurt-v1.pdf"' in response.headers["content-disposition"]
    )
    assert response.content.startswith(b"%PDF")


def test_staff_download_unknown_plan_and_language(
    client: TestClient, session: Session, plan: Plan
) -> None:
    log_in(client, make_user(session, role="partner"))
    for path in ("/staff/plannen/999999/plan.pdf", "/staff/plannen/0/plan.pdf"):
        assert client.get(path).status_code == 404
    response = client.get(f"/staff/plannen/{plan.id}/plan.pdf?taal=uk")
    assert metadata(response.content)["lang"] == "uk"
    assert "-uk.pdf" in response.headers["content-disposition"]
    unknown = client.get(f"/staff/plannen/{plan.id}/plan.pdf?taal=xx")
    assert metadata(unknown.content)["lang"] == "nl"


def test_the_staff_plan_page_links_to_the_pdf(
    client: TestClient, session: Session, plan: Plan
) -> None:
    log_in(client, make_user(session, role="partner"))
    page = client.get(f"/staff/plannen/{plan.id}")
    assert f'href="/staff/plannen/{plan.id}/plan.pdf"' in page.text


@pytest.mark.parametrize(
    ("status", "public", "shown"),
    [
        ("concept", False, False),
        ("concept", True, True),
        ("ter_stemming", False, True),
        ("vastgesteld", False, True),
        ("vervangen", True, False),
    ],
)
def test_the_public_download_follows_the_public_page(
    client: TestClient, session: Session, plan: Plan, status: str, public: bool, shown: bool
) -> None:
    plan.status, plan.is_public = status, public
    session.add(plan)
    session.commit()
    response = client.get("/s/planetenbuurt/plan.pdf")
    assert response.status_code == (200 if shown else 404)
    page = client.get("/s/planetenbuurt/plan")
    assert ('id="plan-pdf"' in page.text) is shown
    if shown:
        assert response.content.startswith(b"%PDF")
        assert "/s/planetenbuurt/plan.pdf?taal=nl" in page.text


def test_the_public_download_of_an_unknown_or_draft_scan(
    client: TestClient, session: Session, plan: Plan
) -> None:
    plan.status = "vastgesteld"
    session.add(plan)
    scan = session.get(Scan, plan.scan_id)
    assert scan is not None
    scan.status = "draft"
    session.add(scan)
    session.commit()
    assert client.get("/s/planetenbuurt/plan.pdf").status_code == 404
    assert client.get("/s/bestaat-niet/plan.pdf").status_code == 404


def test_measure_themes_link_back(session: Session, plan: Plan, themes: dict[str, int]) -> None:
    """Every measure in the document names the themes it answers (with its suppressed count)."""
    doc = document(session, plan)
    rows = [row for p in doc.pijlers for row in p.measures]
    assert rows
    linked = set(session.exec(select(MeasureTheme.theme_id)).all())
    assert {t.theme.id for row in rows for t in row.view.themes} == linked
    assert all(row.why.total.count is None or row.why.total.count >= 5 for row in rows)
    assert session.exec(select(Measure).where(Measure.plan_id == plan.id)).first() is not None
