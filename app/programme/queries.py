"""Every read of the programme's structure. Plain functions, session first, never committing."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.programme.models import Buurt


def buurten(session: Session) -> list[Buurt]:
    return list(session.exec(select(Buurt).order_by(col(Buurt.name), col(Buurt.id))).all())


def buurt(session: Session, buurt_id: int) -> Buurt | None:
    return session.get(Buurt, buurt_id)


def buurt_named(session: Session, name: str) -> Buurt | None:
    """A buurt with this name, whatever its letter case."""
    return session.exec(select(Buurt).where(func.lower(Buurt.name) == name.lower())).first()


def buurt_by_slug(session: Session, slug: str) -> Buurt | None:
    return session.exec(select(Buurt).where(Buurt.slug == slug)).first()


def buurt_by_cbs_code(session: Session, cbs_code: str) -> Buurt | None:
    return session.exec(select(Buurt).where(Buurt.cbs_code == cbs_code)).first()
