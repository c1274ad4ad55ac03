"""Retention (DESIGN.md §7): contact details and free text go, the aggregates stay.

``purge`` works on closed scans whose end date lies far enough back:

- contact details (``Contact``) ``contact_days`` after the end date: they were given for an
  invitation to the ontwerpsessie, which is over by then;
- the text of every free-text answer ``text_days`` after it. The answer row stays with an
  empty text, so every count (remarks per pijler, per theme, the themes themselves) stays as
  it was; pages show that the text was removed. A quote that is shown (not hidden) is kept:
  facilitators chose it to say nothing about who wrote it, and the plan quotes it in public.
  Hidden remarks go too, whatever they were hidden for.

One unit of work, audited without a user (the command runs it) when it removed anything.
``dry_run`` counts what would go and changes nothing.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import CursorResult, Delete, Update, delete, update
from sqlmodel import Session, col

from app.db import begin_write
from app.plannen import remark_queries
from app.scan import queries as scan_queries
from app.scan.models import Answer, Contact
from app.staff.service import record

REMOVED = ""  # the text of a free-text answer after retention: the row, and so the count, stay


@dataclass(frozen=True)
class Purged:
    contacts: int
    texts: int
    quotes_kept: int
    scans: list[str]  # slugs of the closed scans past a retention period (removed or not)


def _changed(session: Session, statement: Delete | Update) -> int:
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def purge(
    session: Session, *, today: date, contact_days: int, text_days: int, dry_run: bool = False
) -> Purged:
    """Remove what retention says has gone on ``today``; returns what was (or would be)."""
    begin_write(session)
    contact_scans = scan_queries.closed_scans_ended_by(
        session, today - timedelta(days=contact_days)
    )
    text_scans = scan_queries.closed_scans_ended_by(session, today - timedelta(days=text_days))
    contacts = _changed(
        session, delete(Contact).where(col(Contact.scan_id).in_([i for i, _ in contact_scans]))
    )
    of_scans = scan_queries.question_ids_of_scans([i for i, _ in text_scans])
    written = (col(Answer.question_id).in_(of_scans), col(Answer.text) != REMOVED)
    quotes = remark_queries.shown_quote_ids()
    quotes_kept = remark_queries.count_texts(session, *written, col(Answer.id).in_(quotes))
    texts = _changed(
        session,
        update(Answer)
        .where(col(Answer.text).is_not(None), *written, col(Answer.id).not_in(quotes))
        .values(text=REMOVED),
    )
    touched = sorted({slug for _, slug in contact_scans} | {slug for _, slug in text_scans})
    purged = Purged(contacts=contacts, texts=texts, quotes_kept=quotes_kept, scans=touched)
    if dry_run or not (contacts or texts):  # a daily run that finds nothing leaves no entry
        session.rollback()
        return purged
    record(
        session, None, "retention.purge", "scan", None,
        scans=touched, contacts=contacts, texts=texts, quotes_kept=quotes_kept,
        contact_days=contact_days, text_days=text_days,
    )  # fmt: skip
    session.commit()
    return purged
