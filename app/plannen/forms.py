"""Parsing the inbox's filters and the theme and moderation forms: values plus errors, pure.

Nothing here raises for bad input: a filter that makes no sense is dropped, a form field that
is wrong gets a message to show next to it (status 422).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from app.i18n import gettext_lazy as _l
from app.scan.forms import clean_text

KINDS = ("knelpunt", "idee")
VISIBILITIES = ("all", "visible", "hidden")
NAME_LIMIT = 80
REASON_LIMIT = 200
SEARCH_LIMIT = 200  # characters of a search that are used; the rest is ignored
IDS_LIMIT = 1000  # remarks one bulk action may name
_KEY = re.compile(r"[a-z0-9-]{1,40}")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_ID = re.compile(r"[0-9]{1,12}")
_ON = ("1", "on", "true", "ja")


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox shows. Empty strings mean "any"; ``theme`` is an id or ``"none"``."""

    pijler: str = ""
    language: str = ""
    theme: str = ""
    kind: str = ""
    helpen: bool = False
    quotes: bool = False
    visibility: str = "all"
    q: str = ""
    page: int = 1

    @property
    def theme_id(self) -> int | None:
        return int(self.theme) if self.theme.isdecimal() else None

    def params(self, *, page: int | None = None) -> dict[str, str]:
        """The filters that differ from the defaults, as query parameters."""
        values = {
            "pijler": self.pijler,
            "taal": self.language,
            "thema": self.theme,
            "soort": self.kind,
            "helpen": "1" if self.helpen else "",
            "citaten": "1" if self.quotes else "",
            "zichtbaar": "" if self.visibility == "all" else self.visibility,
            "q": self.q,
            "pagina": str(page or self.page) if (page or self.page) > 1 else "",
        }
        return {name: value for name, value in values.items() if value}

    def query(self, *, page: int | None = None) -> str:
        """``?...`` for a link to these filters (another page of them), or ``""``."""
        params = self.params(page=page)
        return "?" + urlencode(params) if params else ""

    @property
    def is_filtered(self) -> bool:
        return bool(replace(self, page=1).params())


def _first(items: Iterable[tuple[str, Any]], name: str, limit: int = 100) -> str:
    value = next((v for k, v in items if k == name), "")
    return value[:limit] if isinstance(value, str) else ""


def parse_filters(items: Iterable[tuple[str, Any]]) -> InboxFilters:
    """Filters from query parameters (or the ``terug`` field of a form); nonsense is dropped."""
    items = list(items)
    pijler = _first(items, "pijler", 41)
    language = _first(items, "taal", 4)
    theme = _first(items, "thema", 13)
    kind = _first(items, "soort", 10)
    visibility = _first(items, "zichtbaar", 10)
    page = _first(items, "pagina", 7)
    return InboxFilters(
        pijler=pijler if _KEY.fullmatch(pijler) else "",
        language=language if _LANGUAGE.fullmatch(language) else "",
        theme=theme if theme == "none" or _ID.fullmatch(theme) else "",
        kind=kind if kind in KINDS else "",
        helpen=_first(items, "helpen", 5) in _ON,
        quotes=_first(items, "citaten", 5) in _ON,
        visibility=visibility if visibility in VISIBILITIES else "all",
        q=clean_text(_first(items, "q", SEARCH_LIMIT)),
        page=max(1, int(page)) if page.isdecimal() else 1,
    )


def name_error(name: str) -> Any:
    """Why a theme name cannot be used as typed (already cleaned), or None."""
    if not name:
        return _l("Give the theme a name.")
    if len(name) > NAME_LIMIT:
        return _l("Use at most %(limit)s characters.") % {"limit": NAME_LIMIT}
    return None


def reason_error(reason: str) -> Any:
    if not reason:
        return _l("Say why this remark is hidden.")
    if len(reason) > REASON_LIMIT:
        return _l("Use at most %(limit)s characters.") % {"limit": REASON_LIMIT}
    return None


def text_field(items: Iterable[tuple[str, Any]], name: str, limit: int) -> str:
    """A cleaned text field; a little more than ``limit`` is read so "too long" can be said."""
    return clean_text(_first(items, name, limit + 50))


def parse_ids(items: Iterable[tuple[str, Any]], name: str) -> tuple[list[int], Any]:
    """Chosen ids (checkboxes), in order, without repeats; an error for anything else."""
    values = [v for k, v in items if k == name]
    if len(values) > IDS_LIMIT:
        return [], _l("Choose at most %(limit)s remarks at once.") % {"limit": IDS_LIMIT}
    if any(not isinstance(v, str) or not _ID.fullmatch(v) for v in values):
        return [], _l("Choose remarks from the list.")
    return list(dict.fromkeys(int(v) for v in values)), None


def parse_theme_choice(items: Iterable[tuple[str, Any]], name: str) -> tuple[int | None, Any]:
    """A theme chosen in a select: an id, or None for "no theme" (empty value)."""
    value = _first(items, name, 13)
    if value == "":
        return None, None
    if not _ID.fullmatch(value):
        return None, _l("Choose a theme from the list.")
    return int(value), None


def parse_back(items: Iterable[tuple[str, Any]]) -> InboxFilters:
    """The inbox filters a form came from (its ``terug`` field holds their query string)."""
    back = _first(items, "terug", 1000).lstrip("?")
    return parse_filters(parse_qsl(back, keep_blank_values=True))
