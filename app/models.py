"""Imports every table model so that the metadata is complete (Alembic, tests)."""

from app.db import metadata
from app.plannen.models import (
    Ballot,
    BallotLine,
    Measure,
    MeasurePartner,
    MeasureTheme,
    Plan,
    PlanSection,
    RejectedSuggestion,
    Remark,
    Theme,
    VoteCode,
    VoteRound,
)
from app.programme.models import Buurt, Partner, Pijler
from app.ratelimit import RateLimit
from app.scan.models import AccessCode, Answer, Contact, Question, Response, Scan
from app.staff.models import AuditEntry, StaffSession, User

__all__ = [
    "AccessCode",
    "Answer",
    "AuditEntry",
    "Ballot",
    "BallotLine",
    "Buurt",
    "Contact",
    "Measure",
    "MeasurePartner",
    "MeasureTheme",
    "Partner",
    "Pijler",
    "Plan",
    "PlanSection",
    "Question",
    "RateLimit",
    "RejectedSuggestion",
    "Remark",
    "Response",
    "Scan",
    "StaffSession",
    "Theme",
    "User",
    "VoteCode",
    "VoteRound",
    "metadata",
]
