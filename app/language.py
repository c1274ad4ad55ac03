"""Choosing a language: ``/taal/<code>`` remembers it in a functional cookie and goes back."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.config import SettingsDep
from app.i18n import LANGUAGE_COOKIE, LANGUAGES

router = APIRouter()
ONE_YEAR = 365 * 86400


def safe_next(path: str | None) -> str:
    """Only a path on this site: never another origin (``//host``, ``https:``, ``\\\\``)."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")) or "\\" in path:
        return "/"
    return path[:500]


def remember_language(response: Response, code: str, *, secure: bool) -> None:
    if code in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, code, max_age=ONE_YEAR, httponly=True, samesite="lax", secure=secure
        )


def switch_to(request: Request, code: str, url: str, *, secure: bool) -> Response:
    """Go to ``url`` in another language: a whole new page, also for htmx (``lang``, ``dir``)."""
    response: Response
    if "HX-Request" in request.headers:
        response = Response(status_code=200, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    remember_language(response, code, secure=secure)
    return response


@router.get("/taal/{code}", name="language")
def choose_language(
    request: Request, code: str, settings: SettingsDep, next: str | None = None
) -> RedirectResponse:
    response = RedirectResponse(safe_next(next), status_code=303)
    remember_language(response, code, secure=settings.secure_cookies)
    return response
