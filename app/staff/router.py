"""Staff pages: login with a second factor, logout, the overview, users and the audit log."""

from typing import Annotated, Any

import pyotp
import segno
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from starlette.responses import Response as HttpResponse

from app.clock import NowDep
from app.config import SettingsDep, get_settings
from app.db import SessionDep
from app.errors import NotFound
from app.formdata import FormItemsDep
from app.i18n import ngettext
from app.programme.models import Partner
from app.ratelimit import TooManyAttempts
from app.staff import queries, service
from app.staff.dependencies import (
    LoginRequired,
    PasswordSessionDep,
    SecondFactorRequired,
    Staff,
    cookie_name,
    require,
)
from app.staff.models import ROLES, User
from app.templating import path_for, render

router = APIRouter(prefix="/staff")
UsersAdminDep = Annotated[Staff, Depends(require("users.manage"))]
AuditDep = Annotated[Staff, Depends(require("audit.view"))]


def _field(form: list[tuple[str, Any]], name: str, limit: int = 300) -> str:
    value = next((v for k, v in form if k == name), "")
    return value[:limit] if isinstance(value, str) else ""


def _redirect(request: Request, name: str, **params: Any) -> RedirectResponse:
    return RedirectResponse(path_for(request, name, **params), status_code=303)


def install_staff_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    def to_login(request: Request, _error: LoginRequired) -> HttpResponse:
        response = _redirect(request, "staff:login")
        response.delete_cookie(cookie_name(get_settings()), path="/")
        return response

    @app.exception_handler(SecondFactorRequired)
    def to_totp(request: Request, error: SecondFactorRequired) -> HttpResponse:
        return _redirect(request, "staff:totp_setup" if error.setup else "staff:totp")

    @app.exception_handler(TooManyAttempts)
    def too_many(request: Request, error: TooManyAttempts) -> HttpResponse:
        page = render(
            request,
            "errors/error.html",
            {
                "status_code": 429,
                "title": error.title,
                "message": wait_message(error),
                "link": None,
            },
            status_code=429,
        )
        page.headers["Retry-After"] = str(error.retry_after)
        return page


def wait_message(error: TooManyAttempts) -> str:
    """How long to wait, in whole minutes (rounded up), in the reader's language."""
    minutes = max(1, -(-error.retry_after // 60))
    return ngettext(
        "Wait %(num)s minute and try again.", "Wait %(num)s minutes and try again.", minutes
    ) % {"num": minutes}


@router.get("/inloggen", name="staff:login")
def login_form(request: Request) -> HttpResponse:
    return render(request, "staff/login.html", {"email": "", "error": None})


@router.post("/inloggen", name="staff:login_post")
def login(
    request: Request, session: SessionDep, settings: SettingsDep, form: FormItemsDep, at: NowDep
) -> HttpResponse:
    email = _field(form, "email", 254)
    client = request.client.host if request.client else "unknown"
    try:
        _user, token = service.log_in(
            session,
            email=email,
            password=_field(form, "password", 1024),
            client=client,
            secret_key=settings.secret_key,
            now=at,
        )
    except service.LoginFailed as error:
        return render(
            request, "staff/login.html", {"email": email, "error": error.message}, status_code=401
        )
    old = request.cookies.get(cookie_name(settings))
    if old:
        previous = queries.session_by_token_hash(session, service.token_hash(old))
        if previous and previous[0].revoked_at is None:
            service.log_out(session, previous[0], previous[1], now=at)
    response = _redirect(request, "staff:home")
    response.set_cookie(
        cookie_name(settings),
        token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return response


@router.get("/tweede-stap", name="staff:totp")
def totp_form(request: Request, staff: PasswordSessionDep) -> HttpResponse:
    return render(request, "staff/totp.html", {"error": None})


@router.post("/tweede-stap", name="staff:totp_post")
def totp(
    request: Request,
    staff: PasswordSessionDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    try:
        service.pass_totp(
            session,
            staff.session,
            staff.user,
            code=_field(form, "code", 20),
            secret_key=settings.secret_key,
            now=at,
        )
    except service.LoginFailed as error:
        return render(request, "staff/totp.html", {"error": error.message}, status_code=401)
    return _redirect(request, "staff:home")


@router.get("/tweede-stap/instellen", name="staff:totp_setup")
def totp_setup_form(
    request: Request, staff: PasswordSessionDep, session: SessionDep, settings: SettingsDep
) -> HttpResponse:
    secret = staff.user.totp_secret or service.start_totp_setup(session, staff.user)
    return render(request, "staff/totp_setup.html", _setup_context(staff.user, secret, settings))


def _setup_context(user: User, secret: str, settings: Any) -> dict[str, Any]:
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=f"Buurtscan {settings.gemeente}"
    )
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=4, title=""))  # noqa: S704 - segno's own SVG
    return {"secret": secret, "qr": qr, "error": None}


@router.post("/tweede-stap/instellen", name="staff:totp_setup_post")
def totp_setup(
    request: Request,
    staff: PasswordSessionDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    try:
        service.enable_totp(
            session, staff.session, staff.user, code=_field(form, "code", 20), now=at
        )
    except service.LoginFailed as error:
        context = _setup_context(staff.user, staff.user.totp_secret or "", settings)
        context["error"] = error.message
        return render(request, "staff/totp_setup.html", context, status_code=422)
    return _redirect(request, "staff:home")


@router.post("/uitloggen", name="staff:logout")
def logout(
    request: Request,
    staff: PasswordSessionDep,
    session: SessionDep,
    settings: SettingsDep,
    at: NowDep,
    _form: FormItemsDep,
) -> HttpResponse:
    service.log_out(session, staff.session, staff.user, now=at)
    response = _redirect(request, "staff:login")
    response.delete_cookie(cookie_name(settings), path="/")
    return response


@router.get("/gebruikers", name="staff:users")
def users_page(request: Request, staff: UsersAdminDep, session: SessionDep) -> HttpResponse:
    return _users(request, staff, session, values={}, errors={})


def _users(
    request: Request,
    staff: Staff,
    session: SessionDep,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HttpResponse:
    return render(
        request,
        "staff/users.html",
        {
            "staff": staff,
            "users": queries.users(session),
            "partners": queries.partners(session),
            "roles": ROLES,
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.post("/gebruikers", name="staff:users_create")
def create_user(
    request: Request,
    staff: UsersAdminDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
) -> HttpResponse:
    values = {name: _field(form, name) for name in ("email", "name", "role", "partner_id")}
    partner = values["partner_id"]
    partner_id = int(partner) if partner.isdecimal() else None
    if partner_id is not None and session.get(Partner, partner_id) is None:
        partner_id = None
    try:
        service.create_user(
            session,
            actor=staff.user,
            email=values["email"],
            name=values["name"],
            role=values["role"],
            password=_field(form, "password", 1024),
            partner_id=partner_id,
            gemeente=settings.gemeente,
        )
    except service.InvalidUser as error:
        return _users(request, staff, session, values=values, errors=error.errors, status_code=422)
    return _redirect(request, "staff:users")


@router.post("/gebruikers/{user_id}/uitzetten", name="staff:users_deactivate")
def deactivate_user(
    request: Request,
    user_id: int,
    staff: UsersAdminDep,
    session: SessionDep,
    at: NowDep,
    _form: FormItemsDep,
) -> HttpResponse:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound
    service.deactivate_user(session, actor=staff.user, user=user, now=at)
    return _redirect(request, "staff:users")


@router.get("/audit", name="staff:audit")
def audit(request: Request, staff: AuditDep, session: SessionDep) -> HttpResponse:
    return render(
        request, "staff/audit.html", {"staff": staff, "entries": queries.audit_entries(session)}
    )
