"""Reads of the staff feature."""

from sqlmodel import Session, col, select

from app.programme.models import Partner
from app.staff.models import AuditEntry, StaffSession, User


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def session_by_token_hash(session: Session, token_hash: str) -> tuple[StaffSession, User] | None:
    row = session.exec(
        select(StaffSession, User).join(User).where(StaffSession.token_hash == token_hash)
    ).first()
    return (row[0], row[1]) if row else None


def users(session: Session) -> list[tuple[User, Partner | None]]:
    rows = session.exec(
        select(User, Partner).join(Partner, isouter=True).order_by(col(User.name))
    ).all()
    return [(user, partner) for user, partner in rows]


def partners(session: Session) -> list[Partner]:
    return list(session.exec(select(Partner).order_by(col(Partner.name))).all())


def audit_entries(session: Session, limit: int = 200) -> list[tuple[AuditEntry, User | None]]:
    rows = session.exec(
        select(AuditEntry, User)
        .join(User, isouter=True)
        .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
    ).all()
    return [(entry, user) for entry, user in rows]
