"""Use-cases of the programme's structure: creating and editing buurten. Each commits once."""

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.db import begin_write
from app.errors import AppError
from app.i18n import gettext_lazy as _l
from app.programme import queries, rules
from app.programme.models import Buurt
from app.staff.models import User
from app.staff.service import record

NAME_LIMIT = 120
WIJK_LIMIT = 120
SLUG_LIMIT = 60


class InvalidBuurt(AppError):
    status_code = 422

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__()
        self.errors = errors


@dataclass(frozen=True)
class BuurtInput:
    """A buurt form as typed (strings and check boxes), before it is checked."""

    name: str = ""
    wijk: str = ""
    cbs_code: str = ""
    is_focus: bool = False
    first_wave: bool = False


def slugify(name: str) -> str:
    """``Oostendam-Noord`` → ``oostendam-noord``; letters with accents lose them."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:SLUG_LIMIT].strip("-")


def _checked(session: Session, typed: BuurtInput, existing: Buurt | None) -> dict[str, Any]:
    """The buurt's cleaned fields, or ``InvalidBuurt`` with a message per field."""
    name = " ".join(typed.name.split())
    wijk = " ".join(typed.wijk.split())
    cbs_code = typed.cbs_code.strip().upper().replace(" ", "")
    errors: dict[str, Any] = {}
    if not name:
        errors["name"] = _l("Give the buurt a name.")
    elif len(name) > NAME_LIMIT:
        errors["name"] = _l("Use at most %(limit)s characters.") % {"limit": NAME_LIMIT}
    else:
        same_name = queries.buurt_named(session, name)
        if same_name is not None and same_name.id != (existing.id if existing else None):
            errors["name"] = _l("There already is a buurt with this name.")
        elif existing is None:
            slug = slugify(name)
            if not slug:
                errors["name"] = _l("Use at least one letter or digit in the name.")
            elif queries.buurt_by_slug(session, slug) is not None:
                errors["name"] = _l(
                    "This name gives the same web name as another buurt. Choose another name."
                )
    if len(wijk) > WIJK_LIMIT:
        errors["wijk"] = _l("Use at most %(limit)s characters.") % {"limit": WIJK_LIMIT}
    if cbs_code:
        if not rules.is_valid_cbs_code(cbs_code):
            errors["cbs_code"] = _l(
                "A CBS buurtcode is BU followed by 8 digits, such as BU06420101."
            )
        else:
            same_code = queries.buurt_by_cbs_code(session, cbs_code)
            if same_code is not None and same_code.id != (existing.id if existing else None):
                errors["cbs_code"] = _l("Another buurt already has this CBS code.")
    if errors:
        raise InvalidBuurt(errors)
    return {
        "name": name,
        "wijk": wijk or None,
        "cbs_code": cbs_code or None,
        "is_focus": typed.is_focus,
        "first_wave": typed.first_wave,
    }


def create_buurt(session: Session, *, actor: User, typed: BuurtInput) -> Buurt:
    """A new buurt; its slug comes from the name once and then stays (links keep working)."""
    begin_write(session)
    fields = _checked(session, typed, None)
    buurt = Buurt(slug=slugify(fields["name"]), **fields)
    session.add(buurt)
    try:
        session.flush()
    except IntegrityError as error:  # another facilitator saved the same buurt just now
        session.rollback()
        raise InvalidBuurt({"name": _l("There already is a buurt with this name.")}) from error
    record(session, actor, "buurt.create", "buurt", buurt.id, **fields, slug=buurt.slug)
    session.commit()
    return buurt


def update_buurt(session: Session, *, actor: User, buurt: Buurt, typed: BuurtInput) -> None:
    begin_write(session)
    fields = _checked(session, typed, buurt)
    changed = {
        name: [getattr(buurt, name), value]
        for name, value in fields.items()
        if getattr(buurt, name) != value
    }
    if not changed:
        session.rollback()
        return
    for name, value in fields.items():
        setattr(buurt, name, value)
    session.add(buurt)
    record(session, actor, "buurt.update", "buurt", buurt.id, changed=changed)
    session.commit()
