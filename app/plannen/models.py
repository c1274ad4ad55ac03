"""Themes and remarks; the programmaplan with its measures; the stemronde and its ballots.

A remark is an answer of kind ``knelpunt`` or ``idee`` (``app.scan.models.Answer``). The
answer itself is never changed: its moderation, theme and quote flag live in ``Remark``, a
row that exists only once a facilitator has done something with it.
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, UniqueConstraint
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


# --- the programmaplan ----------------------------------------------------------------------

PLAN_STATUSES = ("concept", "ter_stemming", "vastgesteld", "vervangen")
RESIDENT_ROLES = ("meedenken", "meedoen", "meebeslissen")
# The programme's kernelementen (001 §3.5): every plan has a section for each, in this order.
KERNELEMENTEN = (
    "sociale-basis-persoonlijk",
    "sociale-basis-gemeenschappelijk",
    "sociale-basis-institutioneel",
    "sociale-aanpak",
    "leefbaarheid",
    "gemengde-buurt-woningvoorraad",
)


class Plan(SQLModel, table=True):
    """One version of a buurt's programmaplan, drafted from one scan's results.

    A plan is edited while ``concept``; ``ter_stemming`` freezes its measures for a vote;
    ``vastgesteld`` keeps the vote's results and is never edited again: a change makes a new
    version (``supersedes_id``) and the old one becomes ``vervangen``.
    """

    __tablename__ = "plan"
    __table_args__ = (
        UniqueConstraint("scan_id", "version"),
        CheckConstraint(
            "status IN ('concept', 'ter_stemming', 'vastgesteld', 'vervangen')", name="status"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    version: int = 1
    status: str = Field(default="concept", max_length=20)
    title: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    summary: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    pijler_order: list[str] = Field(default_factory=list, sa_type=JSON)  # residents' priorities
    is_public: bool = False
    supersedes_id: int | None = Field(default=None, foreign_key="plan.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    fixed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PlanSection(SQLModel, table=True):
    """A text of the plan per language: a kernelement or a pijler's summary (``key``)."""

    __tablename__ = "plan_section"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=40)
    position: int = 0
    texts: dict[str, str] = Field(default_factory=dict, sa_type=JSON)


class Measure(SQLModel, table=True):
    """A maatregel: what will be done, by whom (``lead_partner``, the trekker), and why.

    Every measure answers at least one theme (``MeasureTheme``): it traces back to what
    residents said. Title and description are stored per language.
    """

    __tablename__ = "measure"
    __table_args__ = (
        CheckConstraint(
            "resident_role IN ('meedenken', 'meedoen', 'meebeslissen')", name="resident_role"
        ),
        CheckConstraint("cost_estimate IS NULL OR cost_estimate >= 0", name="cost_estimate"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True, ondelete="CASCADE")
    pijler_id: int = Field(foreign_key="pijler.id")
    position: int = 0
    title: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    lead_partner_id: int | None = Field(default=None, foreign_key="partner.id")
    resident_role: str = Field(default="meedenken", max_length=20)
    kernelement: str | None = Field(default=None, max_length=40)
    starts_on: date | None = None
    ends_on: date | None = None
    cost_estimate: int | None = None  # whole euros
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MeasurePartner(SQLModel, table=True):
    """Another partner (besides the trekker) that works on a measure."""

    __tablename__ = "measure_partner"

    measure_id: int = Field(foreign_key="measure.id", primary_key=True, ondelete="CASCADE")
    partner_id: int = Field(foreign_key="partner.id", primary_key=True)


class MeasureTheme(SQLModel, table=True):
    """A theme that a measure answers. A theme in use by a measure cannot be deleted."""

    __tablename__ = "measure_theme"

    measure_id: int = Field(foreign_key="measure.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, index=True)


# --- the stemronde --------------------------------------------------------------------------

VOTE_METHODS = ("approval", "points", "budget")


class VoteRound(SQLModel, table=True):
    """A vote on a plan's measures: approval (up to ``max_choices``), points (spread
    ``points_total``, at most ``points_per_measure`` on one) or budget (a waardecheque of
    ``budget_amount`` euros; with ``min_supporters`` a measure counts only when that many
    households support it). ``results`` is the snapshot folded into the plan at closing.
    """

    __tablename__ = "vote_round"
    __table_args__ = (
        CheckConstraint("method IN ('approval', 'points', 'budget')", name="method"),
        CheckConstraint("eligibility IN ('codes', 'open')", name="eligibility"),
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    method: str = Field(max_length=10)
    eligibility: str = Field(default="codes", max_length=10)
    status: str = Field(default="draft", max_length=10)
    max_choices: int | None = None
    points_total: int | None = None
    points_per_measure: int | None = None
    budget_amount: int | None = None  # whole euros per household
    min_supporters: int | None = None
    opens_on: date | None = None
    closes_on: date | None = None
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    results: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VoteCode(SQLModel, table=True):
    """A single-use voting code for one household: only a keyed hash, never a ballot id.

    ``used_on`` is a date, not a time, so a used code cannot be lined up with a ballot.
    """

    __tablename__ = "vote_code"

    id: int | None = Field(default=None, primary_key=True)
    vote_round_id: int = Field(foreign_key="vote_round.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    batch: int = 1
    exported: bool = False
    used_on: date | None = None
    used_channel: str | None = Field(default=None, max_length=12)


class Ballot(SQLModel, table=True):
    """One household's stem. A random id, no code, no time, no IP: it cannot be traced."""

    __tablename__ = "ballot"
    __table_args__ = (
        CheckConstraint("channel IN ('online', 'paper', 'conversation')", name="channel"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    vote_round_id: int = Field(foreign_key="vote_round.id", index=True)
    channel: str = Field(default="online", max_length=12)
    language: str = Field(max_length=5)


class BallotLine(SQLModel, table=True):
    """What one ballot gives one measure: 1 (approval), points, or euros (budget)."""

    __tablename__ = "ballot_line"
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)

    ballot_id: uuid.UUID = Field(foreign_key="ballot.id", primary_key=True, ondelete="CASCADE")
    measure_id: int = Field(foreign_key="measure.id", primary_key=True, index=True)
    amount: int
