"""Staff pages of scans: the overview, a scan's set-up, its questions and texts, the preview."""

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response as HttpResponse

from app.clock import NowDep
from app.db import SessionDep
from app.errors import NotFound
from app.formdata import FormItemsDep
from app.i18n import LANGUAGES, Language, current_locale, localized, use_locale
from app.i18n import gettext_lazy as _l
from app.programme.models import Buurt, Pijler
from app.scan import changes, queries, rules, service
from app.scan.models import Question, Scan
from app.scan.schemas import question_views
from app.staff.dependencies import Staff, StaffDep, require
from app.staff.rules import can
from app.templating import path_for, render

router = APIRouter(prefix="/staff")
ViewDep = Annotated[Staff, Depends(require("scan.view"))]
ManageDep = Annotated[Staff, Depends(require("scan.manage"))]
FIELD_LIMIT = 4000  # characters read of any posted field; the services check the real limits


def _field(form: list[tuple[str, Any]], name: str, limit: int = 300) -> str:
    value = next((v for k, v in form if k == name), "")
    return value[:limit] if isinstance(value, str) else ""


def _redirect(request: Request, name: str, **params: Any) -> RedirectResponse:
    return RedirectResponse(path_for(request, name, **params), status_code=303)


@router.get("", name="staff:home")
def overview(request: Request, staff: StaffDep, session: SessionDep, at: NowDep) -> HttpResponse:
    rows = queries.buurten_with_scans(session)
    states = {s.id: rules.scan_state(s.status, s.starts_on, s.ends_on, at) for _, s in rows if s}
    return render(
        request,
        "staff/home.html",
        {
            "staff": staff,
            "rows": rows,
            "states": states,
            "can_manage": can(staff.user.role, "scan.manage"),
        },
    )


# --- a new scan ----------------------------------------------------------------------------------


def _new_scan_page(
    request: Request,
    staff: Staff,
    session: SessionDep,
    buurt: Buurt,
    values: dict[str, str],
    errors: dict[str, Any],
    status_code: int = 200,
) -> HttpResponse:
    return render(
        request,
        "staff/scan_new.html",
        {"staff": staff, "buurt": buurt, "values": values, "errors": errors},
        status_code=status_code,
    )


def _buurt(session: SessionDep, typed: str) -> Buurt:
    found = session.get(Buurt, int(typed)) if typed.isdecimal() else None
    if found is None:
        raise NotFound
    return found


@router.get("/scans/nieuw", name="staff:scan_new")
def new_scan(
    request: Request, staff: ManageDep, session: SessionDep, buurt: str = ""
) -> HttpResponse:
    found = _buurt(session, buurt[:12])
    values = {
        "title": f"Buurtscan {found.name}",
        "slug": service.default_scan_slug(session, found),
    }
    return _new_scan_page(request, staff, session, found, values, {})


@router.post("/scans/nieuw", name="staff:scan_create")
def create_scan(
    request: Request, staff: ManageDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    buurt = _buurt(session, _field(form, "buurt", 12))
    values = {"title": _field(form, "title"), "slug": _field(form, "slug", 100)}
    try:
        scan = service.create_scan(
            session, actor=staff.user, buurt=buurt, title=values["title"], slug=values["slug"]
        )
    except service.InvalidForm as error:
        return _new_scan_page(request, staff, session, buurt, values, error.errors, 422)
    return _redirect(request, "staff:scan", scan_id=scan.id)


# --- one scan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffScan:
    scan: Scan
    buurt: Buurt


def _scan_of(scan_id: int, session: SessionDep) -> StaffScan:
    found = queries.scan_with_buurt_by_id(session, scan_id)
    if found is None:
        raise NotFound
    return StaffScan(*found)


def get_viewed_scan(scan_id: int, staff: ViewDep, session: SessionDep) -> StaffScan:
    """The permission comes first, so a stranger cannot tell which scans exist."""
    return _scan_of(scan_id, session)


def get_managed_scan(scan_id: int, staff: ManageDep, session: SessionDep) -> StaffScan:
    return _scan_of(scan_id, session)


ViewedScanDep = Annotated[StaffScan, Depends(get_viewed_scan)]
ManagedScanDep = Annotated[StaffScan, Depends(get_managed_scan)]


@dataclass
class QuestionRow:
    question: Question
    text: str
    answered: bool
    first: bool
    last: bool


@dataclass
class PageRow:
    key: str
    title: str
    pijler: Pijler | None
    questions: list[QuestionRow] = field(default_factory=list)


def _page_title(key: str, pijler: Pijler | None, scan: Scan) -> str:
    if pijler is not None:
        return localized(pijler.name)
    return localized(scan.texts.get("pages", {}).get(key, {}).get("title")) or key


def _pages(session: SessionDep, scan: Scan, questions: list[Question]) -> list[PageRow]:
    pijlers = queries.pijlers_by_key(session)
    answered = queries.answered_question_ids_of_scan(session, scan.id or 0)
    pages: dict[str, PageRow] = {}
    for question in questions:
        pijler = pijlers.get(question.page)
        page = pages.setdefault(
            question.page,
            PageRow(question.page, _page_title(question.page, pijler, scan), pijler),
        )
        texts = {lang: t.get("text", "") for lang, t in question.texts.items()}
        page.questions.append(
            QuestionRow(question, localized(texts), question.id in answered, False, False)
        )
    for page in pages.values():
        page.questions[0].first = True
        page.questions[-1].last = True
    return list(pages.values())


def _scan_page(
    request: Request,
    staff: Staff,
    session: SessionDep,
    context: StaffScan,
    at: Any,
    *,
    settings_values: dict[str, str] | None = None,
    settings_errors: dict[str, Any] | None = None,
    statement: tuple[str, dict[str, str], dict[str, Any]] | None = None,
    refusal: Any = None,
    status_code: int = 200,
) -> HttpResponse:
    scan = context.scan
    questions = queries.questions(session, scan.id or 0)
    slots = changes.text_slots(scan.title, scan.texts, questions)
    return render(
        request,
        "staff/scan_page.html",
        {
            "staff": staff,
            "scan": scan,
            "buurt": context.buurt,
            "state": rules.scan_state(scan.status, scan.starts_on, scan.ends_on, at),
            "can_manage": can(staff.user.role, "scan.manage"),
            "has_responses": queries.has_submitted_responses(session, scan.id or 0),
            "pages": _pages(session, scan, questions),
            "completeness": changes.completeness(slots, list(LANGUAGES)),
            "settings_values": settings_values or _settings_values(scan),
            "settings_errors": settings_errors or {},
            "statement_page": statement[0] if statement else None,
            "statement_values": statement[1] if statement else {},
            "statement_errors": statement[2] if statement else {},
            "refusal": refusal,
            "statuses": service.SCAN_STATUSES,
            "access_modes": service.ACCESS_MODES,
        },
        status_code=status_code,
    )


def _settings_values(scan: Scan) -> dict[str, str]:
    return {
        "title": scan.title.get("nl", ""),
        "starts_on": scan.starts_on.isoformat() if scan.starts_on else "",
        "ends_on": scan.ends_on.isoformat() if scan.ends_on else "",
        "status": scan.status,
        "access_mode": scan.access_mode,
    }


@router.get("/scans/{scan_id}", name="staff:scan")
def scan_page(
    request: Request, staff: ViewDep, context: ViewedScanDep, session: SessionDep, at: NowDep
) -> HttpResponse:
    return _scan_page(request, staff, session, context, at)


@router.post("/scans/{scan_id}/instellingen", name="staff:scan_settings")
def save_settings(
    request: Request,
    staff: ManageDep,
    context: ManagedScanDep,
    session: SessionDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    values = {
        name: _field(form, name)
        for name in ("title", "starts_on", "ends_on", "status", "access_mode")
    }
    try:
        service.update_scan_settings(session, actor=staff.user, scan=context.scan, **values)
    except service.InvalidForm as error:
        return _scan_page(
            request, staff, session, context, at,
            settings_values=values, settings_errors=error.errors, status_code=422,
        )  # fmt: skip
    except service.ChangeRefused as error:
        return _scan_page(
            request, staff, session, context, at,
            settings_values=values, settings_errors=error.fields, refusal=error.message,
            status_code=409,
        )  # fmt: skip
    return _redirect(request, "staff:scan", scan_id=context.scan.id)


def _question(session: SessionDep, context: StaffScan, question_id: int) -> Question:
    found = queries.question_of_scan(session, context.scan.id or 0, question_id)
    if found is None:
        raise NotFound
    return found


@router.post("/scans/{scan_id}/vragen/{question_id}/verplaatsen", name="staff:scan_question_move")
def move_question(
    request: Request,
    question_id: int,
    staff: ManageDep,
    context: ManagedScanDep,
    session: SessionDep,
    form: FormItemsDep,
) -> HttpResponse:
    question = _question(session, context, question_id)
    service.move_question(
        session,
        actor=staff.user,
        scan=context.scan,
        question=question,
        direction=_field(form, "direction", 10),
    )
    return RedirectResponse(
        path_for(request, "staff:scan", scan_id=context.scan.id) + f"#page-{question.page}",
        status_code=303,
    )


@router.post("/scans/{scan_id}/vragen/{question_id}/verwijderen", name="staff:scan_question_remove")
def remove_question(
    request: Request,
    question_id: int,
    staff: ManageDep,
    context: ManagedScanDep,
    session: SessionDep,
    at: NowDep,
    _form: FormItemsDep,
) -> HttpResponse:
    question = _question(session, context, question_id)
    try:
        service.remove_question(session, actor=staff.user, scan=context.scan, question=question)
    except service.ChangeRefused as error:
        return _scan_page(
            request, staff, session, context, at, refusal=error.message, status_code=409
        )
    return RedirectResponse(
        path_for(request, "staff:scan", scan_id=context.scan.id) + f"#page-{question.page}",
        status_code=303,
    )


@router.post("/scans/{scan_id}/stellingen/{page}", name="staff:scan_statement_add")
def add_statement(
    request: Request,
    page: str,
    staff: ManageDep,
    context: ManagedScanDep,
    session: SessionDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    texts = {lang: _field(form, f"text_{lang}", FIELD_LIMIT) for lang in LANGUAGES}
    try:
        service.add_statement(
            session, actor=staff.user, scan=context.scan, page=page[:40], texts=texts
        )
    except service.InvalidForm as error:
        return _scan_page(
            request, staff, session, context, at,
            statement=(page, texts, error.errors), status_code=422,
        )  # fmt: skip
    except service.ChangeRefused as error:
        return _scan_page(
            request, staff, session, context, at, refusal=error.message, status_code=409
        )
    return RedirectResponse(
        path_for(request, "staff:scan", scan_id=context.scan.id) + f"#page-{page}",
        status_code=303,
    )


# --- texts per language ----------------------------------------------------------------------


SLOT_LABELS = {
    "title": _l("Title of the scan"),
    "intro.title": _l("Start page: heading"),
    "intro.who": _l("Start page: who asks"),
    "intro.why": _l("Start page: why"),
    "intro.duration": _l("Start page: how long it takes"),
    "intro.privacy": _l("Start page: what happens with the answers"),
    "intro.no_account": _l("Start page: no account"),
    "thanks.title": _l("Thank-you page: heading"),
    "thanks.next_steps": _l("Thank-you page: what happens next"),
    "page.title": _l("Page title"),
    "page.intro": _l("Page introduction"),
    "text": _l("Question"),
    "help": _l("Help text"),
}


@dataclass
class SlotField:
    name: str
    label: Any
    dutch: str
    value: str
    limit: int
    multiline: bool
    locked: Any = None  # why the field cannot change (Dutch text of an answered question)
    error: Any = None


@dataclass
class FieldGroup:
    legend: str | None  # a question's text; None for the texts of the scan or a page
    fields: list[SlotField] = field(default_factory=list)


@dataclass
class TextSection:
    key: str
    heading: str
    groups: list[FieldGroup] = field(default_factory=list)

    def group(self, legend: str | None) -> FieldGroup:
        if not self.groups or self.groups[-1].legend != legend:
            self.groups.append(FieldGroup(legend))
        return self.groups[-1]

    @property
    def fields(self) -> list[SlotField]:
        return [f for group in self.groups for f in group.fields]


def _slot_label(slot: changes.TextSlot, option_labels: dict[str, str]) -> Any:
    if slot.part == "page":
        return SLOT_LABELS.get("page." + slot.name.rsplit(".", 1)[1], slot.name)
    if slot.part == "option":
        return str(_l("Answer option")) + ": " + option_labels.get(slot.name, "")
    if slot.part in ("text", "help"):
        return SLOT_LABELS[slot.part]
    return SLOT_LABELS.get(slot.name, slot.name)


def _text_sections(
    session: SessionDep,
    scan: Scan,
    language: str,
    posted: dict[str, str] | None,
    errors: dict[str, Any],
) -> list[TextSection]:
    questions = queries.questions(session, scan.id or 0)
    slots = changes.text_slots(scan.title, scan.texts, questions)
    answered = queries.answered_question_ids_of_scan(session, scan.id or 0)
    has_responses = queries.has_submitted_responses(session, scan.id or 0)
    option_labels = {s.name: s.texts.get("nl", "") for s in slots if s.part == "option"}
    pages = {p.key: p for p in _pages(session, scan, questions)}
    sections: dict[str, TextSection] = {
        "scan": TextSection("scan", str(_l("Scan"))),
        "intro": TextSection("intro", str(_l("Start page"))),
        "thanks": TextSection("thanks", str(_l("Thank-you page"))),
    }
    page_of = {q.id: q.page for q in questions}
    question_texts = {s.question_id: s.texts.get("nl", "") for s in slots if s.part == "text"}
    for slot in slots:
        if (
            slot.part == "help"
            and language != changes.SOURCE_LANGUAGE
            and not (slot.texts.get("nl") or slot.texts.get(language))
        ):
            continue  # no help in Dutch: nothing to translate
        if slot.part == "title":
            key = "scan"
        elif slot.part == "scan":
            key = slot.name.split(".", 1)[0]
        elif slot.part == "page":
            key = "page-" + slot.name.split(".", 2)[1]
        else:
            key = "page-" + page_of[slot.question_id]
        if key not in sections:
            page_key = key.removeprefix("page-")
            title = pages[page_key].title if page_key in pages else page_key
            sections[key] = TextSection(key, title)
        reason = None
        if language == changes.SOURCE_LANGUAGE and slot.question_id is not None:
            reason = changes.refusal(
                changes.change_of_slot(slot, language),
                scan_has_responses=has_responses,
                question_answered=slot.question_id in answered,
            )
        limit = service.TEXT_LIMITS[slot.part]
        legend = question_texts.get(slot.question_id) if slot.question_id else None
        sections[key].group(legend).fields.append(
            SlotField(
                name=slot.name,
                label=_slot_label(slot, option_labels),
                dutch=slot.texts.get("nl", ""),
                value=(posted or {}).get(slot.name, slot.texts.get(language, "")),
                limit=limit,
                multiline=limit > 200 and len(slot.texts.get("nl", "")) > 60,
                locked=reason,
                error=errors.get(slot.name),
            )
        )
    return list(sections.values())


def _language(lang: str) -> Language:
    if lang not in LANGUAGES:
        raise NotFound
    return LANGUAGES[lang]


def _texts_page(
    request: Request,
    staff: Staff,
    session: SessionDep,
    context: StaffScan,
    language: Language,
    *,
    posted: dict[str, str] | None = None,
    errors: dict[str, Any] | None = None,
    refusal: Any = None,
    status_code: int = 200,
) -> HttpResponse:
    return render(
        request,
        "staff/scan_texts.html",
        {
            "staff": staff,
            "scan": context.scan,
            "buurt": context.buurt,
            "edit_language": language,
            "sections": _text_sections(session, context.scan, language.code, posted, errors or {}),
            "refusal": refusal,
            "has_errors": bool(errors),
        },
        status_code=status_code,
    )


@router.get("/scans/{scan_id}/teksten/{lang}", name="staff:scan_texts")
def texts_page(
    request: Request, lang: str, staff: ManageDep, context: ManagedScanDep, session: SessionDep
) -> HttpResponse:
    return _texts_page(request, staff, session, context, _language(lang))


@router.post("/scans/{scan_id}/teksten/{lang}", name="staff:scan_texts_save")
def save_texts(
    request: Request,
    lang: str,
    staff: ManageDep,
    context: ManagedScanDep,
    session: SessionDep,
    form: FormItemsDep,
) -> HttpResponse:
    language = _language(lang)
    posted = {
        name: value[:FIELD_LIMIT]
        for name, value in form
        if isinstance(value, str) and name != "csrf_token"
    }
    try:
        service.update_texts(
            session, actor=staff.user, scan=context.scan, language=language.code, posted=posted
        )
    except service.InvalidForm as error:
        return _texts_page(
            request, staff, session, context, language,
            posted=posted, errors=error.errors, status_code=422,
        )  # fmt: skip
    except service.ChangeRefused as error:
        return _texts_page(
            request, staff, session, context, language,
            posted=posted, errors=error.fields, refusal=error.message, status_code=409,
        )  # fmt: skip
    return _redirect(request, "staff:scan", scan_id=context.scan.id)


# --- preview -------------------------------------------------------------------------------------


@router.get("/scans/{scan_id}/voorbeeld/{step}", name="staff:scan_preview")
def preview(
    request: Request,
    step: str,
    staff: ViewDep,
    context: ViewedScanDep,
    session: SessionDep,
    taal: str = "nl",
    switch_lang: str = "",
    nav: str = "",
) -> HttpResponse:
    """A question page exactly as a resident sees it, in any language; its form saves nothing.

    The preview's form is sent with GET: the language buttons and Next/Back come back here
    and lead to the same page in another language or to the page before or after.
    """
    scan = context.scan
    language = taal if taal in LANGUAGES else "nl"
    all_steps = rules.steps(queries.page_keys(session, scan.id or 0))
    question_steps = [s for s in all_steps if not (s.is_contact or s.is_review)]
    current = next((s for s in question_steps if s.key == step), None)
    if current is None:
        raise NotFound
    if switch_lang in LANGUAGES or nav in ("next", "back"):
        index = question_steps.index(current) + {"next": 1, "back": -1}.get(nav, 0)
        target = question_steps[max(0, min(index, len(question_steps) - 1))]
        url = path_for(request, "staff:scan_preview", scan_id=scan.id, step=target.key)
        return RedirectResponse(f"{url}?taal={switch_lang or language}", status_code=303)
    page_questions = queries.questions(session, scan.id or 0, current.key)
    pijler_ids = {q.pijler_id for q in page_questions if q.pijler_id}
    pijler = queries.pijlers_by_id(session).get(pijler_ids.pop()) if len(pijler_ids) == 1 else None
    staff_language = LANGUAGES[current_locale()]
    banner = {
        "lang": staff_language.code,
        "dir": "rtl" if staff_language.rtl else "ltr",
        "text": str(
            _l("Preview: this is how residents see this page. Nothing you fill in is saved.")
        ),
        "back": str(_l("Back to the scan")),
        "back_url": path_for(request, "staff:scan", scan_id=scan.id),
    }
    with use_locale(language):
        return render(
            request,
            "scan/step_questions.html",
            {
                "scan": scan,
                "buurt": context.buurt,
                "step": current,
                "back_url": banner["back_url"],
                "resume_code": None,
                "questions": question_views(page_questions, []),
                "page_texts": scan.texts.get("pages", {}).get(current.key, {}),
                "pijler": pijler,
                "form_error": None,
                "preview": True,
                "preview_url": path_for(
                    request, "staff:scan_preview", scan_id=scan.id, step=current.key
                ),
                "preview_language": language,
                "preview_banner": banner,
            },
        )
