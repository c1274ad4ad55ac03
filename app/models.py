"""Imports every table model so that the metadata is complete (Alembic, tests)."""

from app.db import metadata
from app.programme.models import Buurt, Partner, Pijler
from app.scan.models import Answer, Contact, Question, Response, Scan

__all__ = [
    "Answer",
    "Buurt",
    "Contact",
    "Partner",
    "Pijler",
    "Question",
    "Response",
    "Scan",
    "metadata",
]
