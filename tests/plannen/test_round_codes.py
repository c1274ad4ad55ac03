"""Voting codes for staff: a batch is a CSV once (``code,link``, the code only after ``#``),
the database keeps keyed hashes only, and the audit log never holds a code."""

import csv
import io
import json
import re
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select as select_all
from sqlmodel import Session, select

from app.db import metadata
from app.plannen.models import VoteCode
from app.plannen.vote_service import hash_vote_code
from app.scan import codes
from app.staff.models import AuditEntry
from tests.conftest import SECRET
from tests.plannen.round_factories import (
    context,
    log_in_as,
    make_codes,
    make_plan,
    make_round,
    send,
    template_name,
)

pytestmark = pytest.mark.usefixtures("demo")
SHOWN = re.compile(r"^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$")


def codes_url(round_id: int | str) -> str:
    return f"/staff/stemrondes/{round_id}/codes"


def stored_codes(session: Session) -> list[VoteCode]:
    session.rollback()
    return list(session.exec(select(VoteCode)).all())


def every_stored_text(session: Session) -> str:
    """Every row of every table as text: a plain code must be nowhere in it."""
    session.rollback()
    dump = []
    for table in metadata.sorted_tables:
        rows = session.execute(select_all(table)).all()
        dump.extend(json.dumps([str(v) for v in row]) for row in rows)
    return "\n".join(dump)


def test_a_batch_is_answered_as_a_csv_with_the_code_only_in_the_links_fragment(
    client: TestClient, session: Session
) -> None:
    plan, _ = make_plan(session)
    vote_round = make_round(session, plan, status="draft")
    log_in_as(client, session, "facilitator")
    response = send(client, codes_url(vote_round.id or 0), {"count": "25"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"] == "no-store"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["code", "link"]
    assert len(rows) == 26
    shown = [code for code, _ in rows[1:]]
    assert len(set(shown)) == 25
    for code, link in rows[1:]:
        assert SHOWN.match(code)
        parts = urlsplit(link)
        assert parts.path == "/s/planetenbuurt/stemmen"
        assert parts.fragment == code
        assert code not in parts.path
        assert not parts.query

    stored = stored_codes(session)
    assert len(stored) == 25
    assert {c.vote_round_id for c in stored} == {vote_round.id}
    assert all(c.used_on is None and c.exported for c in stored)
    plain = [codes.normalize_code(code) or "" for code in shown]
    assert {c.code_hash for c in stored} == {hash_vote_code(SECRET, p) for p in plain}
    dump = every_stored_text(session)
    assert not any(p in dump or s in dump for p, s in zip(plain, shown, strict=True))

    [entry] = session.exec(
        select(AuditEntry).where(AuditEntry.action == "vote.codes_generate")
    ).all()
    assert entry.detail["count"] == 25
    assert not any(p in json.dumps(entry.detail) for p in plain)


def test_the_codes_page_counts_codes_per_batch_and_channel(
    client: TestClient, session: Session
) -> None:
    plan, _ = make_plan(session)
    vote_round = make_round(session, plan, status="draft")
    log_in_as(client, session, "facilitator")
    empty = client.get(codes_url(vote_round.id or 0))
    assert empty.status_code == 200
    assert template_name(empty) == "plannen/round_codes.html"
    assert context(empty)["batches"] == []
    assert send(client, codes_url(vote_round.id or 0), {"count": "3"}).status_code == 200
    assert send(client, codes_url(vote_round.id or 0), {"count": "2"}).status_code == 200
    page = context(client.get(codes_url(vote_round.id or 0)))
    assert [(b.number, b.issued, b.unused) for b in page["batches"]] == [(1, 3, 3), (2, 2, 2)]
    assert page["total"].issued == 5


@pytest.mark.parametrize("typed", ["", "0", "20001", "abc", "-5", "2.5x", "1e3"])
def test_a_bad_count_is_refused_and_no_code_is_made(
    client: TestClient, session: Session, typed: str
) -> None:
    plan, _ = make_plan(session)
    vote_round = make_round(session, plan, status="draft")
    log_in_as(client, session, "facilitator")
    response = send(client, codes_url(vote_round.id or 0), {"count": typed})
    assert response.status_code == 422
    assert template_name(response) == "plannen/round_codes.html"
    assert context(response)["error"]
    assert 'aria-invalid="true"' in response.text
    assert stored_codes(session) == []


def test_an_open_round_has_no_codes(client: TestClient, session: Session) -> None:
    plan, _ = make_plan(session)
    vote_round = make_round(session, plan, eligibility="open", status="draft")
    log_in_as(client, session, "facilitator")
    assert client.get(codes_url(vote_round.id or 0)).status_code == 409
    assert send(client, codes_url(vote_round.id or 0), {"count": "3"}).status_code == 409
    assert stored_codes(session) == []


def test_a_closed_round_gets_no_new_codes(client: TestClient, session: Session) -> None:
    plan, _ = make_plan(session)
    vote_round = make_round(session, plan, status="closed")
    make_codes(session, vote_round, 2)
    log_in_as(client, session, "facilitator")
    page = client.get(codes_url(vote_round.id or 0))
    assert page.status_code == 200
    assert 'id="codes-closed"' in page.text
    assert send(client, codes_url(vote_round.id or 0), {"count": "3"}).status_code == 409
    assert len(stored_codes(session)) == 2


@pytest.mark.parametrize(("role", "expected"), [("partner", 403), ("anonymous", 303)])
def test_only_vote_managers_make_codes(
    client: TestClient, session: Session, role: str, expected: int
) -> None:
    plan, _ = make_plan(session)
    vote_round = make_round(session, plan, status="draft")
    log_in_as(client, session, role)
    assert send(client, codes_url(vote_round.id or 0), {"count": "3"}).status_code == expected
    assert stored_codes(session) == []
