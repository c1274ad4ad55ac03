"""Posters for a stairwell or a notice board: A3 or A4, one page.

The scan's title and buurt, a large vector QR code to the scan's short address and that
address in large type, the closing date, an invitation in Dutch (gettext, rendered in ``nl``)
and the one-line invitation in the five other languages, each in its own language.

``url`` is the scan's absolute short address, built by the caller with ``request.url_for``
(the request's base URL; behind a proxy uvicorn needs ``--proxy-headers`` for https).
"""

from typing import Literal

from sqlmodel import Session

from app.config import get_settings
from app.pdf import letters, render
from app.programme.models import Buurt
from app.scan.models import Scan
from app.staff import queries as staff_queries

Formaat = Literal["a3", "a4"]
FORMATS: tuple[Formaat, ...] = ("a3", "a4")


def poster_pdf(session: Session, scan: Scan, buurt: Buurt, *, url: str, formaat: Formaat) -> bytes:
    if formaat not in FORMATS:
        raise ValueError(f"a poster is A3 or A4, not {formaat!r}")
    sender, _ = letters.senders(get_settings().gemeente, staff_queries.partners(session))
    return render.render_pdf(
        "pdf/poster.html",
        {
            "title": f"{buurt.name} · Buurtscan · {formaat.upper()}",
            "formaat": formaat,
            "scan": scan,
            "buurt": buurt,
            "short_url": letters.short_url(url),
            "qr": letters.qr_svg(url),
            "sender": sender,
            "invitations": letters.invitations("poster"),
        },
        language="nl",
    )
