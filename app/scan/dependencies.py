"""Request dependencies of the resident pages: scan → open scan → this browser's deelname.

A browser's deelname lives in a signed, HttpOnly cookie: the response id, the plain resume
code (so every page can show it) and the id of any contact details given. In a scan with
access codes, a second signed cookie holds the keyed hash of the code the resident typed, tied
to that response id; it is used up at submit and never stored with the response. It is a cookie
of its own so that pages rewriting the deelname cookie (contact details, resume) keep it.
"""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response as HttpResponse

from app.clock import NowDep
from app.config import Settings, SettingsDep
from app.db import SessionDep
from app.errors import NotFound
from app.programme.models import Buurt
from app.scan import queries, rules, service
from app.scan.models import Response, Scan

COOKIE_SALT = "deelname"
ACCESS_COOKIE_SALT = "deelname-code"


@dataclass(frozen=True)
class ScanContext:
    scan: Scan
    buurt: Buurt
    state: str

    @property
    def is_open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True)
class Deelname:
    """This browser's response, with the resume code and contact id from its cookie."""

    response: Response
    code: str
    contact_id: uuid.UUID | None
    access_code_hash: str | None = None  # the typed access code's hash, in code mode


def get_scan(slug: str, session: SessionDep, at: NowDep) -> ScanContext:
    found = queries.scan_with_buurt(session, slug)
    if found is None:
        raise NotFound
    scan, buurt = found
    return ScanContext(scan, buurt, rules.scan_state(scan.status, scan.starts_on, scan.ends_on, at))


ScanDep = Annotated[ScanContext, Depends(get_scan)]


async def get_open_scan(context: ScanDep) -> ScanContext:
    if not context.is_open:
        raise service.ScanNotOpen
    return context


OpenScanDep = Annotated[ScanContext, Depends(get_open_scan)]


def cookie_name(settings: Settings) -> str:
    return "__Host-deelname" if settings.secure_cookies else "deelname"


def access_cookie_name(settings: Settings) -> str:
    return "__Host-deelname-code" if settings.secure_cookies else "deelname-code"


def _serializer(settings: Settings, salt: str = COOKIE_SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=salt)


def _read(request: Request, settings: Settings, name: str, salt: str) -> dict[str, Any] | None:
    raw = request.cookies.get(name)
    if not raw:
        return None
    try:
        data = _serializer(settings, salt).loads(
            raw, max_age=settings.resident_session_days * 86400
        )
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def read_cookie(request: Request, settings: Settings) -> dict[str, Any] | None:
    return _read(request, settings, cookie_name(settings), COOKIE_SALT)


def read_access_code_hash(
    request: Request, settings: Settings, response_id: uuid.UUID
) -> str | None:
    """The access code's hash remembered for this response on this device, if any."""
    data = _read(request, settings, access_cookie_name(settings), ACCESS_COOKIE_SALT)
    if not data or data.get("r") != str(response_id):
        return None
    code_hash = data.get("a")
    return code_hash if isinstance(code_hash, str) and code_hash else None


def write_access_cookie(
    http_response: HttpResponse, settings: Settings, response: Response, code_hash: str
) -> None:
    """Remember the typed access code (its keyed hash only) for this response on this device."""
    http_response.set_cookie(
        access_cookie_name(settings),
        _serializer(settings, ACCESS_COOKIE_SALT).dumps({"r": str(response.id), "a": code_hash}),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def write_cookie(
    http_response: HttpResponse,
    settings: Settings,
    response: Response,
    code: str,
    contact_id: uuid.UUID | None = None,
) -> None:
    payload = {
        "s": response.scan_id,
        "r": str(response.id),
        "c": code,
        "k": str(contact_id) if contact_id else None,
    }
    http_response.set_cookie(
        cookie_name(settings),
        _serializer(settings).dumps(payload),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def get_deelname(
    request: Request, context: OpenScanDep, session: SessionDep, settings: SettingsDep
) -> Deelname:
    """This browser's unsubmitted response to this scan, or a clear 409."""
    data = read_cookie(request, settings)
    if not data or data.get("s") != context.scan.id:
        raise service.NoActiveResponse
    try:
        response_id = uuid.UUID(str(data.get("r")))
        contact_id = uuid.UUID(data["k"]) if data.get("k") else None
    except ValueError as error:
        raise service.NoActiveResponse from error
    found = queries.response(session, response_id, context.scan.id or 0)
    if found is None:
        raise service.NoActiveResponse
    if found.submitted_at is not None:
        raise service.AlreadySubmitted
    return Deelname(
        found,
        str(data.get("c", "")),
        contact_id,
        read_access_code_hash(request, settings, found.id),
    )


DeelnameDep = Annotated[Deelname, Depends(get_deelname)]


def unsent_deelname(
    request: Request, session: SessionDep, settings: Settings, scan_id: int
) -> Deelname | None:
    """This browser's unsubmitted response to the scan, if it has one (never an error)."""
    data = read_cookie(request, settings)
    if not data or data.get("s") != scan_id:
        return None
    try:
        response_id = uuid.UUID(str(data.get("r")))
        contact_id = uuid.UUID(data["k"]) if data.get("k") else None
    except ValueError:
        return None
    found = queries.response(session, response_id, scan_id)
    if found is None or found.submitted_at is not None:
        return None
    return Deelname(
        found,
        str(data.get("c", "")),
        contact_id,
        read_access_code_hash(request, settings, found.id),
    )
