"""The app factory: middleware, routers, error handlers and static files."""

import hashlib
from functools import cache

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.config import ROOT, Settings, get_settings
from app.db import make_engine
from app.errors import install_error_handlers
from app.health import router as health_router
from app.language import router as language_router
from app.monitoring.router import router as monitoring_router
from app.pdf.documents_router import router as pdf_documents_router
from app.pdf.plan_router import router as pdf_plan_router
from app.pdf.questionnaire_router import router as pdf_questionnaire_router
from app.plannen.inbox_router import router as plannen_inbox_router
from app.plannen.plan_public_router import router as plannen_plan_public_router
from app.plannen.plan_router import router as plannen_plan_router
from app.plannen.public_router import router as plannen_public_router
from app.plannen.results_router import router as plannen_results_router
from app.plannen.session_router import router as plannen_session_router
from app.plannen.vote_admin_router import router as plannen_vote_admin_router
from app.plannen.vote_router import router as plannen_vote_router
from app.programme.router import router as programme_router
from app.scan.codes_router import router as scan_codes_router
from app.scan.export_router import router as scan_export_router
from app.scan.manage_router import router as scan_manage_router
from app.scan.paper_router import router as scan_paper_router
from app.scan.router import router as scan_router
from app.security import CsrfCookieMiddleware, SecurityHeadersMiddleware, verify_request
from app.staff.router import install_staff_handlers
from app.staff.router import router as staff_router
from app.templating import environment

STATIC_DIR = ROOT / "static"


class CachedStaticFiles(StaticFiles):
    """Static files are addressed with a content hash (``?v=``), so they may be cached for good."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append(
                    (b"cache-control", b"public, max-age=31536000, immutable")
                )
            await send(message)

        await super().__call__(scope, receive, send_with_cache)


@cache
def static_version(path: str) -> str:
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]


class CompressionMiddleware(GZipMiddleware):
    """Gzip, except for test clients that ask which template rendered a page.

    Starlette's gzip responders drop the ``http.response.debug`` message that carries the
    template; only a test client offers that extension, servers such as uvicorn never do.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if "http.response.debug" in scope.get("extensions", {}):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class LocaleMiddleware:
    """Sets the request's locale from the language cookie, Accept-Language or the default."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            i18n.set_locale(
                i18n.negotiate(
                    request.cookies.get(i18n.LANGUAGE_COOKIE),
                    request.headers.get("accept-language"),
                    get_settings().default_language,
                )
            )
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    i18n.load_catalogs()
    app = FastAPI(
        title="Buurtscan",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(verify_request)],
    )
    app.state.engine = make_engine(settings.database_url)
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(CsrfCookieMiddleware)
    app.add_middleware(CompressionMiddleware, minimum_size=500)
    app.add_middleware(SecurityHeadersMiddleware)
    install_error_handlers(app)
    install_staff_handlers(app)
    app.include_router(health_router)
    app.include_router(language_router)
    app.include_router(plannen_public_router)  # these three before /s/{slug}/... of the scan
    app.include_router(plannen_plan_public_router)
    app.include_router(plannen_vote_router)
    app.include_router(pdf_plan_router)  # /s/{slug}/plan.pdf: before the scan's pages too
    app.include_router(scan_router)
    app.include_router(staff_router)
    app.include_router(scan_manage_router)
    app.include_router(scan_codes_router)
    app.include_router(scan_paper_router)
    app.include_router(pdf_questionnaire_router)
    app.include_router(scan_export_router)
    app.include_router(monitoring_router)
    app.include_router(programme_router)
    app.include_router(plannen_results_router)
    app.include_router(plannen_inbox_router)
    app.include_router(plannen_session_router)
    app.include_router(plannen_plan_router)
    app.include_router(plannen_vote_admin_router)
    app.include_router(pdf_documents_router)
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    environment.globals["static_version"] = static_version
    return app
