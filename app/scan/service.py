"""Use-cases of a resident's deelname. Each public function is one unit of work."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col

from app import ratelimit
from app.db import begin_write
from app.errors import AppError, Conflict
from app.i18n import gettext_lazy as _l
from app.scan import codes, queries, rules
from app.scan.forms import Value
from app.scan.models import AccessCode, Answer, Contact, Question, Response, Scan
from app.staff import service as staff_service
from app.staff.models import User

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
    begin_write(session)
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
    begin_write(session)
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
    _add_answers(session, response, ids, values, language=language)
    response.updated_at = now
    response.last_page = page
    response.language = language
    session.add(response)
    session.commit()


def _add_answers(
    session: Session,
    response: Response,
    ids: dict[str, int | None],
    values: dict[str, list[Value]],
    *,
    language: str,
) -> None:
    """Add a response's answers by question key; free text records the language it was in."""
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


def missing_required(session: Session, response: Response) -> list[Question]:
    answered = queries.answered_question_ids(session, response.id)
    return [
        q
        for q in queries.questions(session, response.scan_id)
        if q.required and q.id not in answered
    ]


def generate_codes(session: Session, scan: Scan, *, count: int, secret_key: str) -> list[str]:
    """A new batch of single-use codes; returns them in plain text, the only time they exist.

    The codes are made before the write lock is taken and stored with one multi-row insert
    (20,000 codes through the ORM held SQLite's lock longer than residents wait). No commit.
    """
    assert scan.id is not None
    if not 1 <= count <= codes.MAX_BATCH:
        raise ValueError(f"a batch has 1 to {codes.MAX_BATCH} codes, not {count}")
    hashes: dict[str, str] = {}
    while len(hashes) < count:
        code = codes.new_code()
        hashes.setdefault(codes.hash_code(secret_key, code), code)
    begin_write(session)
    batch = (queries.last_code_batch(session, scan.id) or 0) + 1
    session.execute(
        insert(AccessCode),
        [{"scan_id": scan.id, "code_hash": h, "batch": batch, "exported": True} for h in hashes],
    )
    return list(hashes.values())


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
    begin_write(session)
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
    begin_write(session)
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


def enter_response(
    session: Session,
    scan: Scan,
    questions: list[Question],
    values: dict[str, list[Value]],
    *,
    channel: str,
    language: str,
    code_hash: str | None,
    actor: object,
    now: datetime,
) -> Response:
    """A paper form or door-to-door conversation, entered by staff as one submitted deelname.

    In code mode the form's code is used up in the same transaction (atomically, as online),
    so a household counts once across channels. The audit entry names the channel, never the
    code, and the response keeps no resume code: nobody can continue it later.
    """
    assert isinstance(actor, User)
    if channel not in ("paper", "conversation"):
        raise ValueError(f"staff enter paper or conversation responses, not {channel!r}")
    if scan.status == "draft":
        raise Conflict(
            _l("This scan is still a draft. Open it before you enter paper forms or conversations.")
        )
    assert scan.id is not None
    begin_write(session)
    if code_hash is not None:
        try:
            consume_code(session, scan.id, code_hash, channel=channel, now=now)
        except AccessCodeUsed:
            session.rollback()
            raise
    response = Response(
        scan_id=scan.id,
        language=language,
        channel=channel,
        started_at=now,
        updated_at=now,
        submitted_at=now,
    )
    session.add(response)
    session.flush()
    ids = {q.key: q.id for q in questions if q.scan_id == scan.id}
    _add_answers(session, response, ids, values, language=language)
    staff_service.record(
        session, actor, "response.enter", "response", response.id, scan_id=scan.id, channel=channel
    )
    session.commit()
    return response


CODE_ENTRY_LIMIT = 20  # wrong codes per client (one address) in the window, on any scan
CODE_ENTRY_WINDOW_MINUTES = 15


def issue_codes(
    session: Session, scan: Scan, *, count: int, secret_key: str, actor: object
) -> tuple[int, list[str]]:
    """A new batch of codes, exported and audited; returns the batch number and the plain codes.

    The caller hands the codes out at once (the CSV download): they exist nowhere else, so the
    batch is stored as exported. The audit entry holds the count, never a code.
    """
    assert isinstance(actor, User)
    plain = generate_codes(session, scan, count=count, secret_key=secret_key)
    batch = queries.last_code_batch(session, scan.id or 0) or 1
    staff_service.record(
        session, actor, "codes.generate", "scan", scan.id, count=count, batch=batch
    )
    session.commit()
    return batch, plain


def check_access_code(
    session: Session, scan: Scan, typed: str, *, client: str, secret_key: str, now: datetime
) -> str:
    """The hash of the valid, unused code a resident typed. Nothing is used up here.

    Wrong codes are limited per client (``ratelimit.limit_wrong_tries``); an empty field, a
    right code and a used one (someone has that code already) are not a wrong try.
    """
    if not typed.strip():
        raise UnknownAccessCode(_l("Type the code from your letter."))
    return ratelimit.limit_wrong_tries(
        session,
        secret_key,
        "access-code",
        client,
        lambda: find_unused_code(session, scan, typed, secret_key=secret_key),
        wrong=(UnknownAccessCode,),
        limit=CODE_ENTRY_LIMIT,
        window=timedelta(minutes=CODE_ENTRY_WINDOW_MINUTES),
        now=now,
    )


# --- Scan management by staff: set-up, questions, texts ------------------------------------------
# Appended section: its imports sit here because this file is appended to, never rewritten.
import copy  # noqa: E402
import re  # noqa: E402
from datetime import date  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy.orm.attributes import flag_modified  # noqa: E402

from app.i18n import LANGUAGES  # noqa: E402
from app.programme.models import Buurt  # noqa: E402
from app.scan import changes, questionnaire  # noqa: E402
from app.scan.changes import Change  # noqa: E402
from app.scan.forms import clean_text  # noqa: E402
from app.staff.service import record  # noqa: E402

SCAN_STATUSES = ("draft", "open", "closed")
ACCESS_MODES = ("open", "codes")
TITLE_LIMIT = 120
SLUG_LIMIT = 60
# Longest texts per part; the default questionnaire's longest is well below each.
TEXT_LIMITS = {"title": 120, "scan": 2000, "page": 1000, "text": 300, "help": 500, "option": 120}
STATEMENT_SCALE = "eens"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class InvalidForm(AppError):
    """A staff form with errors per field (shown next to the fields, status 422)."""

    status_code = 422

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__()
        self.errors = errors


class ChangeRefused(Conflict):
    """A change that would alter what residents' answers mean (``changes.refusal``)."""

    title = _l("This change is not possible")

    def __init__(self, message: Any, *, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


def build_scan(
    session: Session,
    buurt: Buurt,
    *,
    slug: str,
    title: dict[str, str],
    status: str = "draft",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Scan:
    """A scan for the buurt from the default questionnaire (flushes, does not commit)."""
    assert buurt.id is not None
    data = questionnaire.load_default()
    scan = Scan(
        buurt_id=buurt.id,
        slug=slug,
        title=title,
        texts=copy.deepcopy(questionnaire.scan_texts(data)),
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )
    session.add(scan)
    session.flush()
    rows = questionnaire.question_rows(data, queries.pijlers_by_key(session))
    for row in rows:
        row.scan_id = scan.id or 0
        # The loaded questionnaire is cached: every scan gets texts of its own.
        row.texts = copy.deepcopy(row.texts)
        row.options = copy.deepcopy(row.options)
    session.add_all(rows)
    session.flush()
    return scan


def default_scan_slug(session: Session, buurt: Buurt) -> str:
    """The buurt's slug, or with ``-2``, ``-3``… when a scan already has it."""
    slug, number = buurt.slug, 1
    while queries.scan_slug_taken(session, slug):
        number += 1
        slug = f"{buurt.slug[: SLUG_LIMIT - 4]}-{number}"
    return slug


def create_scan(session: Session, *, actor: User, buurt: Buurt, title: str, slug: str) -> Scan:
    """A draft scan for the buurt from the default questionnaire; dates are set afterwards."""
    begin_write(session)
    title, slug = clean_text(title), slug.strip().lower()
    errors: dict[str, Any] = {}
    if not title:
        errors["title"] = _l("Give the scan a title.")
    elif len(title) > TITLE_LIMIT:
        errors["title"] = _l("Use at most %(limit)s characters.") % {"limit": TITLE_LIMIT}
    if not _SLUG.match(slug) or len(slug) > SLUG_LIMIT:
        errors["slug"] = _l(
            "Use 1 to 60 lower-case letters, digits and hyphens, such as planetenbuurt-2026."
        )
    elif queries.scan_slug_taken(session, slug):
        errors["slug"] = _l("Another scan already has this web address.")
    if errors:
        raise InvalidForm(errors)
    scan = build_scan(session, buurt, slug=slug, title={"nl": title})
    record(session, actor, "scan.create", "scan", scan.id, buurt_id=buurt.id, slug=slug)
    session.commit()
    return scan


def _parse_date(typed: str, errors: dict[str, Any], name: str) -> date | None:
    typed = typed.strip()
    if not typed:
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        errors[name] = _l("Type a date such as 2026-03-31.")
        return None


def update_scan_settings(
    session: Session,
    *,
    actor: User,
    scan: Scan,
    title: str,
    starts_on: str,
    ends_on: str,
    status: str,
    access_mode: str,
) -> None:
    """Title (Dutch), period, status and access mode; refused where results would mislead."""
    begin_write(session)
    errors: dict[str, Any] = {}
    title = clean_text(title)
    if not title:
        errors["title"] = _l("Give the scan a title.")
    elif len(title) > TITLE_LIMIT:
        errors["title"] = _l("Use at most %(limit)s characters.") % {"limit": TITLE_LIMIT}
    start = _parse_date(starts_on, errors, "starts_on")
    end = _parse_date(ends_on, errors, "ends_on")
    if start and end and end < start:
        errors["ends_on"] = _l("The end date cannot be before the start date.")
    if status not in SCAN_STATUSES:
        errors["status"] = _l("Choose a status.")
    if access_mode not in ACCESS_MODES:
        errors["access_mode"] = _l("Choose who may fill in the scan.")
    if errors:
        raise InvalidForm(errors)
    assert scan.id is not None
    access = changes.access_change(scan.access_mode, access_mode)
    if access is not None:
        reason = changes.refusal(
            access, scan_has_responses=queries.has_submitted_responses(session, scan.id)
        )
        if reason is not None:
            raise ChangeRefused(reason, fields={"access_mode": reason})
    before = {
        "title": scan.title.get("nl", ""),
        "starts_on": scan.starts_on.isoformat() if scan.starts_on else None,
        "ends_on": scan.ends_on.isoformat() if scan.ends_on else None,
        "status": scan.status,
        "access_mode": scan.access_mode,
    }
    after = {
        "title": title,
        "starts_on": start.isoformat() if start else None,
        "ends_on": end.isoformat() if end else None,
        "status": status,
        "access_mode": access_mode,
    }
    changed = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if not changed:
        session.rollback()
        return
    scan.title = {**scan.title, "nl": title}
    scan.starts_on, scan.ends_on = start, end
    scan.status, scan.access_mode = status, access_mode
    session.add(scan)
    record(session, actor, "scan.settings_update", "scan", scan.id, changed=changed)
    session.commit()


def _statement_options() -> list[dict[str, Any]]:
    """The agree scale of the default questionnaire, with its "weet ik niet"."""
    scale = questionnaire.load_default()["scales"][STATEMENT_SCALE]
    options: list[dict[str, Any]] = [
        {"value": p["value"], "labels": dict(p["label"])} for p in scale["points"]
    ]
    opt_out = scale.get("opt_out")
    if opt_out:
        options.append(
            {"value": opt_out["value"], "labels": dict(opt_out["label"]), "opt_out": True}
        )
    return options


def add_statement(
    session: Session, *, actor: User, scan: Scan, page: str, texts: dict[str, str]
) -> Question:
    """A new agree-scale statement on a pijler page, after that page's last scale question.

    ``texts`` maps languages to the statement; Dutch is required, the others are optional.
    """
    begin_write(session)
    assert scan.id is not None
    pijler = queries.pijlers_by_key(session).get(page)
    page_questions = queries.questions(session, scan.id, page)
    if pijler is None or not page_questions:
        raise ChangeRefused(_l("Statements can only be added to a pijler's page."))
    cleaned = {lang: clean_text(texts.get(lang, "")) for lang in LANGUAGES}
    errors: dict[str, Any] = {}
    for lang, text in cleaned.items():
        if len(text) > TEXT_LIMITS["text"]:
            errors[lang] = _l("Use at most %(limit)s characters.") % {"limit": TEXT_LIMITS["text"]}
    if not cleaned["nl"]:
        errors["nl"] = _l("Write the statement in Dutch.")
    if errors:
        raise InvalidForm(errors)
    scales = [q for q in page_questions if q.kind == "scale"]
    after = (scales or page_questions)[-1].position
    session.exec(
        update(Question)
        .where(col(Question.scan_id) == scan.id, col(Question.position) > after)
        .values(position=col(Question.position) + 1)
    )
    keys = queries.question_keys(session, scan.id)
    number = 1
    while f"{page}.stelling-{number}" in keys:
        number += 1
    question = Question(
        scan_id=scan.id,
        pijler_id=pijler.id,
        key=f"{page}.stelling-{number}",
        kind="scale",
        page=page,
        position=after + 1,
        required=False,
        texts={lang: {"text": text} for lang, text in cleaned.items() if text},
        options=_statement_options(),
    )
    session.add(question)
    session.flush()
    record(
        session, actor, "question.add", "question", question.id, scan_id=scan.id, key=question.key
    )
    session.commit()
    return question


def remove_question(session: Session, *, actor: User, scan: Scan, question: Question) -> None:
    begin_write(session)
    assert question.id is not None
    reason = changes.refusal(
        Change.REMOVE_QUESTION,
        scan_has_responses=queries.has_submitted_responses(session, scan.id or 0),
        question_answered=queries.question_has_answers(session, question.id),
    )
    if reason is not None:
        raise ChangeRefused(reason)
    record(
        session,
        actor,
        "question.remove",
        "question",
        question.id,
        scan_id=scan.id,
        key=question.key,
    )
    session.delete(question)
    session.commit()


def move_question(
    session: Session, *, actor: User, scan: Scan, question: Question, direction: str
) -> None:
    """Swap a question with its neighbour on the same page (``up`` or ``down``)."""
    begin_write(session)
    page_questions = queries.questions(session, scan.id or 0, question.page)
    index = next(i for i, q in enumerate(page_questions) if q.id == question.id)
    other = index + (-1 if direction == "up" else 1)
    if direction not in ("up", "down") or not 0 <= other < len(page_questions):
        session.rollback()
        return
    neighbour = page_questions[other]
    question.position, neighbour.position = neighbour.position, question.position
    session.add_all([question, neighbour])
    record(
        session,
        actor,
        "question.move",
        "question",
        question.id,
        scan_id=scan.id,
        key=question.key,
        direction=direction,
    )
    session.commit()


def update_texts(
    session: Session, *, actor: User, scan: Scan, language: str, posted: dict[str, str]
) -> list[str]:
    """Save the scan's texts in one language; returns the names of the texts that changed.

    ``posted`` maps ``changes.text_slots`` names to text; a name not posted stays as it is.
    An empty text in another language removes it (residents then read the Dutch one); Dutch
    texts but a question's help are required. Nothing is saved when any text is wrong (422)
    or any change is refused (409).
    """
    begin_write(session)
    assert scan.id is not None
    assert language in LANGUAGES
    questions = queries.questions(session, scan.id)
    slots = changes.text_slots(scan.title, scan.texts, questions)
    answered = queries.answered_question_ids_of_scan(session, scan.id)
    has_responses = queries.has_submitted_responses(session, scan.id)
    errors: dict[str, Any] = {}
    refused: dict[str, Any] = {}
    changed: list[tuple[changes.TextSlot, str]] = []
    for slot in slots:
        if slot.name not in posted:
            continue
        new, old = clean_text(posted[slot.name]), slot.texts.get(language, "")
        limit = TEXT_LIMITS[slot.part]
        if len(new) > limit:
            errors[slot.name] = _l("Use at most %(limit)s characters.") % {"limit": limit}
        elif not new and language == changes.SOURCE_LANGUAGE and slot.part != "help" and old:
            errors[slot.name] = _l("The Dutch text is required.")
        if new == old or slot.name in errors:
            continue
        reason = changes.refusal(
            changes.change_of_slot(slot, language),
            scan_has_responses=has_responses,
            question_answered=slot.question_id in answered,
        )
        if reason is not None:
            refused[slot.name] = reason
        else:
            changed.append((slot, new))
    if errors:
        raise InvalidForm(errors)
    if refused:
        raise ChangeRefused(next(iter(refused.values())), fields=refused)
    if not changed:
        session.rollback()
        return []
    _apply_texts(scan, questions, language, changed)
    names = [slot.name for slot, _ in changed]
    record(session, actor, "scan.texts_update", "scan", scan.id, language=language, texts=names)
    session.commit()
    return names


def _set(texts: dict[str, Any], language: str, value: str) -> None:
    if value:
        texts[language] = value
    else:
        texts.pop(language, None)


def _apply_texts(
    scan: Scan, questions: list[Question], language: str, changed: list[tuple[Any, str]]
) -> None:
    title, texts = dict(scan.title), copy.deepcopy(scan.texts)
    by_id = {q.id: q for q in questions}
    touched: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for slot, value in changed:
        if slot.part == "title":
            _set(title, language, value)
        elif slot.part == "scan":
            section, name = slot.name.split(".", 1)
            _set(texts[section][name], language, value)
        elif slot.part == "page":
            _, page, name = slot.name.split(".", 2)
            _set(texts["pages"][page][name], language, value)
        else:
            question = by_id[slot.question_id]
            q_texts, q_options = touched.setdefault(
                slot.question_id, (copy.deepcopy(question.texts), copy.deepcopy(question.options))
            )
            if slot.part == "option":
                option_value = slot.name.split(".", 2)[2]
                option = next(o for o in q_options if o["value"] == option_value)
                _set(option["labels"], language, value)
            else:
                in_language = q_texts.setdefault(language, {})
                _set(in_language, slot.part, value)
                if not in_language:
                    del q_texts[language]
    scan.title, scan.texts = title, texts
    flag_modified(scan, "title")
    flag_modified(scan, "texts")
    for question_id, (q_texts, q_options) in touched.items():
        question = by_id[question_id]
        question.texts, question.options = q_texts, q_options
        flag_modified(question, "texts")
        flag_modified(question, "options")
