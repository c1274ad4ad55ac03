"""The one Jinja environment and ``render()``: a page, or one named block of it for htmx."""

from typing import Any

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from jinja2_fragments import render_block
from starlette.types import Receive, Scope, Send

from app import i18n
from app.config import ROOT, TIMEZONE, get_settings
from app.staff.rules import can

environment = Environment(
    loader=FileSystemLoader(ROOT / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True
)
environment.globals["localized"] = i18n.localized
environment.globals["euros"] = i18n.euros
environment.globals["LANGUAGES"] = i18n.LANGUAGES
environment.globals["permitted"] = can  # a role's permission, for links on staff pages
environment.filters["fill"] = lambda text, **values: _fill(text, values)
environment.filters["number"] = lambda value: format_decimal(value, locale=i18n.current_locale())
environment.filters["date"] = lambda value, format="long": format_date(
    value, format=format, locale=i18n.current_locale()
)
environment.filters["time"] = lambda value, format="short": format_time(
    value, format=format, tzinfo=TIMEZONE, locale=i18n.current_locale()
)
environment.filters["datetime"] = lambda value, format="short": format_datetime(
    value, format=format, tzinfo=TIMEZONE, locale=i18n.current_locale()
)


def path_for(request: Request, name: str, **params: object) -> str:
    """A route's path (not its absolute URL): shorter pages, right behind any proxy.

    Routes never change while the app runs, so paths are cached (finding one walks them all).
    """
    router = request.scope["router"]
    key = (id(router), name, tuple(sorted((k, str(v)) for k, v in params.items())))
    path = _paths.get(key)
    if path is None:
        path = str(router.url_path_for(name, **dict(key[2])))
        if len(_paths) < 50_000:  # bounded: slugs and ids are finite, but never trust that
            _paths[key] = path
    root: str = request.scope.get("root_path", "")
    return root + path


_paths: dict[tuple[int, str, tuple[tuple[str, str], ...]], str] = {}


def _fill(text: str, values: dict[str, str]) -> str:
    """Fill ``{gemeente}``-style placeholders of a data text (no format spec, no attributes)."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def is_htmx(request: Request) -> bool:
    """An htmx request for part of a page (a boosted link or form wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and "HX-Boosted" not in request.headers


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> "PageResponse":
    """Render a page; with ``block``, only that block when htmx asks (``Vary: HX-Request``)."""
    settings = get_settings()
    language = i18n.LANGUAGES[i18n.current_locale()]
    full_context = {
        "request": request,
        "language": language,
        "gemeente": settings.gemeente,
        "demo_banner": settings.demo_banner,
        "csrf_token": request.state.csrf_token,
        "url_for": lambda name, **params: path_for(request, name, **params),
        **(context or {}),
    }
    page = environment.get_template(template)
    if block is not None and is_htmx(request):
        html = render_block(environment, template, block, full_context)
    else:
        html = page.render(full_context)
    response = PageResponse(html, status_code=status_code)
    response.template = page
    response.context = full_context
    if block is not None:
        response.headers["Vary"] = "HX-Request"
    return response


class PageResponse(HTMLResponse):
    """HTML that also tells a test client which template and context made it."""

    template: Template
    context: dict[str, Any]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if "http.response.debug" in scope.get("extensions", {}):
            info = {"template": self.template, "context": self.context}
            await send({"type": "http.response.debug", "info": info})
        await super().__call__(scope, receive, send)
