"""The resident's pages: open scans, intro, one page per step, review, submit, thank you."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response as HttpResponse

from app.clock import NowDep
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import NotFound
from app.formdata import FormItemsDep
from app.i18n import LANGUAGES, current_locale, gettext_lazy
from app.language import switch_to
from app.scan import queries, rules, service
from app.scan.dependencies import (
    DeelnameDep,
    OpenScanDep,
    ScanContext,
    ScanDep,
    read_cookie,
    write_cookie,
)
from app.scan.forms import parse_contact, parse_page
from app.scan.schemas import question_views
from app.templating import path_for, render

router = APIRouter()


def _steps(session: SessionDep, context: ScanContext) -> list[rules.Step]:
    return rules.steps(queries.page_keys(session, context.scan.id or 0))


def _step_url(request: Request, context: ScanContext, step: rules.Step | None) -> str:
    slug = context.scan.slug
    if step is None:
        return path_for(request, "scan:intro", slug=slug)
    if step.is_contact:
        return path_for(request, "scan:contact", slug=slug)
    if step.is_review:
        return path_for(request, "scan:review", slug=slug)
    return path_for(request, "scan:step", slug=slug, step=step.key)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _destination(all_steps: list[rules.Step], current: str, nav: str) -> rules.Step:
    """Where a page's button leads: the review, the step before (or the first), or the next."""
    if nav == "review":
        return all_steps[-1]
    if nav == "back":
        return rules.neighbour(all_steps, current, -1) or all_steps[0]
    return rules.neighbour(all_steps, current, 1) or all_steps[-1]


def _after_save(
    request: Request, context: ScanContext, all_steps: list[rules.Step], current: str, nav: str
) -> RedirectResponse:
    if nav == "back" and rules.neighbour(all_steps, current, -1) is None:
        return _redirect(_step_url(request, context, None))
    return _redirect(_step_url(request, context, _destination(all_steps, current, nav)))


def _find_step(all_steps: list[rules.Step], key: str) -> rules.Step:
    found = next((s for s in all_steps if s.key == key), None)
    if found is None or found.is_contact or found.is_review:
        raise NotFound
    return found


def _page_context(
    request: Request,
    context: ScanContext,
    deelname: Any,
    all_steps: list[rules.Step],
    step: rules.Step,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "scan": context.scan,
        "buurt": context.buurt,
        "step": step,
        "back_url": _step_url(request, context, rules.neighbour(all_steps, step.key, -1)),
        "resume_code": rules.format_resume_code(deelname.code)
        if deelname.code and deelname.response.last_page
        else None,
        **extra,
    }


@router.get("/", name="home")
def home(request: Request, session: SessionDep, at: NowDep) -> HttpResponse:
    scans = queries.open_scans(session, rules.local_date(at))
    return render(request, "home/index.html", {"scans": scans})


@router.get("/s/{slug}", name="scan:intro")
def intro(
    request: Request, context: ScanDep, session: SessionDep, settings: SettingsDep
) -> HttpResponse:
    all_steps = _steps(session, context)
    cookie = read_cookie(request, settings) or {}
    active = None
    if cookie.get("s") == context.scan.id:
        active = queries.response(session, _uuid(cookie.get("r")), context.scan.id or 0)
    last = next((s for s in all_steps if active and s.key == active.last_page), all_steps[0])
    return render(
        request,
        "scan/intro.html",
        {
            "scan": context.scan,
            "buurt": context.buurt,
            "state": context.state,
            "active": active,
            "continue_url": _step_url(request, context, last),
            "total_steps": len(all_steps),
        },
    )


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)


@router.post("/s/{slug}/start", name="scan:start")
def start(
    request: Request,
    context: OpenScanDep,
    session: SessionDep,
    settings: SettingsDep,
    at: NowDep,
    _form: FormItemsDep,
) -> HttpResponse:
    if context.scan.access_mode == "codes":
        raise service.ScanNeedsCode
    response, code = service.start_response(
        session, context.scan, language=current_locale(), secret_key=settings.secret_key, now=at
    )
    redirect = _redirect(_step_url(request, context, _steps(session, context)[0]))
    write_cookie(redirect, settings, response, code)
    return redirect


@router.get("/s/{slug}/verder", name="scan:resume_form")
def resume_form(request: Request, context: OpenScanDep) -> HttpResponse:
    return render(
        request,
        "scan/resume.html",
        {"scan": context.scan, "buurt": context.buurt, "typed": "", "error": None},
    )


@router.post("/s/{slug}/verder", name="scan:resume")
def resume(
    request: Request,
    context: OpenScanDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
) -> HttpResponse:
    typed = next((v for k, v in form if k == "code" and isinstance(v, str)), "")[:40]
    code = rules.normalize_resume_code(typed)
    try:
        if code is None:
            raise service.UnknownResumeCode(
                None if typed.strip() else gettext_lazy("Type the code you wrote down.")
            )
        response = service.resume(session, context.scan, code, secret_key=settings.secret_key)
    except service.UnknownResumeCode as error:
        return render(
            request,
            "scan/resume.html",
            {"scan": context.scan, "buurt": context.buurt, "typed": typed, "error": error.message},
            status_code=422,
        )
    all_steps = _steps(session, context)
    target = next((s for s in all_steps if s.key == response.last_page), all_steps[0])
    redirect = _redirect(_step_url(request, context, target))
    write_cookie(redirect, settings, response, code)
    return redirect


@router.get("/s/{slug}/stap/{step}", name="scan:step")
def step_page(
    request: Request, step: str, context: OpenScanDep, deelname: DeelnameDep, session: SessionDep
) -> HttpResponse:
    all_steps = _steps(session, context)
    current = _find_step(all_steps, step)
    page_questions = queries.questions(session, context.scan.id or 0, current.key)
    return _render_step(request, context, deelname, session, all_steps, current, page_questions)


def _render_step(
    request: Request,
    context: ScanContext,
    deelname: Any,
    session: SessionDep,
    all_steps: list[rules.Step],
    current: rules.Step,
    page_questions: list[Any],
    parsed: Any = None,
) -> HttpResponse:
    """A question page; after an invalid post, with what was typed and the errors (422)."""
    views = question_views(
        page_questions,
        queries.answers(session, deelname.response.id),
        parsed.raw if parsed else None,
        parsed.errors if parsed else None,
    )
    return render(
        request,
        "scan/step_questions.html",
        _page_context(
            request,
            context,
            deelname,
            all_steps,
            current,
            questions=views,
            page_texts=context.scan.texts.get("pages", {}).get(current.key, {}),
            pijler=_pijler_of(session, page_questions),
            form_error=parsed.form_error if parsed else None,
        ),
        block="main",
        status_code=422 if parsed else 200,
    )


def _pijler_of(session: SessionDep, page_questions: list[Any]) -> Any:
    ids = {q.pijler_id for q in page_questions if q.pijler_id}
    return queries.pijlers_by_id(session).get(ids.pop()) if len(ids) == 1 else None


@router.post("/s/{slug}/stap/{step}", name="scan:save_step")
def save_step(
    request: Request,
    step: str,
    context: OpenScanDep,
    deelname: DeelnameDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    all_steps = _steps(session, context)
    current = _find_step(all_steps, step)
    page_questions = queries.questions(session, context.scan.id or 0, current.key)
    switch = _language_switch(form)
    parsed = parse_page(page_questions, form, check_required=not switch and _wants_next(form))
    stays = switch is not None or parsed.has_errors
    service.save_answers(
        session,
        deelname.response,
        page_questions,
        parsed.values,
        language=current_locale(),
        page=current.key if stays else _destination(all_steps, current.key, parsed.nav).key,
        now=at,
    )
    if parsed.has_errors:
        return _render_step(
            request, context, deelname, session, all_steps, current, page_questions, parsed
        )
    if switch:
        url = _step_url(request, context, current)
        return switch_to(request, switch, url, secure=settings.secure_cookies)
    return _after_save(request, context, all_steps, current.key, parsed.nav)


def _language_switch(form: list[tuple[str, Any]]) -> str | None:
    """The language a page's switcher button asked for (saving the page first)."""
    code = next((v for k, v in form if k == "switch_lang"), None)
    return code if isinstance(code, str) and code in LANGUAGES else None


def _wants_next(form: list[tuple[str, Any]]) -> bool:
    """Required questions are checked when moving on, not when going back."""
    return next((v for k, v in form if k == "nav"), "next") != "back"


@router.post("/s/{slug}/stap/{step}/autosave", name="scan:autosave")
def autosave(
    request: Request,
    step: str,
    context: OpenScanDep,
    deelname: DeelnameDep,
    session: SessionDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    current = _find_step(_steps(session, context), step)
    page_questions = queries.questions(session, context.scan.id or 0, current.key)
    parsed = parse_page(page_questions, form, check_required=False)
    service.save_answers(
        session,
        deelname.response,
        page_questions,
        parsed.values,
        language=current_locale(),
        page=current.key,
        now=at,
    )
    views = question_views(
        page_questions, queries.answers(session, deelname.response.id), parsed.raw, parsed.errors
    )
    return render(
        request,
        "scan/autosave.html",
        {
            "questions": views,
            "saved_at": at,
            "form_error": parsed.form_error,
            "resume_code": rules.format_resume_code(deelname.code) if deelname.code else None,
        },
        status_code=422 if parsed.has_errors else 200,
    )


@router.get("/s/{slug}/contact", name="scan:contact")
def contact_page(
    request: Request, context: OpenScanDep, deelname: DeelnameDep, session: SessionDep
) -> HttpResponse:
    all_steps = _steps(session, context)
    contact = (
        queries.contact(session, deelname.contact_id, context.scan.id or 0)
        if deelname.contact_id
        else None
    )
    values = (
        {"name": contact.name, "email": contact.email, "phone": contact.phone} if contact else {}
    )
    return render(
        request,
        "scan/step_contact.html",
        _page_context(
            request,
            context,
            deelname,
            all_steps,
            all_steps[-2],
            values=values,
            errors={},
        ),
        block="main",
    )


@router.post("/s/{slug}/contact", name="scan:save_contact")
def save_contact(
    request: Request,
    context: OpenScanDep,
    deelname: DeelnameDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    all_steps = _steps(session, context)
    parsed = parse_contact(form)
    if parsed.errors:
        values = {"name": parsed.name, "email": parsed.email, "phone": parsed.phone}
        return render(
            request,
            "scan/step_contact.html",
            _page_context(
                request,
                context,
                deelname,
                all_steps,
                all_steps[-2],
                values=values,
                errors=parsed.errors,
            ),
            block="main",
            status_code=422,
        )
    switch = _language_switch(form)
    contact = service.save_contact(
        session,
        context.scan,
        deelname.contact_id,
        name=parsed.name,
        email=parsed.email,
        phone=parsed.phone,
        now=at,
    )
    redirect = (
        switch_to(
            request,
            switch,
            _step_url(request, context, all_steps[-2]),
            secure=settings.secure_cookies,
        )
        if switch
        else _after_save(request, context, all_steps, all_steps[-2].key, parsed.nav)
    )
    write_cookie(
        redirect, settings, deelname.response, deelname.code, contact.id if contact else None
    )
    return redirect


@router.get("/s/{slug}/controle", name="scan:review")
def review(
    request: Request, context: OpenScanDep, deelname: DeelnameDep, session: SessionDep
) -> HttpResponse:
    return _render_review(request, context, deelname, session, missing=[])


def _render_review(
    request: Request,
    context: ScanContext,
    deelname: Any,
    session: SessionDep,
    missing: list[Any],
    status_code: int = 200,
    *,
    code_typed: str = "",
    code_error: Any = None,
) -> HttpResponse:
    all_steps = _steps(session, context)
    views = question_views(
        queries.questions(session, context.scan.id or 0),
        queries.answers(session, deelname.response.id),
    )
    pages = {q.key: q.page for q in queries.questions(session, context.scan.id or 0)}
    by_page: dict[str, list[Any]] = {}
    for view in views:
        by_page.setdefault(pages[view.key], []).append(view)
    contact = (
        queries.contact(session, deelname.contact_id, context.scan.id or 0)
        if deelname.contact_id
        else None
    )
    return render(
        request,
        "scan/review.html",
        _page_context(
            request,
            context,
            deelname,
            all_steps,
            all_steps[-1],
            sections=[(s, by_page.get(s.key, [])) for s in all_steps[:-2]],
            pijlers=queries.pijlers_by_key(session),
            page_texts=context.scan.texts.get("pages", {}),
            contact=contact,
            missing={q.key for q in missing},
            # In code mode, a deelname resumed on another device has no code with it yet.
            needs_code=context.scan.access_mode == "codes" and not deelname.access_code_hash,
            code_typed=code_typed,
            code_error=code_error,
        ),
        block="main",
        status_code=status_code,
    )


@router.post("/s/{slug}/verstuur", name="scan:submit")
def submit(
    request: Request,
    context: OpenScanDep,
    deelname: DeelnameDep,
    session: SessionDep,
    settings: SettingsDep,
    at: NowDep,
    form: FormItemsDep,
) -> HttpResponse:
    """Send the answers; in code mode this uses up the code (from this device, or typed here)."""
    code_mode = context.scan.access_mode == "codes"
    typed = next((v for k, v in form if k == "access_code" and isinstance(v, str)), "")[:60]
    missing = service.missing_required(session, deelname.response)
    if missing:
        return _render_review(
            request, context, deelname, session, missing, status_code=422, code_typed=typed
        )
    code_hash = deelname.access_code_hash if code_mode else None
    try:
        if code_mode and code_hash is None:
            code_hash = service.check_access_code(
                session,
                context.scan,
                typed,
                client=request.client.host if request.client else "unknown",
                secret_key=settings.secret_key,
                now=at,
            )
        service.submit_response(session, deelname.response, now=at, code_hash=code_hash)
    except service.UnknownAccessCode as error:
        return _render_review(
            request,
            context,
            deelname,
            session,
            [],
            status_code=422,
            code_typed=typed,
            code_error=error.message,
        )
    except service.AccessCodeUsed as error:
        # The answers stay saved (unsent): the page leads back to them.
        review_url = path_for(request, "scan:review", slug=context.scan.slug)
        raise service.AccessCodeUsed(
            link=(gettext_lazy("Back to your answers"), review_url)
        ) from error
    return _redirect(path_for(request, "scan:thanks", slug=context.scan.slug))


@router.get("/s/{slug}/bedankt", name="scan:thanks")
def thanks(request: Request, context: ScanDep) -> HttpResponse:
    return render(request, "scan/thanks.html", {"scan": context.scan, "buurt": context.buurt})
