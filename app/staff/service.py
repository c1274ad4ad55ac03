"""Use-cases of staff accounts: users, login, second factor, sessions, the audit log."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

import pyotp
from sqlalchemy import update
from sqlmodel import Session, col

from app import ratelimit
from app.db import begin_write
from app.errors import AppError, Forbidden
from app.i18n import gettext_lazy as _l
from app.ratelimit import TooManyAttempts
from app.staff import queries, rules
from app.staff.models import ROLES, AuditEntry, StaffSession, User
from app.staff.passwords import hash_password, password_problem, verify_password

LOGIN_LIMIT = 5  # attempts per account and per client in the window
TOTP_LIMIT = 5
LIMIT_WINDOW = timedelta(minutes=15)
# Verifying an unknown e-mail still costs one hash, so timing does not tell which exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


class LoginFailed(AppError):
    status_code = 401
    message = _l("The e-mail address or password is not right.")


class InvalidUser(AppError):
    status_code = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__()
        self.errors = errors


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def record(
    session: Session,
    user: User | None,
    action: str,
    target_type: str,
    target_id: object = None,
    **detail: Any,
) -> None:
    """Add an audit entry to the current unit of work (committed with the change itself)."""
    session.add(
        AuditEntry(
            user_id=user.id if user else None,
            action=action,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            detail=detail,
        )
    )


def create_user(
    session: Session,
    *,
    actor: User | None,
    email: str,
    name: str,
    role: str,
    password: str,
    partner_id: int | None = None,
    gemeente: str = "",
) -> User:
    begin_write(session)
    email = email.strip().lower()
    errors: dict[str, str] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = str(_l("Give a valid e-mail address."))
    elif queries.user_by_email(session, email) is not None:
        errors["email"] = str(_l("There is already an account with this e-mail address."))
    if not name.strip() or len(name) > 120:
        errors["name"] = str(_l("Give a name of at most 120 characters."))
    if role not in ROLES:
        errors["role"] = str(_l("Choose a role."))
    if role == "partner" and partner_id is None:
        errors["partner_id"] = str(_l("A partner account belongs to an organisation."))
    problem = password_problem(password, known=[email, name, gemeente])
    if problem:
        errors["password"] = problem
    if errors:
        raise InvalidUser(errors)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        partner_id=partner_id if role == "partner" else None,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "staff_user", user.id, email=email, role=role)
    session.commit()
    return user


def deactivate_user(session: Session, *, actor: User, user: User, now: datetime) -> None:
    """Switch an account off; every session it has stops working at once."""
    begin_write(session)
    if user.id == actor.id:
        raise Forbidden(_l("You cannot switch off your own account."))
    user.is_active = False
    session.add(user)
    session.exec(
        update(StaffSession)
        .where(col(StaffSession.user_id) == user.id, col(StaffSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    record(session, actor, "user.deactivate", "staff_user", user.id)
    session.commit()


def log_in(
    session: Session, *, email: str, password: str, client: str, secret_key: str, now: datetime
) -> tuple[User, str]:
    """Check the password and start a new session; returns the user and the cookie's token.

    Attempts are limited per account and per client, whatever the outcome.
    """
    begin_write(session)
    for key in (
        ratelimit.client_key(secret_key, "login-account", email.strip().lower()),
        ratelimit.client_key(secret_key, "login-client", client),
    ):
        retry_after = ratelimit.hit(session, key, limit=LOGIN_LIMIT, window=LIMIT_WINDOW, now=now)
        if retry_after is not None:
            session.commit()
            raise TooManyAttempts(retry_after)
    user = queries.user_by_email(session, email)
    valid = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    if user is None or not valid or not user.is_active:
        session.commit()
        raise LoginFailed
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            user_id=user.id or 0,
            token_hash=token_hash(token),
            totp_passed=not rules.needs_totp(user.role, user.totp_enabled),
            created_at=now,
            last_seen_at=now,
        )
    )
    user.last_login_at = now
    session.add(user)
    record(session, user, "session.login", "staff_user", user.id)
    session.commit()
    return user, token


def pass_totp(
    session: Session,
    staff_session: StaffSession,
    user: User,
    *,
    code: str,
    secret_key: str,
    now: datetime,
) -> None:
    begin_write(session)
    key = ratelimit.client_key(secret_key, "totp", str(user.id))
    retry_after = ratelimit.hit(session, key, limit=TOTP_LIMIT, window=LIMIT_WINDOW, now=now)
    if retry_after is not None:
        session.commit()
        raise TooManyAttempts(retry_after)
    if not user.totp_secret or not pyotp.TOTP(user.totp_secret).verify(
        code.replace(" ", ""), for_time=now, valid_window=1
    ):
        session.commit()
        raise LoginFailed(_l("This code is not right. Use the newest code from your app."))
    staff_session.totp_passed = True
    session.add(staff_session)
    ratelimit.reset(session, key)
    session.commit()


def start_totp_setup(session: Session, user: User) -> str:
    """A new secret for the authenticator app (not yet switched on)."""
    begin_write(session)
    user.totp_secret = pyotp.random_base32()
    session.add(user)
    session.commit()
    return user.totp_secret


def enable_totp(
    session: Session, staff_session: StaffSession, user: User, *, code: str, now: datetime
) -> None:
    begin_write(session)
    if not user.totp_secret or not pyotp.TOTP(user.totp_secret).verify(
        code.replace(" ", ""), for_time=now, valid_window=1
    ):
        raise LoginFailed(_l("This code is not right. Use the newest code from your app."))
    user.totp_enabled = True
    staff_session.totp_passed = True
    session.add_all([user, staff_session])
    record(session, user, "user.totp_enable", "staff_user", user.id)
    session.commit()


def log_out(session: Session, staff_session: StaffSession, user: User, *, now: datetime) -> None:
    begin_write(session)
    staff_session.revoked_at = now
    session.add(staff_session)
    record(session, user, "session.logout", "staff_user", user.id)
    session.commit()


def touch(session: Session, staff_session: StaffSession, *, now: datetime) -> None:
    """Keep an active session alive (at most one write a minute)."""
    if now - staff_session.last_seen_at > timedelta(minutes=1):
        begin_write(session)
        staff_session.last_seen_at = now
        session.add(staff_session)
        session.commit()
