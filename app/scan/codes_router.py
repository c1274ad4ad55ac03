"""Access codes: staff make batches of them, residents type theirs to start a scan with codes.

A batch's plain codes exist once, in the CSV (or the letters' PDF) answered to the request
that made them; the database keeps keyed hashes only. The links and QR codes carry the code
after ``#``: browsers never send a URL's fragment, so a code from a QR link never reaches the
server or its logs.
"""

from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response as HttpResponse

from app.clock import NowDep
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import NotFound
from app.formdata import FormItemsDep
from app.i18n import current_locale
from app.i18n import gettext_lazy as _l
from app.pdf import letters
from app.programme.models import Buurt
from app.scan import codes, queries, rules, service
from app.scan.dependencies import (
    OpenScanDep,
    ScanContext,
    unsent_deelname,
    write_access_cookie,
    write_cookie,
)
from app.scan.models import CHANNELS, Scan
from app.staff.dependencies import Staff, require
from app.templating import path_for, render

router = APIRouter()
CodesManagerDep = Annotated[Staff, Depends(require("codes.manage"))]


def _field(form: list[tuple[str, Any]], name: str, limit: int) -> str:
    value = next((v for k, v in form if k == name), "")
    return value[:limit] if isinstance(value, str) else ""


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _scan(session: SessionDep, scan_id: int) -> tuple[Scan, Buurt]:
    # An id out of the column's range is simply not there (PostgreSQL would refuse the query).
    found = queries.scan_with_buurt_by_id(session, scan_id) if 0 < scan_id < 2**31 else None
    if found is None:
        raise NotFound
    return found


def _render_codes(
    request: Request,
    staff: Staff,
    session: SessionDep,
    scan: Scan,
    buurt: Buurt,
    *,
    typed: str = "",
    output: str = "csv",
    error: str | None = None,
    status_code: int = 200,
) -> HttpResponse:
    batches, total = codes.code_batches(queries.code_batch_counts(session, scan.id or 0))
    return render(
        request,
        "staff/codes.html",
        {
            "staff": staff,
            "scan": scan,
            "buurt": buurt,
            "batches": batches,
            "total": total,
            "channels": CHANNELS,
            "typed": typed,
            "output": output,
            "error": error,
            "max_count_text": format_decimal(codes.MAX_BATCH, locale=current_locale()),
            "max_letters_text": format_decimal(letters.MAX_LETTERS, locale=current_locale()),
        },
        status_code=status_code,
    )


CODES_NOT_ASKED = _l(
    "This scan is open to everyone and asks for no code. Set its access to 'with codes' first."
)


@router.get("/staff/scans/{scan_id}/codes", name="staff:codes")
def codes_page(
    request: Request, scan_id: int, staff: CodesManagerDep, session: SessionDep
) -> HttpResponse:
    scan, buurt = _scan(session, scan_id)
    return _render_codes(request, staff, session, scan, buurt)


@router.post("/staff/scans/{scan_id}/codes", name="staff:codes_generate")
def make_codes(
    request: Request,
    scan_id: int,
    staff: CodesManagerDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
) -> HttpResponse:
    scan, buurt = _scan(session, scan_id)
    typed = _field(form, "count", 20)
    output = "pdf" if _field(form, "format", 10) == "pdf" else "csv"
    count = codes.parse_count(typed)
    error = codes.batch_error(count, output, max_letters=letters.MAX_LETTERS)
    if scan.access_mode != "codes":
        # A code on a letter promises a door that this scan does not have: it is open to all.
        error, status_code = str(CODES_NOT_ASKED), 409
    else:
        status_code = 422
    if count is None or error is not None:
        return _render_codes(
            request,
            staff,
            session,
            scan,
            buurt,
            typed=typed,
            output=output,
            error=error,
            status_code=status_code,
        )
    batch, plain = service.issue_codes(
        session, scan, count=count, secret_key=settings.secret_key, actor=staff.user
    )
    url = str(request.url_for("scan:code", slug=scan.slug))
    shown = [codes.format_code(code) for code in plain]
    if output == "pdf":
        return letters.pdf_response(
            letters.scan_letters(session, scan, buurt, shown, url=url),
            f"brieven-{scan.slug}-batch{batch}.pdf",
        )
    return HttpResponse(
        codes.codes_csv(url, shown),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="codes-{scan.slug}-batch{batch}.csv"',
            "Cache-Control": "no-store",
        },
    )


def _step_path(request: Request, slug: str, step: rules.Step) -> str:
    if step.is_contact:
        return path_for(request, "scan:contact", slug=slug)
    if step.is_review:
        return path_for(request, "scan:review", slug=slug)
    return path_for(request, "scan:step", slug=slug, step=step.key)


def _render_code_page(
    request: Request, context: ScanContext, typed: str, error: Any, status_code: int = 200
) -> HttpResponse:
    return render(
        request,
        "scan/code.html",
        {"scan": context.scan, "buurt": context.buurt, "typed": typed, "error": error},
        status_code=status_code,
    )


@router.get("/s/{slug}/code", name="scan:code")
def code_form(request: Request, context: OpenScanDep) -> HttpResponse:
    if context.scan.access_mode != "codes":
        return _redirect(path_for(request, "scan:intro", slug=context.scan.slug))
    return _render_code_page(request, context, "", None)


@router.post("/s/{slug}/code", name="scan:code_enter")
def enter_code(
    request: Request,
    context: OpenScanDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    """Start a deelname with a valid code; the code is used up only when it is sent."""
    scan = context.scan
    if scan.access_mode != "codes":
        return _redirect(path_for(request, "scan:intro", slug=scan.slug))
    typed = _field(form, "code", 60)
    try:
        code_hash = service.check_access_code(
            session,
            scan,
            typed,
            client=request.client.host if request.client else "unknown",
            secret_key=settings.secret_key,
            now=at,
        )
    except (service.UnknownAccessCode, service.AccessCodeUsed) as error:
        return _render_code_page(request, context, typed, error.message, error.status_code)
    all_steps = rules.steps(queries.page_keys(session, scan.id or 0))
    mine = unsent_deelname(request, session, settings, scan.id or 0)
    if mine is not None and mine.access_code_hash == code_hash:
        # The same code again on this device (the letter's QR code opened twice): go on.
        target = next((s for s in all_steps if s.key == mine.response.last_page), all_steps[0])
        return _redirect(_step_path(request, scan.slug, target))
    response, resume_code = service.start_response(
        session, scan, language=current_locale(), secret_key=settings.secret_key, now=at
    )
    redirect = _redirect(_step_path(request, scan.slug, all_steps[0]))
    write_cookie(redirect, settings, response, resume_code)
    write_access_cookie(redirect, settings, response, code_hash)
    return redirect
