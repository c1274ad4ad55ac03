"""Real-browser fixtures: the app served by uvicorn on a free port, and Debian's Chromium.

The browser tests check the browser side (htmx, CSS, focus, CSP), so they run on SQLite only:
``database_url`` is overridden here without the PostgreSQL parameter.

Chromium is Debian's ``/usr/bin/chromium``, driven by Playwright; no browser is downloaded.
When it is missing the tests fail (they do not skip): the launch happens inside the test.
"""

import http.client
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots for people to look at, outside the repo)
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 15.0
ACTION_TIMEOUT_MS = 10_000

expect.set_options(timeout=ACTION_TIMEOUT_MS)


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only (overrides the parametrized fixture of ``tests/conftest.py``)."""
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def _health_ok(origin: str) -> bool:
    host, port = origin.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=2)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        connection.close()


@pytest.fixture
def live_server(app: FastAPI, demo: None) -> Iterator[str]:
    """The app (per-test database, demo data loaded) on 127.0.0.1; yields its origin."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # the kernel picks a free port; uvicorn serves this socket
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        ws="none",
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True
    )
    thread.start()
    origin = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _health_ok(origin):
        if not thread.is_alive():
            sock.close()
            pytest.fail(f"uvicorn stopped before {origin}/healthz answered", pytrace=False)
        if time.monotonic() > deadline:
            server.should_exit = True
            thread.join(STOP_TIMEOUT_S)
            sock.close()
            pytest.fail(
                f"{origin}/healthz did not answer 200 within {START_TIMEOUT_S}s", pytrace=False
            )
        time.sleep(0.05)
    try:
        yield origin
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_S)
        sock.close()
        assert not thread.is_alive(), f"uvicorn on {origin} did not stop"


class Chromium:
    """The session's Chromium, launched on first use so that a missing binary fails the test."""

    def __init__(self, playwright: Playwright) -> None:
        self.playwright = playwright
        self._browser: Browser | None = None

    def get(self) -> Browser:
        if self._browser is None:
            if not CHROMIUM.exists():
                pytest.fail(
                    f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium "
                    "package (apt-get install chromium). Do not run `playwright install`.",
                    pytrace=False,
                )
            try:
                self._browser = self.playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
            except PlaywrightError as error:
                pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
        return self._browser

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    with sync_playwright() as playwright:
        browser = Chromium(playwright)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A page and what it did: every request, console errors, uncaught errors, 5xx answers."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("request", self._on_request)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("response", self._on_response)

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} (at {message.location})")

    def _on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def assert_no_errors(self) -> None:
        assert not self.server_errors, f"server errors: {self.server_errors}"
        assert not self.page_errors, f"uncaught JavaScript errors: {self.page_errors}"


@pytest.fixture
def open_tab(chromium: Chromium, live_server: str) -> Iterator[Callable[..., Tab]]:
    """Opens a page in a new browser context (own cookies); all are closed after the test."""
    contexts: list[BrowserContext] = []

    def factory(
        *, width: int = 360, height: int = 640, javascript: bool = True, bypass_csp: bool = False
    ) -> Tab:
        # bypass_csp: only for injecting test tools (axe-core) as an inline script; the app's
        # own CSP forbids inline scripts, which is what the other tests rely on.
        context = chromium.get().new_context(
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            base_url=live_server,
            locale="nl-NL",
            timezone_id="Europe/Amsterdam",
        )
        contexts.append(context)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        return Tab(context.new_page(), live_server)

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's source, from npm (``npm ci``); injected into pages, never fetched by them."""
    if not AXE.is_file():
        pytest.fail(
            f"axe-core not found at {AXE}: run `npm ci` in the repository (package-lock.json "
            "pins axe-core).",
            pytrace=False,
        )
    return AXE.read_text(encoding="utf-8")
