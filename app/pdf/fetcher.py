"""The only way a PDF reaches outside its HTML: the app's own static files, nothing else.

Documents are rendered with ``BASE_URL`` as their base, so ``static/css/print.css`` in a
template means the file under ``static/``. Every other address (``file://``, ``http(s)://``
anywhere, a path outside ``static/``, a missing file) is refused: WeasyPrint leaves the
resource out and the refusal is kept in ``refused`` (and logged), so a template that points
outside renders without it and never fetches anything. ``data:`` URLs carry their content
with them and are allowed.
"""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import (  # type: ignore[import-untyped]  # no type hints shipped
    URLFetcher,
    URLFetcherResponse,
)

from app.config import ROOT

BASE_URL = "https://buurtscan.invalid/"
STATIC_DIR = (ROOT / "static").resolve()
LOGGER = logging.getLogger(__name__)


class ResourceRefused(ValueError):
    """A document asked for something outside the app's static files."""


class StaticFilesOnly(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    def __init__(self, static_dir: Path = STATIC_DIR) -> None:
        super().__init__(timeout=1, allowed_protocols={"data"}, allow_redirects=False)
        self.static_dir = static_dir.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        path = self.static_path(url)
        if path is not None:
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        self.refused.append(url)
        LOGGER.warning("a document asked for %s: refused", url[:200])
        raise ResourceRefused(url)

    def static_path(self, url: str) -> Path | None:
        """The file a ``BASE_URL/static/...`` address names, if it is one of the app's."""
        if not url.startswith(BASE_URL + "static/"):
            return None
        parts = urlsplit(url)
        relative = unquote(parts.path).removeprefix("/static/")
        path = (self.static_dir / relative).resolve()
        if not path.is_relative_to(self.static_dir) or not path.is_file():
            return None
        return path
