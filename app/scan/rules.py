"""Pure rules of a scan: when it is open, the order of its steps, resume codes."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from app.config import TIMEZONE

CONTACT_STEP = "contact"
REVIEW_STEP = "controle"
RESERVED_STEPS = frozenset({CONTACT_STEP, REVIEW_STEP})

# No 0/O, 1/I/L: a resident reads the code off a screen and types it on another device.
RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RESUME_CODE_LENGTH = 8


def local_date(now: datetime) -> date:
    return now.astimezone(TIMEZONE).date()


def scan_state(status: str, starts_on: date | None, ends_on: date | None, now: datetime) -> str:
    """``open``, ``not_yet_open`` or ``closed``: a scan takes answers only while ``open``.

    The dates are inclusive days in the municipality's time zone.
    """
    today = local_date(now)
    if status == "closed" or (ends_on is not None and today > ends_on):
        return "closed"
    if status == "draft" or (starts_on is not None and today < starts_on):
        return "not_yet_open"
    return "open"


@dataclass(frozen=True)
class Step:
    key: str
    number: int  # 1-based, for "step N of M"
    total: int

    @property
    def is_review(self) -> bool:
        return self.key == REVIEW_STEP

    @property
    def is_contact(self) -> bool:
        return self.key == CONTACT_STEP


def steps(question_pages: list[str]) -> list[Step]:
    """The resident's steps: the question pages in order, then contact details, then review."""
    keys = [*dict.fromkeys(question_pages), CONTACT_STEP, REVIEW_STEP]
    return [Step(key, number, len(keys)) for number, key in enumerate(keys, start=1)]


def question_numbers(questions: list[tuple[str, str]]) -> dict[str, int]:
    """Question key → its number (1, 2, …) in the order a resident meets it.

    ``questions`` are ``(page, key)`` in position order; pages come in step order (first
    appearance), questions within a page by position, so paper, entry page and online agree.
    """
    by_page: dict[str, list[str]] = {}
    for page, key in questions:
        by_page.setdefault(page, []).append(key)
    ordered = [key for keys in by_page.values() for key in keys]
    return {key: number for number, key in enumerate(ordered, start=1)}


def neighbour(all_steps: list[Step], current: str, offset: int) -> Step | None:
    keys = [step.key for step in all_steps]
    index = keys.index(current) + offset
    return all_steps[index] if 0 <= index < len(all_steps) else None


def new_resume_code() -> str:
    return "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_CODE_LENGTH))


def normalize_resume_code(typed: str) -> str | None:
    """The code as stored, from what a resident typed (spaces, dashes, lower case); else None."""
    code = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(code) != RESUME_CODE_LENGTH or any(ch not in RESUME_ALPHABET for ch in code):
        return None
    return code


def format_resume_code(code: str) -> str:
    half = RESUME_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def hash_resume_code(secret_key: str, code: str) -> str:
    return hmac.new(secret_key.encode(), f"resume:{code}".encode(), hashlib.sha256).hexdigest()
