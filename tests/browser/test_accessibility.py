"""Accessibility in a real Chromium: axe-core in every language, keyboard only, right-to-left,
read aloud, and visible focus.

axe-core comes from npm (``npm ci``; see package.json) and is injected into the page as an
inline script: nothing is fetched from anywhere but the app. The app's CSP forbids inline
scripts, so the tab that runs axe bypasses CSP (the tool, not the app, needs it).
"""

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import Tab
from tests.scan.resident import PAGES

SLUG = "planetenbuurt"
LANGUAGES = ["nl", "en", "tr", "ar", "pl", "uk"]
PIJLERS = [key for key in PAGES if key not in ("prioriteiten", "over-u")]
OpenTab = Callable[..., Tab]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(String).join(" "),
      html: n.html,
      summary: n.failureSummary,
    })),
  }));
}"""
# A function, not an expression: an expression would be eval'd, which the app's CSP forbids.
HTMX_SETTLED = (
    "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
)
NEXT = "main button[name=nav][value=next]"
START = "main form[action$='/start'] button[type=submit]"
SEND = "main form.submit-form button[type=submit]"


# --- Helpers -----------------------------------------------------------------------------------


def step_url(key: str) -> re.Pattern[str]:
    return re.compile(rf"/s/{SLUG}/stap/{re.escape(key)}$")


def page_url(tail: str) -> re.Pattern[str]:
    return re.compile(rf"/s/{SLUG}{re.escape(tail)}$")


def settle(page: Page, url: re.Pattern[str] | None = None) -> None:
    """Wait for a (boosted or full) page change to finish: the address, then htmx at rest."""
    if url is not None:
        expect(page).to_have_url(url)
    page.wait_for_load_state("load")
    page.wait_for_function(HTMX_SETTLED)


def choose_language(page: Page, code: str, next_path: str = "/") -> None:
    page.goto(f"/taal/{code}?next={next_path}")
    expect(page.locator("html")).to_have_attribute("lang", code)


def answer_satisfaction(page: Page, key: str) -> None:
    """The one required question of a pijler page: the 4th face ("good"), by its label."""
    option = page.locator(f"#q-{key}-tevredenheid label.option").nth(3)
    option.click()
    expect(option.locator("input")).to_be_checked()


def choose_priorities(page: Page) -> None:
    selects = page.locator("main select")
    expect(selects).to_have_count(3)
    for index in range(3):
        selects.nth(index).select_option(index=index + 1)


def go_next(page: Page, url: re.Pattern[str]) -> None:
    page.locator(NEXT).click()
    settle(page, url)


def format_violations(stop: str, violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(
                f"[{stop}] {violation['id']} ({violation['impact']}: {violation['help']})\n"
                f"    target: {node['target']}\n"
                f"    html:   {node['html']}\n"
                f"    why:    {' '.join((node['summary'] or '').split())}"
            )
    return lines


class Axe:
    """Runs axe-core at each stop of a journey and keeps every violation for one report."""

    def __init__(self, page: Page, source: str) -> None:
        self.page = page
        self.source = source
        self.stops: list[str] = []
        self.problems: list[str] = []

    def check(self, stop: str) -> None:
        if not self.page.evaluate("typeof window.axe === 'object'"):
            self.page.add_script_tag(content=self.source)  # inline: no URL, no network
        violations = self.page.evaluate(AXE_RUN, WCAG_TAGS)
        self.stops.append(stop)
        self.problems += format_violations(stop, violations)


# --- 1. axe-core on every resident page, in every language -------------------------------------


@pytest.mark.parametrize("code", LANGUAGES)
def test_axe_finds_no_wcag_violations(open_tab: OpenTab, axe_source: str, code: str) -> None:
    tab = open_tab(width=360, height=640, javascript=True, bypass_csp=True)
    page = tab.page
    axe = Axe(page, axe_source)

    choose_language(page, code, "/")
    expect(page).to_have_url(re.compile(r"/$"))
    axe.check("home /")

    page.locator(f"main a.card-link[href$='/s/{SLUG}']").click()
    settle(page, page_url(""))
    axe.check(f"intro /s/{SLUG}")

    page.locator("main a[href$='/verder']").click()
    settle(page, page_url("/verder"))
    axe.check(f"resume /s/{SLUG}/verder")

    page.locator(f"main a[href$='/s/{SLUG}']").click()
    settle(page, page_url(""))
    page.locator(START).click()
    settle(page, step_url(PIJLERS[0]))
    axe.check(f"first pijler /stap/{PIJLERS[0]}")

    with page.expect_response(lambda r: r.request.method == "POST" and "/stap/" in r.url) as sent:
        page.locator(NEXT).click()
    assert sent.value.status == 422
    expect(page.locator("#error-summary")).to_be_visible()
    settle(page)
    axe.check(f"first pijler, 422 error state /stap/{PIJLERS[0]}")

    for number, key in enumerate(PIJLERS):
        answer_satisfaction(page, key)
        following = PIJLERS[number + 1] if number + 1 < len(PIJLERS) else "prioriteiten"
        go_next(page, step_url(following))
    axe.check("priorities /stap/prioriteiten")

    choose_priorities(page)
    go_next(page, step_url("over-u"))
    axe.check("over u /stap/over-u")

    go_next(page, page_url("/contact"))
    axe.check("contact /contact")

    go_next(page, page_url("/controle"))
    axe.check("review /controle")

    page.locator(SEND).click()
    settle(page, page_url("/bedankt"))
    axe.check("thanks /bedankt")

    response = page.goto("/deze-pagina-bestaat-niet")
    assert response is not None
    assert response.status == 404
    axe.check("404 /deze-pagina-bestaat-niet")

    assert len(axe.stops) == 11
    assert not axe.problems, (
        f"axe-core ({', '.join(WCAG_TAGS)}) in '{code}', {len(axe.problems)} violating "
        "element(s):\n" + "\n".join(axe.problems)
    )
    tab.assert_no_errors()


# --- 2. The keyboard alone ---------------------------------------------------------------------

DESCRIBE_ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "<body>";
  const name = el.getAttribute("name") || el.id || el.className || "";
  const text = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 30);
  return `<${el.tagName.toLowerCase()} ${name}> ${text}`;
}"""


def active_matches(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        )
    )


def tab_to(page: Page, selector: str, *, limit: int = 60) -> None:
    """Press Tab until the focused element matches ``selector``."""
    path = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if active_matches(page, selector):
            return
        path.append(page.evaluate(DESCRIBE_ACTIVE))
    pytest.fail(f"Tab never reached {selector} on {page.url}; focus went: {path}")


def checked_value(page: Page, name: str) -> str | None:
    value = page.evaluate(
        "(n) => { const el = document.querySelector(`input[name='${n}']:checked`);"
        " return el ? el.value : null; }",
        name,
    )
    return value if isinstance(value, str) else None


def test_a_whole_scan_with_the_keyboard_alone(open_tab: OpenTab) -> None:
    tab = open_tab(width=360, height=640, javascript=True)
    page = tab.page
    page.goto(f"/s/{SLUG}")
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    # The skip link is the first Tab stop, and it takes focus to the main content.
    page.keyboard.press("Tab")
    assert active_matches(page, "a.skip-link"), (
        f"first Tab stop is {page.evaluate(DESCRIBE_ACTIVE)}, not the skip link"
    )
    expect(page.locator("a.skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

    tab_to(page, START)
    page.keyboard.press("Enter")
    settle(page, step_url(PIJLERS[0]))

    for number, key in enumerate(PIJLERS):
        name = f"{key}.tevredenheid"
        tab_to(page, f"input[type=radio][name='{name}']")
        page.keyboard.press("Space")  # checks the focused (first) face
        assert checked_value(page, name) == "1", f"{key}: Space did not check the first face"
        for _ in range(3):
            page.keyboard.press("ArrowDown")
        assert checked_value(page, name) == "4", f"{key}: arrow keys did not move to 'Goed'"
        tab_to(page, f"textarea[name='{key}.knelpunt']")
        page.keyboard.type(f"Knelpunt {number + 1} met het toetsenbord.")
        tab_to(page, NEXT)
        page.keyboard.press("Enter")
        following = PIJLERS[number + 1] if number + 1 < len(PIJLERS) else "prioriteiten"
        settle(page, step_url(following))

    # Priorities: each select takes a different pijler, by arrow keys and by typing its name.
    tab_to(page, "select[name='prioriteiten.top3.1']")
    page.keyboard.press("ArrowDown")
    tab_to(page, "select[name='prioriteiten.top3.2']")
    page.keyboard.type("Wonen")
    tab_to(page, "select[name='prioriteiten.top3.3']")
    page.keyboard.type("Veiligheid")
    chosen = page.locator("main select").evaluate_all("(all) => all.map((s) => s.value)")
    assert chosen == [PIJLERS[0], "wonen", "veiligheid"], chosen
    tab_to(page, NEXT)
    page.keyboard.press("Enter")
    settle(page, step_url("over-u"))

    tab_to(page, "input[type=radio][name='over-u.kinderen']")
    page.keyboard.press("Space")
    assert checked_value(page, "over-u.kinderen") is not None
    tab_to(page, NEXT)
    page.keyboard.press("Enter")
    settle(page, page_url("/contact"))

    tab_to(page, NEXT)
    page.keyboard.press("Enter")
    settle(page, page_url("/controle"))
    expect(page.locator("h1")).to_have_text("Controleer uw antwoorden")
    expect(page.get_by_text("Knelpunt 1 met het toetsenbord.", exact=True)).to_be_visible()

    tab_to(page, SEND)
    page.keyboard.press("Enter")
    settle(page, page_url("/bedankt"))
    expect(page.locator("h1")).to_contain_text("Bedankt")
    expect(page.get_by_text("Uw antwoorden over Planetenbuurt zijn verstuurd.")).to_be_visible()
    tab.assert_no_errors()


# --- 3. Arabic, right to left, at 320 px -------------------------------------------------------

OPTION_ROWS_RTL = """() => {
  const wrong = [];
  for (const row of document.querySelectorAll("main label.option")) {
    const input = row.querySelector("input").getBoundingClientRect();
    const text = row.querySelector(".option-label").getBoundingClientRect();
    if (input.width === 0) continue;
    if (input.left < text.right - 1) {
      wrong.push(`${row.textContent.trim().replace(/\\s+/g, " ")}: input ${input.left.toFixed(0)}-`
        + `${input.right.toFixed(0)}, text ${text.left.toFixed(0)}-${text.right.toFixed(0)}`);
    }
  }
  return wrong;
}"""


def brightness(pixel: Any) -> float:
    red, green, blue = (float(channel) for channel in pixel[:3])
    return 0.299 * red + 0.587 * green + 0.114 * blue


def progress_fills_from_the_right(page: Page) -> str | None:
    """The bar of step 1 of N is filled only at its start: in Arabic the right-hand end."""
    bar = page.locator("main progress")
    direction = bar.evaluate("(el) => getComputedStyle(el).direction")
    if direction != "rtl":
        return f"progress bar has direction {direction}"
    image = Image.open(io.BytesIO(bar.screenshot())).convert("RGB")
    width, height = image.size
    right = brightness(image.getpixel((width - 6, height // 2)))
    left = brightness(image.getpixel((5, height // 2)))
    if not right < left - 40:
        return (
            "progress bar is not filled from the right "
            f"(brightness right end {right:.0f}, left end {left:.0f})"
        )
    return None


def test_arabic_right_to_left_at_320px(open_tab: OpenTab, shots: Path) -> None:
    tab = open_tab(width=320, height=640, javascript=True)
    page = tab.page
    problems: list[str] = []

    def look(name: str, *, options: bool = True) -> None:
        html = page.locator("html")
        expect(html).to_have_attribute("lang", "ar")
        expect(html).to_have_attribute("dir", "rtl")
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            problems.append(f"{name}: scrolls sideways, scrollWidth {widths[0]} > {widths[1]}")
        if options:
            problems.extend(
                f"{name}: option not right-to-left: {row}" for row in page.evaluate(OPTION_ROWS_RTL)
            )
        page.screenshot(path=shots / f"ar-{name}.png", full_page=True)

    choose_language(page, "ar", f"/s/{SLUG}")
    expect(page).to_have_url(page_url(""))
    look("intro")

    page.locator(START).click()
    settle(page, step_url(PIJLERS[0]))
    problem = progress_fills_from_the_right(page)
    if problem:
        problems.append(f"{PIJLERS[0]}: {problem}")
    look(f"1-{PIJLERS[0]}")
    for number, key in enumerate(PIJLERS):
        if number:
            look(f"{number + 1}-{key}")
        answer_satisfaction(page, key)
        following = PIJLERS[number + 1] if number + 1 < len(PIJLERS) else "prioriteiten"
        go_next(page, step_url(following))

    look(f"{len(PIJLERS) + 1}-prioriteiten")
    choose_priorities(page)
    go_next(page, step_url("over-u"))
    look(f"{len(PIJLERS) + 2}-over-u")
    go_next(page, page_url("/contact"))
    look(f"{len(PIJLERS) + 3}-contact")
    go_next(page, page_url("/controle"))
    look(f"{len(PIJLERS) + 4}-review")
    page.locator(SEND).click()
    settle(page, page_url("/bedankt"))
    look(f"{len(PIJLERS) + 5}-thanks")
    expect(page.locator("main h1")).to_be_visible()

    assert not problems, "Arabic at 320 px:\n" + "\n".join(problems)
    tab.assert_no_errors()


# --- 4. Read aloud -----------------------------------------------------------------------------

SPEECH_STUB = """((voiceLang) => {
  window.__spoken = [];
  const synth = window.speechSynthesis;
  const voice = {
    lang: voiceLang, name: "stub", voiceURI: "stub", localService: true, default: true,
  };
  synth.getVoices = () => [voice];
  synth.cancel = () => {};
  synth.speak = (utterance) => {
    window.__spoken.push({text: utterance.text, lang: utterance.lang});
  };
  // The stub is no real SpeechSynthesisVoice, which utterance.voice would refuse.
  const voices = new WeakMap();
  Object.defineProperty(SpeechSynthesisUtterance.prototype, "voice", {
    configurable: true,
    get() { return voices.get(this) || null; },
    set(value) { voices.set(this, value); },
  });
})(%s);"""


def open_first_pijler_with_voice(open_tab: OpenTab, code: str, voice_lang: str) -> Tab:
    tab = open_tab(width=360, height=640, javascript=True)
    page = tab.page
    page.add_init_script(SPEECH_STUB % repr(voice_lang))
    choose_language(page, code, f"/s/{SLUG}")
    page.locator(START).click()
    settle(page, step_url(PIJLERS[0]))
    return tab


@pytest.mark.parametrize("code", LANGUAGES)
def test_read_aloud_only_with_a_voice_for_the_language(open_tab: OpenTab, code: str) -> None:
    # A voice for the page's language: the buttons show, and speak the question in that language.
    tab = open_first_pijler_with_voice(open_tab, code, f"{code}-XX")
    page = tab.page
    buttons = page.locator("main [data-read-aloud]")
    for moment in ("after the boosted swap", "after a full page load"):
        if moment == "after a full page load":
            page.reload()
            settle(page)
        assert buttons.count() > 0
        for index in range(buttons.count()):
            expect(buttons.nth(index), f"read-aloud button {index} {moment}").to_be_visible()

    button = buttons.first
    question_id = button.get_attribute("data-read-aloud")
    question_text = page.locator(f"#{question_id} .question-text").inner_text().strip()
    assert question_text
    button.click()
    page.wait_for_function("() => window.__spoken.length > 0")
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1, spoken
    assert question_text in spoken[0]["text"], spoken
    assert spoken[0]["lang"] == code, spoken

    # Only a voice for another language: no buttons.
    other = "en" if code == "nl" else "nl"
    silent = open_first_pijler_with_voice(open_tab, code, f"{other}-XX")
    quiet = silent.page.locator("main [data-read-aloud]")
    for moment in ("after the boosted swap", "after a full page load"):
        if moment == "after a full page load":
            silent.page.reload()
            settle(silent.page)
        assert quiet.count() > 0
        for index in range(quiet.count()):
            expect(quiet.nth(index), f"read-aloud button {index} {moment}").to_be_hidden()

    for each in (tab, silent):
        foreign = [url for url in each.requests if not url.startswith(each.origin + "/")]
        assert not foreign, f"requests to another origin: {foreign}"
        each.assert_no_errors()


# --- 5. Visible focus --------------------------------------------------------------------------

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    element: el.outerHTML.slice(0, 120),
    outlineStyle: style.outlineStyle,
    outlineWidth: style.outlineWidth,
    boxShadow: style.boxShadow,
  };
}"""


def focus_indicator_problem(page: Page, what: str) -> str | None:
    style = page.evaluate(FOCUS_STYLE)
    outline = style["outlineStyle"] != "none" and style["outlineWidth"] not in ("0px", "")
    shadow = style["boxShadow"] not in ("none", "")
    if outline or shadow:
        return None
    return f"{what} has no visible focus indicator: {style}"


def test_keyboard_focus_is_visible(open_tab: OpenTab) -> None:
    tab = open_tab(width=360, height=640, javascript=True)
    page = tab.page
    page.goto(f"/s/{SLUG}")
    page.locator(START).click()
    settle(page, step_url(PIJLERS[0]))
    page.reload()  # a fresh page: Tab starts at the top
    settle(page)

    problems = []
    tab_to(page, "a.site-name")
    problems.append(focus_indicator_problem(page, "the site-name link"))
    tab_to(page, ".language-switcher button")
    problems.append(focus_indicator_problem(page, "a language-switcher button"))
    tab_to(page, f"input[type=radio][name='{PIJLERS[0]}.tevredenheid']")
    problems.append(focus_indicator_problem(page, "a radio"))
    tab_to(page, NEXT)
    problems.append(focus_indicator_problem(page, "the 'Volgende' button"))
    found = [problem for problem in problems if problem]
    assert not found, "\n".join(found)
    tab.assert_no_errors()
