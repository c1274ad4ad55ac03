"""A resident fills in a buurtscan in a real Chromium, on a phone-sized screen.

With JavaScript (htmx boosts the forms and autosaves) and without it (plain form posts),
at 320 px for layout and touch targets, and with an eye on requests, console errors and focus.
Screenshots go to /tmp/shots (not the repository).
"""

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Tab
from tests.scan.resident import PAGES, answers_for

SLUG = "planetenbuurt"
TOTAL_STEPS = len(PAGES) + 2  # the questionnaire pages, contact, review
KNELPUNT = "De lantaarnpalen in de Marslaan doen het al weken niet."
TOP3 = ["Wonen", "Veiligheid", "Leefomgeving"]
OpenTab = Callable[..., Tab]


def step_url(key: str) -> re.Pattern[str]:
    return re.compile(rf"/s/{SLUG}/stap/{re.escape(key)}$")


def shoot(page: Page, shots: Path | None, name: str) -> None:
    if shots is not None:
        page.screenshot(path=shots / f"{name}.png", full_page=True)


def expect_step(page: Page, number: int) -> None:
    expect(page.locator(".progress-text")).to_have_text(f"Stap {number} van {TOTAL_STEPS}")


def press(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def open_scan_from_home(page: Page, shots: Path | None, prefix: str) -> None:
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Praat mee over uw buurt")
    shoot(page, shots, f"{prefix}-home")
    page.get_by_role("link", name=re.compile("Planetenbuurt")).click()
    expect(page).to_have_url(re.compile(rf"/s/{SLUG}$"))
    expect(page.locator(".buurt-name")).to_have_text("Planetenbuurt")
    shoot(page, shots, f"{prefix}-intro")
    press(page, "Beginnen")
    expect_step(page, 1)
    expect(page).to_have_url(step_url(PAGES[0]))


def choose(fieldset: Locator, label: str) -> None:
    """Click an answer's visible label text, as a finger would, and check it took."""
    option = fieldset.locator("label.option").filter(
        has=fieldset.page.get_by_text(label, exact=True)
    )
    option.click()
    expect(option.locator("input")).to_be_checked()


def answer_page(page: Page) -> None:
    """Answer every choice question on the current page by clicking labels."""
    for fieldset in page.locator("main fieldset.question").all():
        if fieldset.locator(".options-faces").count():
            choose(fieldset, "Goed")  # a face on the satisfaction scale
        elif fieldset.locator("select").count():
            for rank, pijler in enumerate(TOP3, start=1):
                fieldset.get_by_label(f"Nummer {rank}", exact=True).select_option(label=pijler)
        elif fieldset.locator("input[type=checkbox]").count():
            for label in fieldset.locator(".option-label").all()[:2]:
                choose(fieldset, label.inner_text())
        else:
            labels = [text.strip() for text in fieldset.locator(".option-label").all_inner_texts()]
            choose(fieldset, "Mee eens" if "Mee eens" in labels else labels[0])


def knelpunt_box(page: Page) -> Locator:
    return page.get_by_role("textbox", name=re.compile(r"^Wat gaat er niet goed"))


def complete_journey(tab: Tab, *, javascript: bool, shots: Path | None, prefix: str) -> None:
    """Home to thank-you page, as a resident on a phone; checks what the resident sees."""
    page = tab.page
    open_scan_from_home(page, shots, prefix)
    for number, key in enumerate(PAGES, start=1):
        expect_step(page, number)
        expect(page).to_have_url(step_url(key))
        if number == 1 and javascript:
            status = page.locator("#save-status")
            expect(status).to_have_text("")
            page.evaluate("window.__stillTheSamePage = true")
            address = page.url
            answer_page(page)
            expect(status).to_contain_text("Bewaard om")
            with page.expect_response(re.compile(r"/autosave$")) as autosaved:
                knelpunt_box(page).fill(KNELPUNT)
                knelpunt_box(page).press("Tab")  # "change" fires when the box loses focus
            assert autosaved.value.status == 200
            assert KNELPUNT.split()[1] in (autosaved.value.request.post_data or "")
            expect(status).to_contain_text("Bewaard om")
            assert page.url == address, "autosave must not navigate"
            assert page.evaluate("window.__stillTheSamePage === true"), "the page was reloaded"
            shoot(page, shots, f"{prefix}-questionnaire")
        else:
            answer_page(page)
            if number == 1:
                knelpunt_box(page).fill(KNELPUNT)
                expect(page.locator("#save-status")).to_have_text("")  # no autosave without JS
                shoot(page, shots, f"{prefix}-questionnaire")
        if key == "prioriteiten":
            shoot(page, shots, f"{prefix}-priorities")
        if key == "over-u":
            shoot(page, shots, f"{prefix}-over-u")
        press(page, "Volgende")

    expect_step(page, TOTAL_STEPS - 1)
    expect(page).to_have_url(re.compile(rf"/s/{SLUG}/contact$"))
    expect(page.locator("h1")).to_have_text("Wilt u meedenken in een bijeenkomst?")
    shoot(page, shots, f"{prefix}-contact")
    press(page, "Volgende")  # the contact details stay empty

    expect_step(page, TOTAL_STEPS)
    expect(page).to_have_url(re.compile(rf"/s/{SLUG}/controle$"))
    expect(page.locator("h1")).to_have_text("Controleer uw antwoorden")
    expect(page.get_by_text(KNELPUNT, exact=True)).to_be_visible()
    for pijler in TOP3:
        expect(page.locator("main ol").get_by_text(pijler, exact=True)).to_be_visible()
    expect(page.get_by_text("U hebt geen gegevens ingevuld.")).to_be_visible()
    shoot(page, shots, f"{prefix}-review")
    press(page, "Verstuur mijn antwoorden")

    expect(page).to_have_url(re.compile(rf"/s/{SLUG}/bedankt$"))
    expect(page.locator("h1")).to_contain_text("Bedankt")
    expect(page.get_by_text("Uw antwoorden over Planetenbuurt zijn verstuurd.")).to_be_visible()
    shoot(page, shots, f"{prefix}-thanks")


def test_journey_with_javascript(open_tab: OpenTab, shots: Path) -> None:
    tab = open_tab(width=360, height=640, javascript=True)
    complete_journey(tab, javascript=True, shots=shots, prefix="js")
    tab.assert_no_errors()


def test_journey_without_javascript(open_tab: OpenTab, shots: Path) -> None:
    tab = open_tab(width=360, height=640, javascript=False)
    complete_journey(tab, javascript=False, shots=shots, prefix="nojs")
    tab.assert_no_errors()


def test_no_request_leaves_the_origin_and_no_console_errors(open_tab: OpenTab) -> None:
    tab = open_tab(width=360, height=640, javascript=True)
    complete_journey(tab, javascript=True, shots=None, prefix="origin")
    assert any(url.endswith("/autosave") for url in tab.requests), "the journey did autosave"
    assert any("/static/vendor/htmx/" in url for url in tab.requests), "htmx was loaded"
    foreign = [url for url in tab.requests if not url.startswith(tab.origin + "/")]
    assert not foreign, f"requests that leave {tab.origin}: {foreign}"
    assert not tab.console_errors, "console errors (CSP violations show up here):\n" + "\n".join(
        tab.console_errors
    )
    tab.assert_no_errors()


def test_autosave_status_tells_the_time(open_tab: OpenTab) -> None:
    """The status says "Bewaard om <time>": in Dutch "om" goes with a clock time, not a date."""
    tab = open_tab(width=360, height=640, javascript=True)
    page = tab.page
    page.goto(f"/s/{SLUG}")
    press(page, "Beginnen")
    expect_step(page, 1)
    choose(page.locator(f"#q-{PAGES[0]}-tevredenheid"), "Goed")
    status = page.locator("#save-status")
    expect(status).to_contain_text("Bewaard om")
    expect(status).to_have_text(re.compile(r"^\s*Bewaard om \d{1,2}:\d{2}\s*$"), timeout=1000)
    tab.assert_no_errors()


# --- Narrow phones -----------------------------------------------------------------------------

SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll("main button, main a[href], main label.option")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not rendered
    if (box.height < 44) {
      const text = el.textContent.trim().replace(/\\s+/g, " ").slice(0, 70);
      small.push(`<${el.tagName.toLowerCase()}> "${text}": ${box.height.toFixed(1)} px high`);
    }
  }
  return small;
}"""


def fill_every_page_by_post(tab: Tab) -> None:
    """Quick set-up for the review page: plain form posts from the browser's own cookie jar."""
    token = tab.page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    for key in PAGES:
        items = [*answers_for(key, KNELPUNT), ("nav", "next"), ("csrf_token", token)]
        saved = tab.page.request.post(
            f"/s/{SLUG}/stap/{key}",
            data=urlencode(items),
            max_redirects=0,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert saved.status == 303, f"{key}: {saved.status}"


@pytest.mark.parametrize("screen", ["intro", "questionnaire-error", "review"])
def test_320px_no_sideways_scrolling_and_44px_targets(
    open_tab: OpenTab, shots: Path, screen: str
) -> None:
    tab = open_tab(width=320, height=640, javascript=True)
    page = tab.page
    page.goto(f"/s/{SLUG}")
    expect(page.locator("h1")).to_have_text("Praat mee over uw buurt")
    if screen != "intro":
        press(page, "Beginnen")
        expect_step(page, 1)
    if screen == "questionnaire-error":
        press(page, "Volgende")
        expect(page.locator("#error-summary")).to_be_visible()
    if screen == "review":
        fill_every_page_by_post(tab)
        page.goto(f"/s/{SLUG}/controle")
        expect(page.get_by_text(KNELPUNT).first).to_be_visible()
    shoot(page, shots, f"narrow-{screen}")

    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    small = page.evaluate(SMALL_TARGETS)
    problems = []
    if widths[0] > widths[1]:
        problems.append(f"scrolls sideways: scrollWidth {widths[0]} > innerWidth {widths[1]}")
    problems += [f"target under 44 px: {target}" for target in small]
    assert not problems, f"{screen} at 320 px:\n" + "\n".join(problems)
    tab.assert_no_errors()


# --- Errors and resuming -----------------------------------------------------------------------


def test_invalid_submit_shows_and_focuses_the_error_summary(open_tab: OpenTab, shots: Path) -> None:
    tab = open_tab(width=360, height=640, javascript=True)
    page = tab.page
    page.goto(f"/s/{SLUG}")
    press(page, "Beginnen")
    expect_step(page, 1)
    page.evaluate("window.__stillTheSamePage = true")
    with page.expect_response(lambda r: r.request.method == "POST" and "/stap/" in r.url) as sent:
        press(page, "Volgende")
    assert sent.value.status == 422
    assert sent.value.request.headers.get("hx-boosted") == "true", "the form was boosted by htmx"

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Kijk uw antwoorden nog even na")
    expect(summary).to_be_focused()
    assert page.evaluate("document.activeElement && document.activeElement.id") == "error-summary"
    assert page.evaluate("window.__stillTheSamePage === true"), "htmx swapped, no page load"
    expect_step(page, 1)
    error = page.locator(f"#q-{PAGES[0]}-tevredenheid-error")
    expect(error).to_contain_text("U hebt nog geen antwoord gekozen")
    shoot(page, shots, "js-questionnaire-error")
    tab.assert_no_errors()


def test_resume_code_continues_on_another_device(open_tab: OpenTab, shots: Path) -> None:
    phone = open_tab(width=360, height=640, javascript=True)
    page = phone.page
    page.goto(f"/s/{SLUG}")
    press(page, "Beginnen")
    expect_step(page, 1)
    expect(page.locator("#resume-code strong")).to_have_count(0)  # no code before a save
    answer_page(page)
    knelpunt_box(page).fill(KNELPUNT)
    press(page, "Volgende")
    expect_step(page, 2)
    code = page.locator("#resume-code strong").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code), code

    laptop = open_tab(width=360, height=640, javascript=True)
    other = laptop.page
    other.goto(f"/s/{SLUG}/verder")
    expect(other.locator("h1")).to_have_text("Verder gaan met uw code")
    other.get_by_label("Uw code").fill(code.lower().replace("-", " "))
    shoot(other, shots, "js-resume")
    press(other, "Verder")
    expect(other.locator(".progress-text")).to_have_text(re.compile(r"^Stap \d+ van"))
    landed_on = other.url

    # The earlier answers are there on the new device.
    if not re.search(step_url(PAGES[0]), other.url):
        press(other, "Vorige")
        expect_step(other, 1)
    faces = other.locator(f"#q-{PAGES[0]}-tevredenheid")
    expect(
        faces.locator("label.option").filter(has_text=re.compile(r"^\s*Goed\s*$")).locator("input")
    ).to_be_checked()
    expect(knelpunt_box(other)).to_have_value(KNELPUNT)

    assert re.search(step_url(PAGES[1]), landed_on), (
        f"after saving page 1 ({PAGES[0]}) and resuming, the resident should land on the page "
        f"after it ({PAGES[1]}), but landed on {landed_on}"
    )
    phone.assert_no_errors()
    laptop.assert_no_errors()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_no_empty_resume_box_before_the_first_save(open_tab: OpenTab, javascript: bool) -> None:
    """Before anything is saved there is no code yet, so no (empty grey) code box either."""
    tab = open_tab(width=360, height=640, javascript=javascript)
    page = tab.page
    page.goto(f"/s/{SLUG}")
    press(page, "Beginnen")
    expect_step(page, 1)
    box = page.locator("#resume-code")
    expect(box.locator("strong")).to_have_count(0)
    size = box.bounding_box()
    assert size is None, f"an empty code box is shown, {size['width']:.0f}x{size['height']:.0f} px"
    tab.assert_no_errors()
