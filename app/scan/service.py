"""Use-cases of a resident's deelname. Each public function is one unit of work."""

import uuid
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col

from app.errors import AppError, Conflict
from app.i18n import gettext_lazy as _l
from app.scan import queries, rules
from app.scan.forms import Value
from app.scan.models import Answer, Contact, Question, Response, Scan

MAX_RESUME_CODE_TRIES = 5


class ScanNotOpen(Conflict):
    title = _l("This buurtscan is closed")
    message = _l("You can no longer fill in this buurtscan. Thank you for your interest.")


class ScanNeedsCode(AppError):
    status_code = 403
    title = _l("You need a code")
    message = _l("This buurtscan is only for residents with a code from a letter.")


class NoActiveResponse(Conflict):
    title = _l("We cannot find your answers")
    message = _l(
        "Your answers are not on this device, or you were away too long. "
        "Use your code to continue, or start again."
    )


class AlreadySubmitted(Conflict):
    title = _l("Your answers have been sent")
    message = _l("You already sent your answers. You cannot change them any more. Thank you!")


class UnknownResumeCode(AppError):
    status_code = 422
    message = _l("We do not know this code. Check the code and try again.")


def start_response(
    session: Session, scan: Scan, *, language: str, secret_key: str, now: datetime
) -> tuple[Response, str]:
    """A new deelname with a fresh resume code; returns the code in plain text once."""
    for _ in range(MAX_RESUME_CODE_TRIES):
        code = rules.new_resume_code()
        code_hash = rules.hash_resume_code(secret_key, code)
        if queries.response_by_resume_hash(session, scan.id or 0, code_hash) is None:
            break
    assert scan.id is not None
    response = Response(
        scan_id=scan.id,
        language=language,
        started_at=now,
        updated_at=now,
        resume_code_hash=code_hash,
    )
    session.add(response)
    session.commit()
    return response, code


def save_answers(
    session: Session,
    response: Response,
    questions: list[Question],
    values: dict[str, list[Value]],
    *,
    language: str,
    page: str,
    now: datetime,
) -> None:
    """Replace the answers to the given questions; questions not in ``values`` keep theirs.

    ``page`` is the step the resident is on now, where a resume code brings them back.
    """
    if response.submitted_at is not None:
        raise AlreadySubmitted
    ids = {q.key: q.id for q in questions if q.key in values}
    if ids:
        session.exec(
            delete(Answer).where(
                col(Answer.response_id) == response.id,
                col(Answer.question_id).in_(list(ids.values())),
            )
        )
    for key, question_values in values.items():
        question_id = ids[key]
        assert question_id is not None
        session.add_all(
            Answer(
                response_id=response.id,
                question_id=question_id,
                position=v.position,
                value=v.value,
                text=v.text,
                language=language if v.text is not None else None,
            )
            for v in question_values
        )
    response.updated_at = now
    response.last_page = page
    response.language = language
    session.add(response)
    session.commit()


def missing_required(session: Session, response: Response) -> list[Question]:
    answered = queries.answered_question_ids(session, response.id)
    return [
        q
        for q in queries.questions(session, response.scan_id)
        if q.required and q.id not in answered
    ]


def submit_response(session: Session, response: Response, *, now: datetime) -> None:
    """Make the deelname final. The conditional update lets only one submit win."""
    result = session.exec(
        update(Response)
        .where(col(Response.id) == response.id, col(Response.submitted_at).is_(None))
        .values(submitted_at=now, updated_at=now)
    )
    if result.rowcount != 1:
        session.rollback()
        raise AlreadySubmitted
    session.commit()


def resume(session: Session, scan: Scan, code: str, *, secret_key: str) -> Response:
    assert scan.id is not None
    found = queries.response_by_resume_hash(
        session, scan.id, rules.hash_resume_code(secret_key, code)
    )
    if found is None:
        raise UnknownResumeCode
    if found.submitted_at is not None:
        raise AlreadySubmitted
    return found


def save_contact(
    session: Session,
    scan: Scan,
    contact_id: uuid.UUID | None,
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    now: datetime,
) -> Contact | None:
    """Store (or replace) contact details apart from the answers; all empty removes them."""
    assert scan.id is not None
    existing = queries.contact(session, contact_id, scan.id) if contact_id else None
    if not (name or email or phone):
        if existing is not None:
            session.delete(existing)
            session.commit()
        return None
    contact = existing or Contact(scan_id=scan.id, created_on=rules.local_date(now))
    contact.name, contact.email, contact.phone = name, email, phone
    session.add(contact)
    session.commit()
    return contact
