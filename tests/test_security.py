"""Security basics on every page: headers, no third-party origins, CSRF cookie, health."""

import re

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.usefixtures("demo")
PAGES = ["/", "/s/planetenbuurt", "/s/planetenbuurt/verder", "/s/bestaat-niet"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_the_security_headers(client: TestClient, path: str) -> None:
    page = client.get(path)
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_another_origin(client: TestClient, path: str) -> None:
    html = client.get(path).text
    assert re.findall(r'(?:src|href|action)="(?:https?:)?//', html) == []
    assert "<script>" not in html  # no inline script
    assert " style=" not in html  # no inline style attributes


def test_htmx_is_vendored_with_no_history_cache(client: TestClient) -> None:
    page = client.get("/")
    assert '"historyCacheSize": 0' in page.text
    script = re.search(r'src="(/static/vendor/htmx/htmx.min.js\?v=\w+)"', page.text)
    assert script is not None
    asset = client.get(script.group(1))
    assert asset.status_code == 200
    assert 'version:"2.0.11"' in asset.text
    assert "immutable" in asset.headers["cache-control"]


def test_the_csrf_cookie_is_http_only_and_same_site(client: TestClient) -> None:
    page = client.get("/")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("csrf=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_healthz(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}


def test_pages_are_gzipped_for_real_browsers(client: TestClient) -> None:
    # The test client's template hook skips compression; a raw ASGI call does not have it.
    import asyncio
    import threading

    from app.main import create_app

    app = create_app()
    sent: list[dict[str, object]] = []

    async def call() -> None:
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/",
            "raw_path": b"/",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"accept-encoding", b"gzip"), (b"host", b"x")],
            "scheme": "http",
            "server": ("x", 80),
            "client": ("127.0.0.1", 1),
            "http_version": "1.1",
            "app": app,
        }

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        await app(scope, receive, send)

    # Its own thread and loop: a browser test may leave an event loop running in this one.
    worker = threading.Thread(target=asyncio.run, args=(call(),))
    worker.start()
    worker.join()
    app.state.engine.dispose()
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = dict(start["headers"])  # type: ignore[arg-type]
    assert headers[b"content-encoding"] == b"gzip"
