"""Fifty households cast a ballot with the same voting code at the same moment, against a
running server: exactly one ballot counts, the others hear the code was used (409); no 5xx,
and never "database is locked", on SQLite and on PostgreSQL.

Each household has its own browser (cookies) and address (``X-Forwarded-For``, trusted from
127.0.0.1 as behind a proxy); the live-server fixture is the one of the scan's codes test.
"""

import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from app.plannen.models import Ballot, BallotLine, VoteCode
from app.security import csrf_token_for
from tests.conftest import SECRET
from tests.plannen.vote_factories import SLUG, make_codes, make_plan, make_round
from tests.scan.test_codes_concurrency import REQUEST_TIMEOUT_S, browser, server  # noqa: F401

RESIDENTS = 50


def household(origin: str, number: int, code: str) -> tuple[httpx.Client, str]:
    """A household that typed the code and has the ballot open: its browser and CSRF token."""
    with browser(origin, number) as getting_ready:
        assert getting_ready.get("/").status_code == 200
        token = csrf_token_for(SECRET, getting_ready.cookies["csrf"])
        entered = getting_ready.post(
            f"/s/{SLUG}/stemmen/code", data={"code": code, "csrf_token": token}
        )
        assert entered.status_code == 303, entered.text
        assert getting_ready.get(f"/s/{SLUG}/stemmen/stembiljet").status_code == 200
        return browser(origin, number, getting_ready.cookies), token


def test_fifty_ballots_with_one_code_count_exactly_one(
    server: str,  # noqa: F811
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan)
    (code,) = make_codes(session, vote_round)
    fields = {f"m-{measures[0].id}": "600", f"m-{measures[2].id}": "400"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        households = list(pool.map(lambda n: household(server, n, code), range(RESIDENTS)))
    barrier = threading.Barrier(RESIDENTS)
    outcomes: list[tuple[int, str, str]] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def send(client: httpx.Client, token: str) -> None:
        try:
            barrier.wait(timeout=REQUEST_TIMEOUT_S)
            answer = client.post(
                f"/s/{SLUG}/stemmen/stembiljet", data={**fields, "csrf_token": token}
            )
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
    assert Counter(status for status, _, _ in outcomes) == {303: 1, 409: RESIDENTS - 1}
    assert [where for status, where, _ in outcomes if status == 303] == [
        f"/s/{SLUG}/stemmen/bedankt"
    ]
    assert not [body for _, _, body in outcomes if "database is locked" in body.lower()]
    assert "database is locked" not in caplog.text.lower()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    session.rollback()  # ends the snapshot: see what the server wrote
    assert session.exec(select(func.count()).select_from(Ballot)).one() == 1
    assert session.exec(select(func.count()).select_from(BallotLine)).one() == 2
    row = session.exec(select(VoteCode)).one()
    assert row.used_on is not None
    assert row.used_channel == "online"
