"""Access codes: one per household, single use. Pure rules; storage is a keyed hash only.

Twelve characters from a 31-character alphabet without look-alikes: 59 bits, printed as
``ABCD-EFGH-JKLM``.
"""

import csv
import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass, field

from babel.numbers import format_decimal

from app.i18n import current_locale, gettext
from app.scan.models import CHANNELS
from app.scan.rules import RESUME_ALPHABET

CODE_ALPHABET = RESUME_ALPHABET
CODE_LENGTH = 12
GROUP = 4
MAX_BATCH = 20_000
# A batch size as typed: digits, also with thousands separators ("2.500", "20 000").
COUNT = re.compile(r"[0-9]+|[0-9]{1,3}(?:[ .,\u00a0\u202f][0-9]{3})+")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str | None:
    """The code as generated, from what a resident typed (spaces, dashes, lower case)."""
    code = "".join(ch for ch in typed[:60].upper() if ch.isalnum())
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def format_code(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def hash_code(secret_key: str, code: str) -> str:
    return hmac.new(secret_key.encode(), f"access:{code}".encode(), hashlib.sha256).hexdigest()


# --- batches on the staff pages (scan codes and vote codes alike) ------------------------------


def parse_count(typed: str) -> int | None:
    """A batch size from 1 to ``MAX_BATCH``, also written with thousands separators."""
    text = typed.strip()
    if not COUNT.fullmatch(text):
        return None
    count = int(re.sub(r"[^0-9]", "", text))
    return count if 1 <= count <= MAX_BATCH else None


def batch_error(count: int | None, output: str, *, max_letters: int) -> str | None:
    """Why a batch cannot be made (in the current language), or None."""
    if count is None:
        return gettext("Give a whole number from 1 to %(max)s.") % {
            "max": format_decimal(MAX_BATCH, locale=current_locale())
        }
    if output == "pdf" and count > max_letters:
        return gettext(
            "At most %(max)s letters fit in one PDF: make several batches of at most %(max)s."
        ) % {"max": format_decimal(max_letters, locale=current_locale())}
    return None


def codes_csv(page_url: str, shown: list[str]) -> bytes:
    """The printable list: ``code,link`` with a BOM so that Excel reads it as UTF-8.

    The link carries the code after ``#``: browsers never send that part to a server.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["code", "link"])
    for code in shown:
        writer.writerow([code, f"{page_url}#{code}"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@dataclass
class CodeBatch:
    """One batch's codes on a staff page: issued, used per channel, unused."""

    number: int | None  # None: the total of all batches
    issued: int = 0
    exported: bool = True
    used: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))

    @property
    def used_total(self) -> int:
        return sum(self.used.values())

    @property
    def unused(self) -> int:
        return self.issued - self.used_total

    def add(self, exported: bool, channel: str | None, count: int) -> None:
        self.issued += count
        self.exported = self.exported and exported
        if channel is not None:
            self.used[channel] = self.used.get(channel, 0) + count


def code_batches(
    rows: list[tuple[int, bool, str | None, int]],
) -> tuple[list[CodeBatch], CodeBatch]:
    """Codes per batch and in total (issued, used per channel), from the grouped counts."""
    by_number: dict[int, CodeBatch] = {}
    total = CodeBatch(None)
    for number, exported, channel, count in rows:
        by_number.setdefault(number, CodeBatch(number)).add(exported, channel, count)
        total.add(exported, channel, count)
    return list(by_number.values()), total
