"""Security on every request: response headers, the CSRF cookie and check, the body limit.

CSRF uses a random per-browser cookie and a form field (or ``X-CSRF-Token`` header for
htmx) holding an HMAC of it, so plain HTML forms work without JavaScript.
"""

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie
from typing import Any

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings, get_settings
from app.errors import AppError
from app.i18n import gettext_lazy as _l

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_cookie_name(settings: Settings) -> str:
    return "__Host-csrf" if settings.secure_cookies else "csrf"


def csrf_token_for(secret_key: str, cookie_value: str) -> str:
    return hmac.new(secret_key.encode(), cookie_value.encode(), hashlib.sha256).hexdigest()


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    # Answers must not linger in a shared phone's cache.
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CsrfCookieMiddleware:
    """Gives every browser a CSRF cookie and puts the matching token in ``request.state``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        name = csrf_cookie_name(settings)
        cookie_value = _read_cookie(scope, name)
        new_cookie = None
        if not cookie_value or len(cookie_value) > 100:
            cookie_value = new_cookie = secrets.token_urlsafe(32)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["csrf_token"] = csrf_token_for(settings.secret_key, cookie_value)
        state["csrf_cookie_is_new"] = new_cookie is not None

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and new_cookie is not None:
                secure = "; Secure" if settings.secure_cookies else ""
                MutableHeaders(scope=message).append(
                    "set-cookie",
                    f"{name}={new_cookie}; Path=/; HttpOnly; SameSite=Lax{secure}",
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _read_cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope["headers"]:
        if key == b"cookie":
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:
                return None
            if name in cookie:
                return cookie[name].value
    return None


class PayloadTooLarge(AppError):
    status_code = 413
    title = _l("Too much text")
    message = _l("What you sent is too long. Make your answers shorter and try again.")


class LengthRequired(AppError):
    status_code = 411


class CsrfFailed(AppError):
    status_code = 403
    title = _l("This page has expired")
    message = _l(
        "For your safety we could not accept this form. Go back, reload the page and try again."
    )


async def verify_request(request: Request) -> None:
    """A global dependency: limits the body of unsafe requests and checks their CSRF token."""
    if request.method in SAFE_METHODS:
        return
    settings = get_settings()
    length = request.headers.get("content-length")
    if length is None and request.headers.get("transfer-encoding"):
        raise LengthRequired
    if length is not None and (not length.isdecimal() or int(length) > settings.max_body_bytes):
        raise PayloadTooLarge
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfFailed
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and length not in (None, "0"):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if request.state.csrf_cookie_is_new or not sent:
        raise CsrfFailed
    if not hmac.compare_digest(sent.encode(), request.state.csrf_token.encode()):
        raise CsrfFailed
