"""Fabricated responses for progress tests: plain keyword factories with bulk inserts."""

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.scan.models import Answer, Question, Response, Scan


def scan_id(session: Session, slug: str = "planetenbuurt") -> int:
    found = session.exec(select(Scan.id).where(Scan.slug == slug)).first()
    assert found is not None
    return found


def make_responses(
    session: Session,
    scan: int,
    count: int = 1,
    *,
    started_at: datetime,
    submitted_at: datetime | None = None,
    channel: str = "online",
    language: str = "nl",
    last_page: str | None = None,
    answers: Mapping[str, Sequence[str]] | None = None,
) -> list[uuid.UUID]:
    """``count`` alike responses in two bulk inserts; ``answers`` maps a question key to values."""
    ids = [uuid.uuid4() for _ in range(count)]
    response_rows: list[dict[str, Any]] = [
        {
            "id": response_id,
            "scan_id": scan,
            "language": language,
            "channel": channel,
            "started_at": started_at,
            "updated_at": submitted_at or started_at,
            "submitted_at": submitted_at,
            "last_page": last_page,
        }
        for response_id in ids
    ]
    session.execute(insert(Response), response_rows)
    if answers:
        rows = session.exec(
            select(Question.key, Question.id, Question.kind).where(
                Question.scan_id == scan, col(Question.key).in_(list(answers))
            )
        ).all()
        question_ids = {key: question_id for key, question_id, _ in rows}
        # As the forms store them: a ranking's position is the rank (from 1), a multiple
        # choice's the order of choice (from 0).
        first = {key: 1 if kind == "ranking" else 0 for key, _, kind in rows}
        answer_rows = [
            {
                "response_id": response_id,
                "question_id": question_ids[key],
                "position": position,
                "value": value,
            }
            for response_id in ids
            for key, values in answers.items()
            for position, value in enumerate(values, start=first[key])
        ]
        session.execute(insert(Answer), answer_rows)
    session.commit()
    return ids
