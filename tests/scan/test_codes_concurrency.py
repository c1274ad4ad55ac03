"""Fifty households send with the same access code at the same moment, against a running server.

Exactly one is accepted, the others hear the code was used (409); no 5xx, and never "database
is locked", on SQLite and on PostgreSQL. Each household has its own browser (cookies) and its
own address (``X-Forwarded-For``, which uvicorn trusts from 127.0.0.1), as behind a proxy.
"""

import http.client
import logging
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlmodel import Session, select

from app.scan import codes, service
from app.scan.models import AccessCode, Response, Scan
from app.security import csrf_token_for
from tests.conftest import SECRET
from tests.scan.resident import PAGES, answers_for

RESIDENTS = 50
SLUG = "planetenbuurt"
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 15.0
REQUEST_TIMEOUT_S = 60.0
FORM = {"content-type": "application/x-www-form-urlencoded"}


def _health_ok(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
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
def server(app: FastAPI, demo: None) -> Iterator[str]:
    """The app (this test's database, demo loaded) served by uvicorn on a free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
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
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        timeout_graceful_shutdown=5,
    )
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(
        target=uvicorn_server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _health_ok(port):
        if not thread.is_alive() or time.monotonic() > deadline:
            uvicorn_server.should_exit = True
            thread.join(STOP_TIMEOUT_S)
            sock.close()
            pytest.fail(f"uvicorn on port {port} did not answer /healthz", pytrace=False)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uvicorn_server.should_exit = True
        thread.join(STOP_TIMEOUT_S)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


def one_code(session: Session) -> str:
    scan = session.exec(select(Scan).where(Scan.slug == SLUG)).one()
    scan.access_mode = "codes"
    session.add(scan)
    session.commit()
    (code,) = service.generate_codes(session, scan, count=1, secret_key=SECRET)
    session.commit()
    return codes.format_code(code)


def browser(origin: str, number: int, cookies: httpx.Cookies | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=origin,
        follow_redirects=False,
        timeout=REQUEST_TIMEOUT_S,
        cookies=cookies,
        headers={"X-Forwarded-For": f"10.4.{number // 250}.{number % 250 + 1}"},
    )


def household(origin: str, number: int, code: str) -> tuple[httpx.Client, str]:
    """A household that typed the code and answered every page: its browser and CSRF token.

    The browser returned has no open connection yet (the one used here may have idled out),
    so every send below starts at the barrier on a fresh connection.
    """
    with browser(origin, number) as getting_ready:
        assert getting_ready.get("/").status_code == 200
        token = csrf_token_for(SECRET, getting_ready.cookies["csrf"])
        entered = getting_ready.post(f"/s/{SLUG}/code", data={"code": code, "csrf_token": token})
        assert entered.status_code == 303, entered.text
        for page in PAGES:
            fields = urlencode([*answers_for(page), ("nav", "next"), ("csrf_token", token)])
            saved = getting_ready.post(f"/s/{SLUG}/stap/{page}", content=fields, headers=FORM)
            assert saved.status_code == 303, saved.text
        return browser(origin, number, getting_ready.cookies), token


def test_fifty_submits_with_one_code_accept_exactly_one(
    server: str, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    code = one_code(session)
    with ThreadPoolExecutor(max_workers=8) as pool:  # getting ready may overlap; sending must
        households = list(pool.map(lambda n: household(server, n, code), range(RESIDENTS)))
    barrier = threading.Barrier(RESIDENTS)
    outcomes: list[tuple[int, str, str]] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def send(client: httpx.Client, token: str) -> None:
        try:
            barrier.wait(timeout=REQUEST_TIMEOUT_S)
            answer = client.post(f"/s/{SLUG}/verstuur", data={"csrf_token": token})
            with lock:
                outcomes.append(
                    (answer.status_code, answer.headers.get("location", ""), answer.text)
                )
        except BaseException as error:
            with lock:
                failures.append(error)

    threads = [threading.Thread(target=send, args=pair) for pair in households]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT_S * 2)
    for client, _token in households:
        client.close()

    assert failures == []
    assert Counter(status for status, _, _ in outcomes) == {303: 1, 409: 49}
    assert [where for status, where, _ in outcomes if status == 303] == [f"/s/{SLUG}/bedankt"]
    assert not [body for _, _, body in outcomes if "database is locked" in body.lower()]
    assert "database is locked" not in caplog.text.lower()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    session.rollback()  # ends the snapshot: see what the server wrote
    sent = [r for r in session.exec(select(Response)).all() if r.submitted_at is not None]
    assert len(sent) == 1
    assert len(session.exec(select(Response)).all()) == RESIDENTS  # the others' answers kept
    (row,) = session.exec(select(AccessCode)).all()
    assert row.used_on is not None
    assert row.used_channel == "online"
