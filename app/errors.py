"""Domain errors and their one handler: a page in the user's language, or a fragment for htmx."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.i18n import gettext_lazy as _l
from app.templating import render


class AppError(Exception):
    """A business error with a status and a translatable message for the page."""

    status_code = 400
    title = _l("Something went wrong")
    message = _l("Please try again.")

    def __init__(self, message: Any = None, *, link: tuple[Any, str] | None = None) -> None:
        super().__init__(str(message or self.message))
        if message is not None:
            self.message = message
        self.link = link  # (label, url) of a way forward


class NotFound(AppError):
    status_code = 404
    title = _l("Page not found")
    message = _l("We cannot find this page. Check the address, or start on the home page.")


class Conflict(AppError):
    status_code = 409


class Forbidden(AppError):
    status_code = 403


def _render_error(
    request: Request, status_code: int, title: Any, message: Any, link: Any = None
) -> Response:
    return render(
        request,
        "errors/error.html",
        {"status_code": status_code, "title": title, "message": message, "link": link},
        block="error",
        status_code=status_code,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    def on_app_error(request: Request, error: AppError) -> Response:
        return _render_error(request, error.status_code, error.title, error.message, error.link)

    @app.exception_handler(StarletteHTTPException)
    def on_http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return _render_error(request, 404, NotFound.title, NotFound.message)
        if error.status_code == 405:
            return _render_error(
                request, 405, _l("This does not work here"), _l("Use the buttons on the page.")
            )
        return _render_error(request, error.status_code, AppError.title, AppError.message)

    @app.exception_handler(RequestValidationError)
    def on_validation_error(request: Request, error: RequestValidationError) -> Response:
        # A malformed address (/staff/scans/abc, ?stap=abc) names no page: not found.
        if request.method in ("GET", "HEAD") or all(
            e.get("loc", ("",))[0] == "path" for e in error.errors()
        ):
            return _render_error(request, 404, NotFound.title, NotFound.message)
        return _render_error(
            request,
            422,
            _l("Something is not right"),
            _l("The form was not filled in as expected. Go back and try again."),
        )
