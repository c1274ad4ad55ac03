"""Free-text remarks for inbox, theme and moderation tests: plain keyword factories."""

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.plannen.models import Remark, Theme
from app.scan.models import Answer, Question, Response
from tests.monitoring.factories import scan_id
from tests.staff.helpers import csrf, log_in, make_user

SUBMITTED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}


def question_id(session: Session, scan: int, key: str) -> int:
    found = session.exec(
        select(Question.id).where(Question.scan_id == scan, Question.key == key)
    ).first()
    assert found is not None, key
    return found


def add_remark(
    session: Session,
    scan: int,
    text: str,
    *,
    key: str = "wonen.knelpunt",
    language: str = "nl",
    submitted_at: datetime | None = SUBMITTED,
    helpen: str | None = None,
) -> int:
    """One response with one free-text answer (and its "helpen" answer); the answer's id."""
    response = Response(
        scan_id=scan,
        language=language,
        started_at=submitted_at or SUBMITTED,
        submitted_at=submitted_at,
    )
    session.add(response)
    session.flush()
    answer = Answer(
        response_id=response.id,
        question_id=question_id(session, scan, key),
        text=text,
        language=language,
    )
    session.add(answer)
    if helpen is not None:
        pijler = key.split(".")[0]
        session.add(
            Answer(
                response_id=response.id,
                question_id=question_id(session, scan, f"{pijler}.helpen"),
                value=helpen,
            )
        )
    session.commit()
    assert answer.id is not None
    return answer.id


def add_theme(session: Session, scan: int, name: str) -> int:
    theme = Theme(scan_id=scan, name=name)
    session.add(theme)
    session.commit()
    assert theme.id is not None
    return theme.id


def remark(session: Session, answer_id: int) -> Remark | None:
    session.rollback()
    return session.get(Remark, answer_id, populate_existing=True)


def log_in_as(client: TestClient, session: Session, role: str) -> None:
    if role != "anonymous":
        log_in(client, make_user(session, role=role))


def inbox_url(scan: int | str, query: str = "") -> str:
    return f"/staff/scans/{scan}/inbreng{query}"


def themes_url(scan: int | str) -> str:
    return f"/staff/scans/{scan}/themas"


def context(response: httpx.Response) -> dict[str, Any]:
    found: dict[str, Any] = response.context  # type: ignore[attr-defined]
    return found


__all__ = ["HTMX", "SUBMITTED", "scan_id"]
OTHER_SLUG = "leeuwerikplein"


def send(
    client: TestClient,
    path: str,
    data: dict[str, str | list[str]] | None = None,
    *,
    htmx: bool = False,
) -> httpx.Response:
    """A form post with the CSRF token; a field may hold several values (checkboxes)."""
    return client.post(
        path, data={**(data or {}), "csrf_token": csrf(client)}, headers=HTMX if htmx else {}
    )
