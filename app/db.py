"""Database engine, sessions and the shared column types.

SQLite runs in WAL mode with foreign keys and a busy timeout. Every session starts with plain
(deferred) read transactions; a use-case that writes calls ``begin_write(session)`` first,
which ends the read and begins ``BEGIN IMMEDIATE``: concurrent residents then queue for the
write lock (busy timeout) instead of failing with "database is locked", and the lock is held
only for the write itself, never across a request's other steps. PostgreSQL needs none of
this; ``begin_write`` is harmless there.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, Dialect, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata

SQLITE_BUSY_TIMEOUT_MS = 10_000
_WRITE_OPTION = "buurtscan_write"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored as UTC; SQLite hands back naive values, made aware here."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins (see on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write(session: Session) -> None:
    """Start the writing part of a use-case: end any read transaction, take the write lock.

    Call it before the first change; what was read stays loaded (``expire_on_commit`` is
    off). Changes made before it would be flushed by the commit of the read transaction.
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={_WRITE_OPTION: True})


def open_session(engine: Engine, *, write: bool = False) -> Session:
    """A session; with ``write`` its first transaction already holds the write lock."""
    session = Session(engine, expire_on_commit=False)
    if write:
        begin_write(session)
    return session


def get_session(request: Request) -> Iterator[Session]:
    engine: Engine = request.app.state.engine
    with open_session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
