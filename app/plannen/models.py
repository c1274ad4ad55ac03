"""Themes, and what facilitators decided about each free-text remark.

A remark is an answer of kind ``knelpunt`` or ``idee`` (``app.scan.models.Answer``). The
answer itself is never changed: its moderation, theme and quote flag live in ``Remark``, a
row that exists only once a facilitator has done something with it.
"""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Theme(SQLModel, table=True):
    """A facilitators' cluster of knelpunten and ideeën in one scan, usually of one pijler."""

    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("scan_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True, ondelete="CASCADE")
    pijler_id: int | None = Field(default=None, foreign_key="pijler.id")
    name: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Remark(SQLModel, table=True):
    """What facilitators did with one free-text answer: its theme, hiding, quoting.

    Hiding keeps the original (for beheerders) and records why; ``is_quote`` marks the
    remark as one to quote on the session screen, the public page and in the plan.
    """

    __tablename__ = "remark"

    answer_id: int = Field(foreign_key="answer.id", primary_key=True, ondelete="CASCADE")
    theme_id: int | None = Field(
        default=None, foreign_key="theme.id", index=True, ondelete="SET NULL"
    )
    is_quote: bool = False
    hidden_reason: str | None = Field(default=None, max_length=200)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RejectedSuggestion(SQLModel, table=True):
    """A theme suggestion a facilitator turned down, so it is not proposed again."""

    __tablename__ = "rejected_suggestion"
    __table_args__ = (UniqueConstraint("scan_id", "keyword"),)

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True, ondelete="CASCADE")
    keyword: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
