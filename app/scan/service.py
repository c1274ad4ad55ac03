"""Use-cases of a resident's deelname. Each public function is one unit of work."""

import uuid
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col

from app.errors import AppError, Conflict
from app.i18n import gettext_lazy as _l
from app.scan import codes, queries, rules
from app.scan.forms import Value
from app.scan.models import AccessCode, Answer, Contact, Question, Response, Scan

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


class UnknownAccessCode(AppError):
    status_code = 422
    message = _l("We do not know this code. Check the code on your letter and try again.")


class AccessCodeUsed(Conflict):
    title = _l("This code has been used")
    message = _l("Someone already sent answers with this code. Each code works once.")


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


def generate_codes(session: Session, scan: Scan, *, count: int, secret_key: str) -> list[str]:
    """New single-use codes for a scan; returns them in plain text, the only time they exist.

    Flushes; the caller commits (with its audit entry).
    """
    assert scan.id is not None
    batch = (queries.last_code_batch(session, scan.id) or 0) + 1
    plain: list[str] = []
    seen: set[str] = set()
    while len(plain) < count:
        code = codes.new_code()
        code_hash = codes.hash_code(secret_key, code)
        if code_hash in seen:
            continue
        seen.add(code_hash)
        plain.append(code)
    session.add_all(
        AccessCode(scan_id=scan.id, code_hash=codes.hash_code(secret_key, c), batch=batch)
        for c in plain
    )
    session.flush()
    return plain


def find_unused_code(session: Session, scan: Scan, typed: str, *, secret_key: str) -> str:
    """The hash of a valid, unused code of this scan (not consumed yet), or a clear error."""
    code = codes.normalize_code(typed)
    found = (
        queries.access_code(session, scan.id or 0, codes.hash_code(secret_key, code))
        if code
        else None
    )
    if found is None:
        raise UnknownAccessCode
    if found.used_on is not None:
        raise AccessCodeUsed
    return found.code_hash


def consume_code(
    session: Session, scan_id: int, code_hash: str, *, channel: str, now: datetime
) -> None:
    """Use a code up, atomically: of any number of concurrent attempts exactly one wins.

    Only the day and the channel are kept, never which response used it. Flushes only.
    """
    result = session.exec(
        update(AccessCode)
        .where(
            col(AccessCode.scan_id) == scan_id,
            col(AccessCode.code_hash) == code_hash,
            col(AccessCode.used_on).is_(None),
        )
        .values(used_on=rules.local_date(now), used_channel=channel)
    )
    if result.rowcount != 1:
        raise AccessCodeUsed


def submit_response(
    session: Session, response: Response, *, now: datetime, code_hash: str | None = None
) -> None:
    """Make the deelname final, using up its access code in the same transaction.

    The conditional updates let only one submit win, and a code count only once.
    """
    if code_hash is not None:
        try:
            consume_code(session, response.scan_id, code_hash, channel=response.channel, now=now)
        except AccessCodeUsed:
            session.rollback()
            raise
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
