"""The programme's fixed structure: buurten, the seven pijlers and the coalition's partners."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Buurt(SQLModel, table=True):
    __tablename__ = "buurt"
    __table_args__ = (
        CheckConstraint(
            "cbs_code IS NULL OR (length(cbs_code) = 10 AND substr(cbs_code, 1, 2) = 'BU')",
            name="cbs_code_format",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    slug: str = Field(max_length=60, unique=True)
    wijk: str | None = Field(default=None, max_length=120)
    cbs_code: str | None = Field(default=None, max_length=10, unique=True)
    is_focus: bool = False
    first_wave: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Pijler(SQLModel, table=True):
    """One of the programme's seven pijlers; texts are stored per language code."""

    __tablename__ = "pijler"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    number: int = Field(unique=True, ge=1, le=7)
    name: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    short: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    explanation: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    goals: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    icon: str = Field(max_length=20)


class Partner(SQLModel, table=True):
    """An organisation of the coalition (gemeente, corporatie, school, ...)."""

    __tablename__ = "partner"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    slug: str = Field(max_length=60, unique=True)
    kind: str = Field(max_length=40)
