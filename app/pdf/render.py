"""One PDF pipeline: a Jinja template with a print stylesheet, rendered by WeasyPrint.

Documents are A4 (A3 for a poster), tagged PDF/UA-1 with the document language and title
set, fonts embedded (Noto Sans, Noto Sans Arabic and DejaVu Sans from Debian's packages;
see the Dockerfile and the Makefile's system packages), page numbers and bookmarks from the
print stylesheet (``static/css/print.css``). Nothing is fetched but the app's own static
files (``fetcher.StaticFilesOnly``).
"""

from typing import Any

from markupsafe import Markup
from weasyprint import HTML  # type: ignore[import-untyped]  # the package ships no type hints

from app import i18n
from app.config import get_settings
from app.i18n import gettext as _
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
                "page_number_css": page_number_css,
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


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: every character but letters and digits escaped."""
    escaped = "".join(ch if ch.isalnum() else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def page_number_css(*, first_page: bool) -> Markup:
    """The footer ``Page n of m`` in the current language, as ``@page`` rules.

    Translated rather than ``n / m`` in the stylesheet: in a right-to-left document the bare
    numbers would read the wrong way round ("13 / 5"). ``first_page``: number the first page
    too (a cover has none).
    """
    marker_page, marker_pages = "\x00p\x00", "\x00t\x00"
    pattern = _("Page %(page)s of %(pages)s") % {"page": marker_page, "pages": marker_pages}
    before, _sep, rest = pattern.partition(marker_page)
    between, _sep, after = rest.partition(marker_pages)
    content = (
        f"{css_string(before)} counter(page) {css_string(between)} counter(pages) "
        f"{css_string(after)}"
    )
    rule = f"@bottom-center {{ content: {content}; }}"
    first = rule if first_page else "@bottom-center { content: none; }"
    return Markup(f"@page {{ {rule} }} @page :first {{ {first} }}")  # noqa: S704  # built from escaped CSS strings only
