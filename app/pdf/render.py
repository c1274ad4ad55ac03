"""One PDF pipeline: a Jinja template with a print stylesheet, rendered by WeasyPrint.

Documents are A4 (A3 for a poster), tagged PDF/UA-1 with the document language and title
set, fonts embedded (Noto Sans, Noto Sans Arabic and DejaVu Sans from Debian's packages;
see the Dockerfile and the Makefile's system packages), page numbers and bookmarks from the
print stylesheet (``static/css/print.css``). Nothing is fetched but the app's own static
files (``fetcher.StaticFilesOnly``).
"""

from typing import Any

from weasyprint import HTML  # type: ignore[import-untyped]  # the package ships no type hints

from app import i18n
from app.config import get_settings
from app.pdf.fetcher import BASE_URL, StaticFilesOnly
from app.templating import environment

PDF_VARIANT = "pdf/ua-1"


def render_html(template: str, context: dict[str, Any], *, language: str) -> str:
    """The document's HTML in ``language`` (UI texts through gettext, ``lang``/``dir`` set)."""
    with i18n.use_locale(language):
        return environment.get_template(template).render(
            {
                "language": i18n.LANGUAGES[language],
                "gemeente": get_settings().gemeente,
                **context,
            }
        )


def html_to_pdf(html: str, fetcher: StaticFilesOnly | None = None) -> bytes:
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher or StaticFilesOnly())
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, custom_metadata=True)
    return bytes(pdf)


def render_pdf(template: str, context: dict[str, Any], *, language: str) -> bytes:
    """Render a document template to PDF bytes. ``context`` needs a ``title``."""
    return html_to_pdf(render_html(template, context, language=language))
