"""Imports every table model so that the metadata is complete (Alembic, tests)."""

from app.db import metadata
from app.plannen.models import RejectedSuggestion, Remark, Theme
from app.programme.models import Buurt, Partner, Pijler
from app.ratelimit import RateLimit
from app.scan.models import AccessCode, Answer, Contact, Question, Response, Scan
from app.staff.models import AuditEntry, StaffSession, User

__all__ = [
    "AccessCode",
    "Answer",
    "AuditEntry",
    "Buurt",
    "Contact",
    "Partner",
    "Pijler",
    "Question",
    "RateLimit",
    "RejectedSuggestion",
    "Remark",
    "Response",
    "Scan",
    "StaffSession",
    "Theme",
    "User",
    "metadata",
]
