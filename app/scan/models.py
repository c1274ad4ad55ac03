"""Scans, their questions, the residents' responses and answers, and contact details.

Contact details live in their own table with no key to a response and only a date, never a
time, so they cannot be joined or lined up with anyone's answers.
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow

CHANNELS = ("online", "paper", "conversation")  # how a response (or ballot) came in


class Scan(SQLModel, table=True):
    __tablename__ = "scan"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
        CheckConstraint("access_mode IN ('open', 'codes')", name="access_mode"),
    )

    id: int | None = Field(default=None, primary_key=True)
    buurt_id: int = Field(foreign_key="buurt.id", index=True)
    slug: str = Field(max_length=60, unique=True)
    title: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    texts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    starts_on: date | None = None
    ends_on: date | None = None
    status: str = Field(default="draft", max_length=10)
    access_mode: str = Field(default="open", max_length=10)
    results_public: bool = False  # the public "wat we hoorden" page shows the results
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Question(SQLModel, table=True):
    """A question of one scan. ``key`` is stable across channels, languages and exports.

    ``texts`` maps a language to ``{"text": ..., "help": ...}``; ``options`` is a list of
    ``{"value": ..., "labels": {language: label}, "opt_out": bool}``.
    """

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("scan_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True, ondelete="CASCADE")
    pijler_id: int | None = Field(default=None, foreign_key="pijler.id")
    key: str = Field(max_length=80)
    kind: str = Field(max_length=20)
    page: str = Field(max_length=40)
    position: int
    required: bool = False
    texts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    options: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    display: str | None = Field(default=None, max_length=20)
    max_choices: int | None = None


class Response(SQLModel, table=True):
    """One resident's deelname. Holds no IP address, code, name or contact detail."""

    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint("channel IN ('online', 'paper', 'conversation')", name="channel"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    language: str = Field(max_length=5)
    channel: str = Field(default="online", max_length=12)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resume_code_hash: str | None = Field(default=None, max_length=64, unique=True)
    last_page: str | None = Field(default=None, max_length=40)


class Answer(SQLModel, table=True):
    """One value of an answer: a choice (``value``) or free text (``text`` in ``language``).

    Multi-valued answers (multiple choice, ranking) have one row per value; ``position`` is
    the rank or the order of choice.
    """

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", "position"),
        # Results count answers per question and value; this index answers that alone.
        Index("ix_answer_question_value_response", "question_id", "value", "response_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    response_id: uuid.UUID = Field(foreign_key="response.id", ondelete="CASCADE")
    question_id: int = Field(foreign_key="question.id", ondelete="CASCADE")
    position: int = 0
    value: str | None = Field(default=None, max_length=80)
    text: str | None = Field(default=None, max_length=2000)
    language: str | None = Field(default=None, max_length=5)


class Contact(SQLModel, table=True):
    """Contact details for an invitation to the ontwerpsessie, apart from every response."""

    __tablename__ = "contact"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    name: str | None = Field(default=None, max_length=120)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=30)
    created_on: date


class AccessCode(SQLModel, table=True):
    """A single-use code for one household. Only a keyed hash is stored, never a response id.

    ``used_at`` is a date, not a time, so a used code cannot be lined up with a response.
    """

    __tablename__ = "access_code"

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    batch: int = 1
    exported: bool = False
    used_on: date | None = None
    used_channel: str | None = Field(default=None, max_length=12)
