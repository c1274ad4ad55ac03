"""Staff request dependencies: session cookie → active user → second factor → permission."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.clock import NowDep
from app.config import Settings, SettingsDep
from app.db import SessionDep
from app.errors import Forbidden
from app.i18n import gettext_lazy as _l
from app.staff import queries, rules, service
from app.staff.models import StaffSession, User


class LoginRequired(Exception):
    """Not (or no longer) logged in: the handler sends the browser to the login page."""


class SecondFactorRequired(Exception):
    """Logged in with a password, but the TOTP step is still to come (or to be set up)."""

    def __init__(self, setup: bool) -> None:
        super().__init__()
        self.setup = setup


@dataclass(frozen=True)
class Staff:
    user: User
    session: StaffSession


def cookie_name(settings: Settings) -> str:
    return "__Host-staff" if settings.secure_cookies else "staff"


def get_password_session(
    request: Request, session: SessionDep, settings: SettingsDep, at: NowDep
) -> Staff:
    """A live session whose password step passed (the second factor may still be due)."""
    token = request.cookies.get(cookie_name(settings))
    found = queries.session_by_token_hash(session, service.token_hash(token)) if token else None
    if found is None:
        raise LoginRequired
    staff_session, user = found
    if staff_session.revoked_at is not None or not user.is_active:
        raise LoginRequired
    if rules.session_expired(staff_session.created_at, staff_session.last_seen_at, at):
        service.log_out(session, staff_session, user, now=at)
        raise LoginRequired
    return Staff(user, staff_session)


PasswordSessionDep = Annotated[Staff, Depends(get_password_session)]


def get_staff(staff: PasswordSessionDep, session: SessionDep, at: NowDep) -> Staff:
    if not staff.session.totp_passed:
        raise SecondFactorRequired(setup=not staff.user.totp_enabled)
    if staff.user.role == "beheerder" and not staff.user.totp_enabled:
        raise SecondFactorRequired(setup=True)
    service.touch(session, staff.session, now=at)
    return staff


StaffDep = Annotated[Staff, Depends(get_staff)]


def require(permission: str) -> Callable[[Staff], Staff]:
    def check(staff: StaffDep) -> Staff:
        if not rules.can(staff.user.role, permission):
            raise Forbidden(_l("Your role does not allow this."))
        return staff

    return check


def permission(name: str) -> type[Staff]:
    return Annotated[Staff, Depends(require(name))]  # type: ignore[return-value]
