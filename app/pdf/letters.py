"""Code letters: one A4 page per code, for a scan with codes or a vote round with codes.

Each letter is in B1 Dutch (UI texts through gettext, rendered in ``nl``) with one line in
each of the other five languages, in that language (``INVITATIONS``: written here, not in the
catalogues, because a letter shows all six languages at once). It carries the scan's (or the
plan's) title and the buurt, the code printed large in groups (``ABCD-EFGH-JKLM``), a vector
QR code that opens the code page with the code after ``#`` (browsers never send a URL's
fragment, so a code from a QR code never reaches the server or its logs), the short address
to type, the closing date, one plain sentence on privacy, and who sends it.

Plain codes exist only while the batch is issued: the letters are rendered in memory (no
temporary files) and answered to that one request. Only the pages carry the codes: the PDF's
title and metadata name the buurt, the letters have no bookmarks and no links.

Absolute URLs come from the caller: ``url`` is the code page's address built with
``request.url_for`` in the router, so it is the request's base URL (the host and scheme the
staff member used; behind a proxy, uvicorn needs ``--proxy-headers`` so that it says https).
"""

# The invitations are Turkish and Ukrainian text, whose letters look like Latin ones:
# ruff: noqa: RUF001

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import segno
from markupsafe import Markup
from sqlmodel import Session
from starlette.responses import Response

from app.config import get_settings
from app.i18n import LANGUAGES, Language
from app.pdf import render
from app.programme.models import Buurt, Partner
from app.scan.models import Scan
from app.staff import queries as staff_queries

# Letters in one PDF, so one request: 500 take about half a minute on a 2-core server (57 ms a
# letter, bench/documents.py), well within a proxy's usual 60 s. More letters: more batches.
MAX_LETTERS = 500
Kind = Literal["scan", "vote", "poster"]

# One line per language, each in its own language: what to do, and that it is in that language.
INVITATIONS: dict[Kind, dict[str, str]] = {
    "scan": {
        "en": "Tell us what you think of your neighbourhood: scan the QR code, or go to the"
        " address above and type your code. The questionnaire is also in English.",
        "tr": "Mahalleniz hakkında ne düşündüğünüzü bize söyleyin: QR kodunu okutun veya"
        " yukarıdaki adrese gidip kodunuzu yazın. Anket Türkçe olarak da var.",
        "ar": "أخبرنا برأيك في حيّك: امسح رمز QR، أو افتح العنوان المكتوب أعلاه واكتب رمزك."
        " الاستبيان متوفر أيضًا باللغة العربية.",
        "pl": "Powiedz nam, co myślisz o swojej okolicy: zeskanuj kod QR albo wejdź na adres"
        " podany powyżej i wpisz swój kod. Ankieta jest też po polsku.",
        "uk": "Розкажіть нам, що ви думаєте про свій район: відскануйте QR-код або відкрийте"
        " адресу, вказану вище, і введіть свій код. Опитування є також українською.",
    },
    "vote": {
        "en": "Vote on the plan for your neighbourhood: scan the QR code, or go to the address"
        " above and type your code. You can also vote in English.",
        "tr": "Mahalleniz için hazırlanan plan hakkında oy verin: QR kodunu okutun veya"
        " yukarıdaki adrese gidip kodunuzu yazın. Türkçe olarak da oy verebilirsiniz.",
        "ar": "صوّت على خطة حيّك: امسح رمز QR، أو افتح العنوان المكتوب أعلاه واكتب رمزك."
        " يمكنك التصويت باللغة العربية أيضًا.",
        "pl": "Zagłosuj na plan dla swojej okolicy: zeskanuj kod QR albo wejdź na adres podany"
        " powyżej i wpisz swój kod. Możesz głosować także po polsku.",
        "uk": "Проголосуйте за план для свого району: відскануйте QR-код або відкрийте адресу,"
        " вказану вище, і введіть свій код. Голосувати можна також українською.",
    },
    "poster": {
        "en": "Tell us what you think of your neighbourhood: scan the QR code. Also in English.",
        "tr": "Mahalleniz hakkında ne düşündüğünüzü bize söyleyin: QR kodunu okutun."
        " Türkçe olarak da var.",
        "ar": "أخبرنا برأيك في حيّك: امسح رمز QR. متوفر أيضًا باللغة العربية.",
        "pl": "Powiedz nam, co myślisz o swojej okolicy: zeskanuj kod QR. Także po polsku.",
        "uk": "Розкажіть нам, що ви думаєте про свій район: відскануйте QR-код. Також українською.",
    },
}


@dataclass(frozen=True)
class Invitation:
    language: Language
    text: str


@dataclass(frozen=True)
class Letter:
    code: str  # as printed: ABCD-EFGH-JKLM
    qr: Markup


def invitations(kind: Kind) -> list[Invitation]:
    """The one-line invitation in every language but Dutch, in the app's language order."""
    return [Invitation(LANGUAGES[code], text) for code, text in INVITATIONS[kind].items()]


def short_url(url: str) -> str:
    """The address to type: without ``https://``, a fragment or a trailing slash."""
    address = url.split("#", 1)[0].split("://", 1)[-1]
    return address.rstrip("/")


def qr_svg(url: str) -> Markup:
    """A vector QR code, sized by the stylesheet (no width or height of its own)."""
    svg = segno.make(url, error="m").svg_inline(omitsize=True, border=0, dark="#000")
    return Markup(svg)  # noqa: S704 - segno's own SVG markup; the URL is encoded, not in it


def senders(gemeente: str, partners: Sequence[Partner]) -> tuple[str, list[str]]:
    """Who sends the letter: the gemeente first, then the other partners by name."""
    own = [p.name for p in partners if p.kind == "gemeente"]
    others = [p.name for p in partners if p.kind != "gemeente"]
    return (own[0] if own else f"Gemeente {gemeente}"), others


def letters_pdf(
    *,
    kind: Literal["scan", "vote"],
    title: dict[str, str],
    buurt: Buurt,
    url: str,
    closes_on: date | None,
    partners: Sequence[Partner],
    shown_codes: Sequence[str],
) -> bytes:
    """One letter per code (as printed), in Dutch with the other languages' lines."""
    if not 1 <= len(shown_codes) <= MAX_LETTERS:
        raise ValueError(f"1 to {MAX_LETTERS} letters in one PDF, not {len(shown_codes)}")
    sender, others = senders(get_settings().gemeente, partners)
    return render.render_pdf(
        "pdf/letter.html",
        {
            "title": f"{buurt.name} · {'Buurtscan' if kind == 'scan' else 'Stemronde'}",
            "kind": kind,
            "document_title": title,
            "buurt": buurt,
            "short_url": short_url(url),
            "closes_on": closes_on,
            "sender": sender,
            "partners": others,
            "invitations": invitations(kind),
            "letters": [Letter(code, qr_svg(f"{url}#{code}")) for code in shown_codes],
        },
        language="nl",
    )


def scan_letters(
    session: Session, scan: Scan, buurt: Buurt, shown_codes: Sequence[str], *, url: str
) -> bytes:
    """The letters of a scan's access codes; ``url`` is the scan's absolute code page."""
    return letters_pdf(
        kind="scan",
        title=scan.title,
        buurt=buurt,
        url=url,
        closes_on=scan.ends_on,
        partners=staff_queries.partners(session),
        shown_codes=shown_codes,
    )


def vote_letters(
    session: Session,
    *,
    plan_title: dict[str, str],
    closes_on: date | None,
    buurt: Buurt,
    shown_codes: Sequence[str],
    url: str,
) -> bytes:
    """The letters of a vote round's codes; ``url`` is the vote's absolute start page.

    Plain values rather than the plan and round, so that this module never imports plannen
    (the scan's codes page uses it too).
    """
    return letters_pdf(
        kind="vote",
        title=plan_title,
        buurt=buurt,
        url=url,
        closes_on=closes_on,
        partners=staff_queries.partners(session),
        shown_codes=shown_codes,
    )


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF download that no cache keeps (letters carry codes; posters change with the scan)."""
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
