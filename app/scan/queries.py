"""Every read of the scan feature. Plain functions, session first, never committing."""

import uuid
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

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
