"""Staff passwords: Argon2id hashes and a strength rule that refuses common passwords."""

from pwdlib import PasswordHash
from zxcvbn import zxcvbn  # type: ignore[import-untyped]  # the package ships no type hints

from app.i18n import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_STRENGTH = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" against online attacks

_hasher = PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher.verify(password, password_hash)


def password_problem(password: str, *, known: list[str]) -> str | None:
    """Why a new password is refused (a translatable message), or None.

    ``known`` holds the user's own words (e-mail, name, municipality), which count as guessable.
    """
    if len(password) < MIN_LENGTH:
        return _("Use at least %(count)s characters.") % {"count": MIN_LENGTH}
    if len(password) > MAX_LENGTH:
        return _("Use at most %(count)s characters.") % {"count": MAX_LENGTH}
    score: int = zxcvbn(password, user_inputs=known)["score"]
    if score < MIN_STRENGTH:
        return _("This password is too common or too easy to guess. Choose a longer one.")
    return None
