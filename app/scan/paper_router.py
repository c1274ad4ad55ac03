"""Staff entry of paper questionnaires and door-to-door conversations, one page per response.

The page shows every question of the scan with the resident pages' field names, so a paper
form and an online deelname store their answers under the same question keys.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response as HttpResponse

from app.clock import NowDep
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import Conflict, NotFound
from app.formdata import FormItemsDep
from app.i18n import LANGUAGES, localized
from app.i18n import gettext_lazy as _l
from app.scan import queries, rules, service
from app.scan.forms import PageForm, parse_page
from app.scan.models import Question, Scan
from app.scan.schemas import QuestionView, question_view, question_views
from app.staff.dependencies import Staff, require
from app.templating import path_for, render

router = APIRouter(prefix="/staff")

ENTRY_CHANNELS = ("paper", "conversation")
# The page's own fields; everything else posted is a question's field (or the CSRF token).
OWN_FIELDS = frozenset({"channel", "language", "code"})
CODE_FIELD_LIMIT = 60

PaperDep = Annotated[Staff, Depends(require("paper.enter"))]


class ScanIsDraft(Conflict):
    title = _l("This scan is not open yet")
    message = _l(
        "This scan is still a draft. Open it before you enter paper forms or conversations."
    )


def get_entry_scan(scan_id: int, staff: PaperDep, session: SessionDep) -> Scan:
    """A scan that takes entered responses: open or closed (paper collected before closing).

    The permission comes first, so a stranger cannot tell which scans exist.
    """
    scan = session.get(Scan, scan_id)
    if scan is None:
        raise NotFound
    if scan.status == "draft":
        raise ScanIsDraft
    return scan


EntryScanDep = Annotated[Scan, Depends(get_entry_scan)]


@dataclass
class EntryForm:
    """The page's own fields as typed, and their errors."""

    channel: str = ""
    language: str = "nl"
    code: str = ""
    errors: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """One questionnaire page on the entry form, under its own heading."""

    key: str
    title: str
    questions: list[QuestionView]


def _field(items: list[tuple[str, Any]], name: str, limit: int = 20) -> str:
    value = next((v for k, v in items if k == name), "")
    return value[:limit] if isinstance(value, str) else ""


def _parse_own(items: list[tuple[str, Any]], scan: Scan) -> EntryForm:
    form = EntryForm(
        channel=_field(items, "channel"),
        language=_field(items, "language") or "nl",
        code=_field(items, "code", CODE_FIELD_LIMIT).strip(),
    )
    if form.channel not in ENTRY_CHANNELS:
        form.errors["channel"] = _l("Choose how the answers were given: on paper or in a talk.")
    if form.language not in LANGUAGES:
        form.errors["language"] = _l("Choose one of the languages in the list.")
    if scan.access_mode == "codes" and not form.code:
        form.errors["code"] = _l("Type the code from the paper form.")
    return form


def _sections(
    session: SessionDep, scan: Scan, questions: list[Question], views: list[QuestionView]
) -> list[Section]:
    """The questions grouped per page, in questionnaire order, each page under its heading."""
    pijlers = queries.pijlers_by_id(session)
    pages: dict[str, list[QuestionView]] = {}
    pijler_ids: dict[str, set[int]] = {}
    by_key = {view.key: view for view in views}
    for question in questions:
        pages.setdefault(question.page, []).append(by_key[question.key])
        pijler_ids.setdefault(question.page, set()).update(
            [question.pijler_id] if question.pijler_id else []
        )
    page_texts = scan.texts.get("pages", {})
    sections = []
    for page, page_views in pages.items():
        ids = pijler_ids[page]
        pijler = pijlers.get(next(iter(ids))) if len(ids) == 1 else None
        title = (
            localized(pijler.name)
            if pijler
            else localized(page_texts.get(page, {}).get("title", {}))
        )
        sections.append(Section(page, title or page, page_views))
    return sections


def _views(questions: list[Question], parsed: PageForm | None) -> list[QuestionView]:
    """Empty questions, or what was typed: valid values as parsed, invalid ones as typed."""
    if parsed is None:
        return question_views(questions, [])
    with_errors = question_views(questions, [], parsed.raw, parsed.errors)
    return [
        view
        if question.key in parsed.errors
        else question_view(question, parsed.values[question.key])
        for question, view in zip(questions, with_errors, strict=True)
    ]


def _render(
    request: Request,
    session: SessionDep,
    staff: Staff,
    scan: Scan,
    questions: list[Question],
    *,
    entry: EntryForm,
    now: datetime,
    parsed: PageForm | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> HttpResponse:
    views = _views(questions, parsed)
    return render(
        request,
        "staff/paper.html",
        {
            "staff": staff,
            "scan": scan,
            "scan_title": localized(scan.title) or scan.slug,
            "sections": _sections(session, scan, questions, views),
            "numbers": rules.question_numbers([(q.page, q.key) for q in questions]),
            "failing": [view for view in views if view.error],
            "form_error": parsed.form_error if parsed else None,
            "entry": entry,
            "channels": ENTRY_CHANNELS,
            "needs_code": scan.access_mode == "codes",
            "closed": rules.scan_state(scan.status, scan.starts_on, scan.ends_on, now) == "closed",
            "saved": saved,
            "counts": queries.submitted_counts_by_channel(session, scan.id or 0),
        },
        status_code=status_code,
    )


@router.get("/scans/{scan_id}/invoer", name="staff:paper")
def entry_form(
    request: Request,
    staff: PaperDep,
    scan: EntryScanDep,
    session: SessionDep,
    at: NowDep,
    opgeslagen: str = "",
    kanaal: str = "",
    taal: str = "",
) -> HttpResponse:
    """An empty form; after a save it says so and keeps the channel and language chosen."""
    entry = EntryForm(
        channel=kanaal if kanaal in ENTRY_CHANNELS else "",
        language=taal if taal in LANGUAGES else "nl",
    )
    questions = queries.questions(session, scan.id or 0)
    return _render(
        request, session, staff, scan, questions, entry=entry, now=at, saved=opgeslagen == "1"
    )


@router.post("/scans/{scan_id}/invoer", name="staff:paper_save")
def save_entry(
    request: Request,
    staff: PaperDep,
    scan: EntryScanDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    entry = _parse_own(form, scan)
    questions = queries.questions(session, scan.id or 0)
    parsed = parse_page(
        questions, [(k, v) for k, v in form if k not in OWN_FIELDS], check_required=False
    )
    code_hash = None
    code_used = False
    if entry.code and scan.access_mode == "codes":
        try:
            code_hash = service.find_unused_code(
                session, scan, entry.code, secret_key=settings.secret_key
            )
        except service.UnknownAccessCode as error:
            entry.errors["code"] = error.message
        except service.AccessCodeUsed as error:
            entry.errors["code"] = error.message
            code_used = True
    if not (entry.errors or parsed.has_errors):
        try:
            service.enter_response(
                session,
                scan,
                questions,
                parsed.values,
                channel=entry.channel,
                language=entry.language,
                code_hash=code_hash,
                actor=staff.user,
                now=at,
            )
        except service.AccessCodeUsed as error:  # used up since the check, by a concurrent submit
            entry.errors["code"] = error.message
            code_used = True
        else:
            url = path_for(request, "staff:paper", scan_id=scan.id)
            query = f"?opgeslagen=1&kanaal={entry.channel}&taal={entry.language}"
            return RedirectResponse(url + query, status_code=303)
    only_used_code = code_used and len(entry.errors) == 1 and not parsed.has_errors
    return _render(
        request,
        session,
        staff,
        scan,
        questions,
        entry=entry,
        now=at,
        parsed=parsed,
        status_code=409 if only_used_code else 422,
    )
