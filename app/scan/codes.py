"""Access codes: one per household, single use. Pure rules; storage is a keyed hash only.

Twelve characters from a 31-character alphabet without look-alikes: 59 bits, printed as
``ABCD-EFGH-JKLM``.
"""

import hashlib
import hmac
import secrets

from app.scan.rules import RESUME_ALPHABET

CODE_ALPHABET = RESUME_ALPHABET
CODE_LENGTH = 12
GROUP = 4
MAX_BATCH = 20_000


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
