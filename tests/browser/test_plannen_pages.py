"""The pages after the scan, in a real Chromium: "wat we hoorden", the plan and the vote in every
language (axe-core, 320 px, right-to-left), and the staff pages the participatieteam works on.

The data is the demo's synthetic responses for one buurt, with themes, quotes, a drafted plan
whose measures have a trekker, and an open (non-binding) approval poll.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import insert
from sqlmodel import Session, col, select

from app import demo_responses
from app.plannen import plan_service
from app.plannen.models import Measure, Remark, Theme
from app.programme.models import Partner
from app.scan.models import Answer, Question, Response, Scan
from tests.browser.conftest import Tab
from tests.browser.test_accessibility import LANGUAGES, Axe, choose_language, settle
from tests.plannen.round_factories import make_codes, make_round
from tests.staff.helpers import PASSWORD, make_user

SLUG = "planetenbuurt"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PUBLIC_PAGES = ["/wat-we-hoorden", "/plan", "/stemmen"]
OpenTab = Callable[..., Tab]


def _theme_per_pijler(session: Session, scan: Scan) -> None:
    """For each pijler: one theme holding its visible remarks, the first two quoted."""
    rows = session.exec(
        select(Answer.id, Question.pijler_id)
        .join(Question, col(Question.id) == col(Answer.question_id))
        .join(Response, col(Response.id) == col(Answer.response_id))
        .where(
            Question.scan_id == scan.id,
            col(Question.kind).in_(["knelpunt", "idee"]),
            col(Response.submitted_at).is_not(None),
        )
        .order_by(col(Answer.id))
    ).all()
    themes: dict[int, int] = {}
    remarks = []
    for answer_id, pijler_id in rows:
        if pijler_id not in themes:
            theme = Theme(
                scan_id=scan.id or 0, pijler_id=pijler_id, name=f"Thema {len(themes) + 1}"
            )
            session.add(theme)
            session.flush()
            themes[pijler_id] = theme.id or 0
        quoted = sum(1 for r in remarks if r["theme_id"] == themes[pijler_id] and r["is_quote"])
        remarks.append(
            {
                "answer_id": answer_id,
                "theme_id": themes[pijler_id],
                "is_quote": quoted < 2,
                "updated_at": NOW,
            }
        )
    session.execute(insert(Remark), remarks)
    session.commit()


@pytest.fixture
def worked_on(session: Session, demo: None) -> None:
    scan = session.exec(select(Scan).where(Scan.slug == SLUG)).one()
    demo_responses.add_responses(session, scan, 90, seed=11, now=NOW)
    _theme_per_pijler(session, scan)
    scan.results_public = True
    session.add(scan)
    session.commit()
    actor = make_user(session, role="facilitator")
    plan = plan_service.draft_plan(session, actor=actor, scan=scan, threshold=5)
    partner = session.exec(select(Partner.id)).first()
    for measure in session.exec(select(Measure).where(Measure.plan_id == plan.id)).all():
        measure.lead_partner_id = partner
        session.add(measure)
    session.commit()
    make_round(session, plan, method="approval", eligibility="open", max_choices=2)


@pytest.mark.parametrize("code", LANGUAGES)
def test_public_pages_in_every_language(
    open_tab: OpenTab, axe_source: str, worked_on: None, code: str, shots: Path
) -> None:
    tab = open_tab(width=320, height=640, javascript=True, bypass_csp=True)
    page = tab.page
    axe = Axe(page, axe_source)
    choose_language(page, code, f"/s/{SLUG}/wat-we-hoorden")
    problems = []
    for tail in PUBLIC_PAGES:
        page.goto(f"/s/{SLUG}{tail}")
        settle(page)
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
        axe.check(f"{code} {tail}")
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > inner:
            problems.append(f"{code} {tail}: scrolls sideways ({width} > {inner})")
        page.screenshot(path=shots / f"plannen-{code}{tail.replace('/', '-')}.png", full_page=True)
    # the poll: to the ballot, choose one measure and send
    page.locator("main a[href$='/stemmen/stembiljet']").click()
    settle(page)
    axe.check(f"{code} ballot")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width > inner:
        problems.append(f"{code} ballot: scrolls sideways ({width} > {inner})")
    page.locator("main input[type=checkbox]").first.check()
    page.locator("main form[action$='/stembiljet'] button[type=submit]").click()
    settle(page)
    expect(page).to_have_url(f"{tab.origin}/s/{SLUG}/stemmen/bedankt")
    axe.check(f"{code} thanks")
    assert axe.problems == [], "\n".join(axe.problems)
    assert problems == []
    assert tab.server_errors == []
    assert tab.page_errors == []
    assert tab.console_errors == []
    assert all(url.startswith(tab.origin) for url in tab.requests), "a third-party request"


def log_in(page: Page) -> None:
    """Log in as the facilitator that ``worked_on`` made."""
    page.goto("/staff/inloggen")
    page.fill("input[name=email]", "facilitator@zwijndrecht.example")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    settle(page)


def test_staff_pages(open_tab: OpenTab, axe_source: str, worked_on: None, session: Session) -> None:
    tab = open_tab(width=1280, height=900, javascript=True, bypass_csp=True)
    page = tab.page
    log_in(page)
    scan = session.exec(select(Scan).where(Scan.slug == SLUG)).one()
    axe = Axe(page, axe_source)
    for path in [
        f"/staff/scans/{scan.id}",
        f"/staff/scans/{scan.id}/resultaten",
        f"/staff/scans/{scan.id}/inbreng",
        f"/staff/scans/{scan.id}/themas",
        f"/staff/scans/{scan.id}/ontwerpsessie",
        f"/staff/scans/{scan.id}/ontwerpsessie?stap=1",
        f"/staff/scans/{scan.id}/plan",
    ]:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, path
        settle(page)
        axe.check(path)
    page.locator("a[href*='/stemrondes/']").first.click()
    settle(page)
    axe.check("vote round")
    assert axe.problems == [], "\n".join(axe.problems)
    assert tab.server_errors == []
    assert tab.page_errors == []


def test_an_ended_session_leaves_a_refreshing_page_for_the_login(
    open_tab: OpenTab, worked_on: None, session: Session
) -> None:
    tab = open_tab(width=1280, height=900, javascript=True)
    page = tab.page
    log_in(page)
    scan = session.exec(select(Scan).where(Scan.slug == SLUG)).one()
    page.goto(f"/staff/scans/{scan.id}/ontwerpsessie?stap=1")
    settle(page)
    staff_cookies = [c for c in page.context.cookies() if "staff" in c["name"]]
    assert staff_cookies
    page.context.clear_cookies(name=staff_cookies[0]["name"])
    # the slide refreshes itself every 10 seconds: then the whole page goes to the login
    expect(page).to_have_url(f"{tab.origin}/staff/inloggen", timeout=20_000)
    expect(page.locator("input[name=email]")).to_be_visible()
    assert page.locator(".session-nav").count() == 0  # no login form inside the old slide


def test_the_letters_code_survives_a_language_switch(
    open_tab: OpenTab, session: Session, demo: None
) -> None:
    """The QR code opens the vote with the code after "#"; choosing Arabic keeps it filled in."""
    scan = session.exec(select(Scan).where(Scan.slug == SLUG)).one()
    plan = plan_service.draft_plan(
        session, actor=make_user(session, role="facilitator"), scan=scan, threshold=5
    )
    (code,) = make_codes(session, make_round(session, plan, eligibility="codes"), 1)
    tab = open_tab(width=360, height=740)
    page = tab.page
    page.goto(f"/s/{SLUG}/stemmen#{code}")
    field = page.locator("[data-code-from-hash]")
    expect(field).to_have_value(code)
    assert "#" not in page.url  # the code left the address bar at once
    page.locator(".language-switcher a[hreflang=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(field).to_have_value(code)
    assert "#" not in page.url
    assert tab.page_errors == []
    assert tab.console_errors == []


def test_filtering_the_inbox_asks_once_and_offers_to_clear(
    open_tab: OpenTab, worked_on: None, session: Session
) -> None:
    tab = open_tab(width=1280, height=900)
    page = tab.page
    log_in(page)
    scan = session.exec(select(Scan).where(Scan.slug == SLUG)).one()
    page.goto(f"/staff/scans/{scan.id}/inbreng")
    settle(page)
    expect(page.locator("#clear-filters")).to_have_count(0)

    def asked() -> int:
        return len([url for url in tab.requests if "/inbreng?" in url])

    page.select_option("#filter-soort", "knelpunt")
    expect(page.locator("#clear-filters")).to_be_visible()  # in the part htmx swaps
    assert asked() == 1
    page.fill("#filter-q", "speeltuin")
    page.press("#filter-q", "Enter")
    expect(page).to_have_url(re.compile(r"q=speeltuin"))
    settle(page)
    assert asked() == 2  # Enter is one search, not a change and a submit
    page.locator("#clear-filters").click()
    settle(page)
    expect(page.locator("#filter-q")).to_have_value("")
    assert tab.server_errors == []
    assert tab.page_errors == []
