"""Moderation: hiding with a reason, the original kept for beheerders only, audited; quotes."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.plannen.models import Remark
from app.plannen.remark_queries import InboxPage, quotes
from app.staff.models import AuditEntry
from tests.plannen.remark_factories import (
    OTHER_SLUG,
    SUBMITTED,
    add_remark,
    context,
    inbox_url,
    log_in_as,
    remark,
    scan_id,
    send,
)

ROLES = ["anonymous", "partner", "facilitator", "beheerder"]
SECRET_TEXT = "Mijn buurman Jan de Vries op nummer 12 maakt lawaai"


def hide_path(scan: int, answer: int | str) -> str:
    return f"{inbox_url(scan)}/{answer}/verbergen"


@pytest.mark.parametrize("action", ["verbergen", "tonen"])
@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, [303, 403, 303, 303], strict=True)))
def test_who_may_moderate(
    client: TestClient, session: Session, demo: None, role: str, expected: int, action: str
) -> None:
    scan = scan_id(session)
    answer = add_remark(session, scan, SECRET_TEXT)
    log_in_as(client, session, role)
    response = send(client, f"{inbox_url(scan)}/{answer}/{action}", {"reden": "naam genoemd"})
    assert response.status_code == expected
    if role == "partner":
        assert remark(session, answer) is None


@pytest.mark.parametrize("htmx", [False, True])
def test_hiding_keeps_the_text_records_why_and_is_audited(
    client: TestClient, session: Session, demo: None, htmx: bool
) -> None:
    scan = scan_id(session)
    answer = add_remark(session, scan, SECRET_TEXT)
    log_in_as(client, session, "facilitator")
    response = send(
        client,
        hide_path(scan, answer),
        {"reden": " naam genoemd ", "terug": "?q=lawaai"},
        htmx=htmx,
    )
    if htmx:
        assert response.status_code == 200
        assert 'class="remark remark-hidden"' in response.text
        assert SECRET_TEXT not in response.text
        assert "naam genoemd" in response.text
    else:
        assert response.status_code == 303
        assert response.headers["location"] == inbox_url(scan, f"?q=lawaai#remark-{answer}")
    hidden = remark(session, answer)
    assert hidden is not None
    assert hidden.hidden_reason == "naam genoemd"
    assert hidden.hidden_at is not None
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "remark.hide")).one()
    assert (entry.target_type, entry.target_id) == ("answer", str(answer))
    assert entry.detail["reason"] == "naam genoemd"
    assert SECRET_TEXT not in str(entry.detail)


@pytest.fixture
def hidden_remark(session: Session, demo: None) -> tuple[int, int]:
    scan = scan_id(session)
    answer = add_remark(session, scan, SECRET_TEXT)
    add_remark(session, scan, "Te weinig lantaarnpalen")
    session.add(Remark(answer_id=answer, hidden_reason="persoonsgegevens", hidden_at=SUBMITTED))
    session.commit()
    return scan, answer


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(("role", "sees_original"), [("facilitator", False), ("beheerder", True)])
def test_the_hidden_original_only_for_beheerders(
    client: TestClient,
    session: Session,
    hidden_remark: tuple[int, int],
    role: str,
    sees_original: bool,
    htmx: bool,
) -> None:
    scan, answer = hidden_remark
    log_in_as(client, session, role)
    response = client.get(inbox_url(scan), headers={"HX-Request": "true"} if htmx else {})
    page: InboxPage = context(response)["page"]
    row = next(row for row in page.rows if row.answer_id == answer)
    assert row.hidden
    assert row.hidden_reason == "persoonsgegevens"
    assert (row.text == SECRET_TEXT) is sees_original
    assert (SECRET_TEXT in response.text) is sees_original
    assert "persoonsgegevens" in response.text
    assert "Te weinig lantaarnpalen" in response.text


@pytest.mark.parametrize(("role", "found"), [("facilitator", False), ("beheerder", True)])
def test_search_does_not_reveal_hidden_text(
    client: TestClient, session: Session, hidden_remark: tuple[int, int], role: str, found: bool
) -> None:
    scan, answer = hidden_remark
    log_in_as(client, session, role)
    response = client.get(inbox_url(scan), params={"q": "Jan de Vries"})
    rows = context(response)["page"].rows
    assert ([row.answer_id for row in rows] == [answer]) is found
    assert context(response)["page"].total == (1 if found else 0)


def test_showing_again(
    client: TestClient, session: Session, hidden_remark: tuple[int, int]
) -> None:
    scan, answer = hidden_remark
    log_in_as(client, session, "facilitator")
    response = send(client, f"{inbox_url(scan)}/{answer}/tonen")
    assert response.status_code == 303
    shown = remark(session, answer)
    assert shown is not None
    assert (shown.hidden_at, shown.hidden_reason) == (None, None)
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "remark.show")).one()


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_a_reason_is_required_and_limited(
    client: TestClient, session: Session, demo: None, reason: str, htmx: bool
) -> None:
    scan = scan_id(session)
    answer = add_remark(session, scan, SECRET_TEXT)
    log_in_as(client, session, "facilitator")
    response = send(client, hide_path(scan, answer), {"reden": reason}, htmx=htmx)
    assert response.status_code == 422
    assert "reason" in context(response)["row_errors"][answer]
    assert ("<html" in response.text) is not htmx
    assert f'id="reason-{answer}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert remark(session, answer) is None
    assert not session.exec(select(AuditEntry).where(AuditEntry.action == "remark.hide")).all()


@pytest.mark.parametrize("which", ["other_scan", "unknown", "not_submitted", "not_a_number"])
def test_moderating_outside_the_scan_is_404(
    client: TestClient, session: Session, demo: None, which: str
) -> None:
    scan = scan_id(session)
    answer: int | str
    if which == "other_scan":
        answer = add_remark(session, scan_id(session, OTHER_SLUG), SECRET_TEXT)
    elif which == "not_submitted":
        answer = add_remark(session, scan, SECRET_TEXT, submitted_at=None)
    elif which == "unknown":
        answer = 987654
    else:
        answer = "abc"
    log_in_as(client, session, "facilitator")
    response = send(client, hide_path(scan, answer), {"reden": "naam"})
    assert response.status_code in ((404,) if which != "not_a_number" else (404, 422))
    if isinstance(answer, int):
        assert remark(session, answer) is None


def test_quotes_on_and_off(client: TestClient, session: Session, demo: None) -> None:
    scan = scan_id(session)
    answer = add_remark(session, scan, "Het buurthuis is ons tweede thuis", key="leefomgeving.idee")
    log_in_as(client, session, "facilitator")
    path = f"{inbox_url(scan)}/{answer}/citaat"
    assert send(client, path, {"citaat": "1"}).status_code == 303
    session.rollback()
    found = quotes(session, scan)
    assert [(q.answer_id, q.text, q.kind, q.language) for q in found] == [
        (answer, "Het buurthuis is ons tweede thuis", "idee", "nl")
    ]
    assert send(client, path, {"citaat": "0"}).status_code == 303
    session.rollback()
    assert quotes(session, scan) == []
    actions = session.exec(
        select(AuditEntry.detail).where(AuditEntry.action == "remark.quote")
    ).all()
    assert [detail["on"] for detail in actions] == [True, False]


def test_a_hidden_remark_cannot_be_a_quote(
    client: TestClient, session: Session, hidden_remark: tuple[int, int]
) -> None:
    scan, answer = hidden_remark
    log_in_as(client, session, "facilitator")
    response = send(client, f"{inbox_url(scan)}/{answer}/citaat", {"citaat": "1"})
    assert response.status_code == 409
    assert not remark(session, answer).is_quote  # type: ignore[union-attr]
    assert quotes(session, scan) == []


def test_hiding_a_quote_ends_the_quote(client: TestClient, session: Session, demo: None) -> None:
    scan = scan_id(session)
    answer = add_remark(session, scan, SECRET_TEXT)
    session.add(Remark(answer_id=answer, is_quote=True))
    session.commit()
    log_in_as(client, session, "beheerder")
    assert send(client, hide_path(scan, answer), {"reden": "naam"}).status_code == 303
    assert not remark(session, answer).is_quote  # type: ignore[union-attr]
    assert quotes(session, scan) == []


@pytest.mark.parametrize("role", ["partner"])
def test_partner_cannot_quote(client: TestClient, session: Session, demo: None, role: str) -> None:
    scan = scan_id(session)
    answer = add_remark(session, scan, "Mooi park")
    log_in_as(client, session, role)
    assert send(client, f"{inbox_url(scan)}/{answer}/citaat", {"citaat": "1"}).status_code == 403
    assert remark(session, answer) is None
