"""Rate limits shared by every worker: a counter per key and fixed window, in the database.

Keys never hold an IP address in the clear: callers pass a keyed hash of it.
"""

import hashlib
import hmac
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, select

from app.db import UTCDateTime, begin_write
from app.errors import AppError
from app.i18n import gettext_lazy as _l

T = TypeVar("T")


class TooManyAttempts(AppError):
    """Too many tries; ``retry_after``: the seconds until the window has passed."""

    status_code = 429
    title = _l("Too many attempts")
    message = _l("Wait a few minutes and try again.")

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


class RateLimit(SQLModel, table=True):
    """Attempts per key in a fixed window; shared by every worker through the database."""

    __tablename__ = "rate_limit"

    key: str = Field(max_length=100, primary_key=True)
    window_start: datetime = Field(sa_type=UTCDateTime)
    count: int = 0


def client_key(secret_key: str, kind: str, value: str) -> str:
    digest = hmac.new(secret_key.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return f"{kind}:{digest.hexdigest()[:40]}"


def hit(session: Session, key: str, *, limit: int, window: timedelta, now: datetime) -> int | None:
    """Count one attempt; the seconds to wait when the limit is passed, else None.

    One atomic upsert: a new window starts when the old one has passed. Flushes, no commit.
    """
    table = RateLimit.__table__  # type: ignore[attr-defined]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    expired = table.c.window_start <= now - window
    statement = insert(table).values(key=key, window_start=now, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case((expired, 1), else_=table.c.count + 1),
            "window_start": case((expired, now), else_=table.c.window_start),
        },
    )
    session.exec(statement)
    row = session.exec(select(RateLimit).where(RateLimit.key == key)).one()
    session.refresh(row)
    if row.count <= limit:
        return None
    return max(1, math.ceil((row.window_start + window - now).total_seconds()))


def reset(session: Session, key: str) -> None:
    row = session.get(RateLimit, key)
    if row is not None:
        session.delete(row)


def waiting(
    session: Session, key: str, *, limit: int, window: timedelta, now: datetime
) -> int | None:
    """The seconds to wait when ``key`` used its ``limit`` tries in this window, else None.

    Counts nothing: it reads the counter as it is now.
    """
    row = session.exec(
        select(RateLimit).where(RateLimit.key == key).execution_options(populate_existing=True)
    ).first()
    if row is None or row.window_start <= now - window or row.count < limit:
        return None
    return max(1, math.ceil((row.window_start + window - now).total_seconds()))


def limit_wrong_tries(
    session: Session,
    secret_key: str,
    kind: str,
    client: str,
    check: Callable[[], T],
    *,
    wrong: tuple[type[Exception], ...],
    limit: int,
    window: timedelta,
    now: datetime,
) -> T:
    """``check()`` a typed code, unless the client (a keyed hash of its address) has made
    ``limit`` wrong tries in the window: then ``TooManyAttempts``.

    Only a wrong try (``check`` raises one of ``wrong``) counts, in a unit of work of its own
    committed before the error goes on. A right code costs nothing, so the households of one
    community centre's wifi can all type theirs; guessing stays slow.
    """
    key = client_key(secret_key, kind, client)
    retry_after = waiting(session, key, limit=limit, window=window, now=now)
    if retry_after is not None:
        raise TooManyAttempts(retry_after)
    try:
        return check()
    except wrong:
        begin_write(session)
        hit(session, key, limit=limit, window=window, now=now)
        session.commit()
        raise
