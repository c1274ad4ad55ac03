"""Locales: the catalogues, the request's locale in a ContextVar, and the gettext callables.

Catalogues are read from ``locales/<ll>/LC_MESSAGES/messages.po`` once at start-up and
compiled in memory, so no ``.mo`` build output is needed. Msgids are English.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import LazyProxy, NullTranslations, Translations

from app.config import ROOT


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # the language's name in itself
    rtl: bool = False


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("nl", "Nederlands"),
        Language("en", "English"),
        Language("tr", "Türkçe"),
        Language("ar", "العربية", rtl=True),
        Language("pl", "Polski"),
        Language("uk", "Українська"),
    )
}
LOCALES_DIR = ROOT / "locales"

_locale: ContextVar[str] = ContextVar("locale", default="nl")
_catalogs: dict[str, NullTranslations] = {}


def load_catalogs(directory: Path = LOCALES_DIR) -> None:
    """Compile every shipped ``.po`` file in memory (idempotent)."""
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        code = po_path.parent.parent.name
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=code)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        _catalogs[code] = Translations(fp=buffer)


LANGUAGE_COOKIE = "lang"
_MAX_ACCEPT_LANGUAGE = 1000  # characters of the header read; the rest is ignored
_MAX_RANGES = 30


def negotiate(cookie: str | None, accept_language: str | None, default: str) -> str:
    """The page language: an explicit choice (cookie), else the browser's, else ``default``.

    Unsupported or malformed values of either are ignored, never an error.
    """
    if cookie in LANGUAGES:
        return cookie
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "")[:_MAX_ACCEPT_LANGUAGE].split(",")):
        if index >= _MAX_RANGES:
            break
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if code in LANGUAGES and 0 < weight <= 1:
            ranked.append((-weight, index, code))
    return min(ranked)[2] if ranked else default


def current_locale() -> str:
    return _locale.get()


@contextmanager
def use_locale(code: str) -> Iterator[None]:
    token = _locale.set(code)
    try:
        yield
    finally:
        _locale.reset(token)


def set_locale(code: str) -> None:
    _locale.set(code)


def _translations() -> NullTranslations:
    return _catalogs.get(_locale.get()) or NullTranslations()


def gettext(message: str) -> str:
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations().ngettext(singular, plural, n)


def gettext_lazy(message: str) -> LazyProxy:
    """For messages defined at import time; translated when shown."""
    return LazyProxy(gettext, message, enable_cache=False)


def localized(texts: dict[str, str] | None, fallback: str = "nl") -> str:
    """Pick a data text (questionnaire, pijler) in the request's language, else the fallback."""
    if not texts:
        return ""
    return texts.get(_locale.get()) or texts.get(fallback) or next(iter(texts.values()), "")


def euros(amount: int | None) -> str:
    """Whole euros in the current locale ("€ 1.500" in Dutch); an en dash without an amount."""
    if amount is None:
        return "\u2013"
    text = format_currency(
        amount, "EUR", format="¤ #,##0", locale=current_locale(), currency_digits=False
    )
    return str(text).replace(" ", "\u00a0")  # the sign and the amount stay on one line
