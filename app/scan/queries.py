"""Every read of the scan feature. Plain functions, session first, never committing."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Result, String, cast, func, or_
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.programme.models import Buurt, Pijler
from app.scan.models import AccessCode, Answer, Contact, Question, Response, Scan


def scan_with_buurt(session: Session, slug: str) -> tuple[Scan, Buurt] | None:
    row = session.exec(select(Scan, Buurt).join(Buurt).where(Scan.slug == slug)).first()
    return (row[0], row[1]) if row else None


def open_scans(session: Session, today: date) -> list[tuple[Scan, Buurt]]:
    """Scans taking answers today, by buurt name (the same rule as ``rules.scan_state``)."""
    rows = session.exec(
        select(Scan, Buurt)
        .join(Buurt)
        .where(
            Scan.status == "open",
            or_(col(Scan.starts_on).is_(None), col(Scan.starts_on) <= today),
            or_(col(Scan.ends_on).is_(None), col(Scan.ends_on) >= today),
        )
        .order_by(col(Buurt.name), col(Scan.id))
    ).all()
    return [(scan, buurt) for scan, buurt in rows]


def all_scans(session: Session) -> list[tuple[Scan, Buurt]]:
    rows = session.exec(select(Scan, Buurt).join(Buurt).order_by(col(Buurt.name), col(Scan.id)))
    return [(scan, buurt) for scan, buurt in rows.all()]


def page_keys(session: Session, scan_id: int) -> list[str]:
    """The scan's question pages in questionnaire order."""
    first = func.min(Question.position)
    rows = session.exec(
        select(Question.page, first)
        .where(Question.scan_id == scan_id)
        .group_by(Question.page)
        .order_by(first)
    ).all()
    return [page for page, _ in rows]


def questions(session: Session, scan_id: int, page: str | None = None) -> list[Question]:
    query = select(Question).where(Question.scan_id == scan_id)
    if page is not None:
        query = query.where(Question.page == page)
    return list(session.exec(query.order_by(col(Question.position))).all())


def pijlers_by_id(session: Session) -> dict[int, Pijler]:
    return {p.id: p for p in session.exec(select(Pijler)).all() if p.id is not None}


def pijlers_by_key(session: Session) -> dict[str, Pijler]:
    return {p.key: p for p in session.exec(select(Pijler).order_by(col(Pijler.number))).all()}


def response(session: Session, response_id: uuid.UUID, scan_id: int) -> Response | None:
    return session.exec(
        select(Response).where(Response.id == response_id, Response.scan_id == scan_id)
    ).first()


def response_by_resume_hash(session: Session, scan_id: int, code_hash: str) -> Response | None:
    return session.exec(
        select(Response).where(Response.scan_id == scan_id, Response.resume_code_hash == code_hash)
    ).first()


def answers(session: Session, response_id: uuid.UUID) -> list[Answer]:
    return list(
        session.exec(
            select(Answer)
            .where(Answer.response_id == response_id)
            .order_by(col(Answer.question_id), col(Answer.position))
        ).all()
    )


def answered_question_ids(session: Session, response_id: uuid.UUID) -> set[int]:
    rows = session.exec(
        select(Answer.question_id).where(Answer.response_id == response_id).distinct()
    ).all()
    return set(rows)


def contact(session: Session, contact_id: uuid.UUID, scan_id: int) -> Contact | None:
    return session.exec(
        select(Contact).where(Contact.id == contact_id, Contact.scan_id == scan_id)
    ).first()


def access_code(session: Session, scan_id: int, code_hash: str) -> AccessCode | None:
    return session.exec(
        select(AccessCode).where(AccessCode.scan_id == scan_id, AccessCode.code_hash == code_hash)
    ).first()


def last_code_batch(session: Session, scan_id: int) -> int | None:
    return session.exec(
        select(func.max(AccessCode.batch)).where(AccessCode.scan_id == scan_id)
    ).one()


def submitted_counts_by_channel(session: Session, scan_id: int) -> dict[str, int]:
    """Submitted deelnames of a scan per channel (online, paper, conversation)."""
    rows = session.exec(
        select(Response.channel, func.count())
        .where(Response.scan_id == scan_id, col(Response.submitted_at).is_not(None))
        .group_by(col(Response.channel))
    ).all()
    return {channel: count for channel, count in rows}


# Imports of the export's queries: this file grows by appending, so they sit with them.


def export_responses(
    session: Session, scan_id: int, *, batch: int = 1000
) -> Result[str, str, str, datetime | None]:
    """The scan's submitted deelnames in response id order, ``batch`` rows at a time.

    Each comes with its id as text, the key to its answers in ``export_answers``. Read both
    in one transaction that sees one snapshot, or a deelname sent in between could miss its
    answers. The rows come from a server-side cursor: close the result when done.
    """
    # Core's select: SQLModel's cannot type the casts and tuples of a typed stream.
    query = (
        core_select(
            cast(col(Response.id), String),
            col(Response.channel),
            col(Response.language),
            col(Response.submitted_at),
        )
        .where(col(Response.scan_id) == scan_id, col(Response.submitted_at).is_not(None))
        .order_by(col(Response.id))
        .execution_options(yield_per=batch)
    )
    return session.connection().execute(query)


def export_answers(
    session: Session, scan_id: int, *, batch: int = 1000
) -> Result[str, int, str | None, str | None]:
    """The answer values of the scan's submitted deelnames, in the order of ``export_responses``.

    Within a response, by question and then answer position (the rank or order of choice),
    the order of the answer table's unique index. Each row starts with its response's id as
    text, not as a UUID: converting 300,000 of them costs more than the rest of the export.
    Never touches contact details.
    """
    query = (
        core_select(
            cast(col(Answer.response_id), String),
            col(Answer.question_id),
            col(Answer.value),
            col(Answer.text),
        )
        .join(Response, col(Response.id) == col(Answer.response_id))
        .where(col(Response.scan_id) == scan_id, col(Response.submitted_at).is_not(None))
        .order_by(col(Response.id), col(Answer.question_id), col(Answer.position))
        .execution_options(yield_per=batch)
    )
    return session.connection().execute(query)


def scan_with_buurt_by_id(session: Session, scan_id: int) -> tuple[Scan, Buurt] | None:
    row = session.exec(select(Scan, Buurt).join(Buurt).where(Scan.id == scan_id)).first()
    return (row[0], row[1]) if row else None


def code_batch_counts(session: Session, scan_id: int) -> list[tuple[int, bool, str | None, int]]:
    """A scan's access codes counted per batch, exported flag and channel used (None: unused)."""
    rows = session.exec(
        select(AccessCode.batch, AccessCode.exported, AccessCode.used_channel, func.count())
        .where(AccessCode.scan_id == scan_id)
        .group_by(col(AccessCode.batch), col(AccessCode.exported), col(AccessCode.used_channel))
        .order_by(col(AccessCode.batch))
    ).all()
    return [(batch, exported, channel, count) for batch, exported, channel, count in rows]


def buurten_with_scans(session: Session) -> list[tuple[Buurt, Scan | None]]:
    """Every buurt with each of its scans (or None when it has none), by buurt name."""
    rows = session.exec(
        select(Buurt, Scan)
        .outerjoin(Scan, col(Scan.buurt_id) == col(Buurt.id))
        .order_by(col(Buurt.name), col(Buurt.id), col(Scan.id))
    ).all()
    return [(buurt, scan) for buurt, scan in rows]


def scan_slug_taken(session: Session, slug: str) -> bool:
    return session.exec(select(Scan.id).where(Scan.slug == slug)).first() is not None


def question_of_scan(session: Session, scan_id: int, question_id: int) -> Question | None:
    return session.exec(
        select(Question).where(Question.id == question_id, Question.scan_id == scan_id)
    ).first()


def question_keys(session: Session, scan_id: int) -> set[str]:
    return set(session.exec(select(Question.key).where(Question.scan_id == scan_id)).all())


def has_submitted_responses(session: Session, scan_id: int) -> bool:
    found = session.exec(
        select(Response.id)
        .where(Response.scan_id == scan_id, col(Response.submitted_at).is_not(None))
        .limit(1)
    ).first()
    return found is not None


def question_has_answers(session: Session, question_id: int) -> bool:
    """Any saved answer, of a submitted deelname or of one still in progress."""
    found = session.exec(select(Answer.id).where(Answer.question_id == question_id).limit(1))
    return found.first() is not None


def answered_question_ids_of_scan(session: Session, scan_id: int) -> set[int]:
    """The scan's questions with any saved answer (submitted or in progress)."""
    rows = session.exec(
        select(Answer.question_id)
        .join(Question, col(Question.id) == col(Answer.question_id))
        .where(Question.scan_id == scan_id)
        .distinct()
    ).all()
    return set(rows)


def closed_scans_ended_by(session: Session, cutoff: date) -> list[tuple[int, str]]:
    """Closed scans whose end date is ``cutoff`` or earlier: (id, slug)."""
    rows = session.exec(
        select(Scan.id, Scan.slug).where(
            col(Scan.status) == "closed",
            col(Scan.ends_on).is_not(None),
            col(Scan.ends_on) <= cutoff,
        )
    ).all()
    return [(scan_id, slug) for scan_id, slug in rows if scan_id is not None]


def question_ids_of_scans(scan_ids: list[int]) -> SelectOfScalar[Any]:
    """The questions of these scans: a subquery."""
    return select(Question.id).where(col(Question.scan_id).in_(scan_ids))
