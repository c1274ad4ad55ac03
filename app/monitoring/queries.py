"""Every read of the monitoring feature: the counts behind a scan's progress, grouped in SQL.

Days are the municipality's (Europe/Amsterdam), but SQLite has no time-zone database, so
"the local date" cannot be computed in SQL the same way on both databases. Instead both
group by the UTC hour (``YYYY-MM-DD HH``: one expression per dialect, at most 24 rows a
day) and ``aggregation.local_days`` folds those hours into local dates with zoneinfo. That
is exact: Amsterdam is always a whole number of hours from UTC, so no UTC hour straddles
local midnight, also on the days the clocks change.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, func
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.monitoring.aggregation import OVER_U_PAGE, ProgressInput
from app.programme.models import Buurt
from app.scan import queries as scan_queries
from app.scan import rules as scan_rules
from app.scan.models import Answer, Question, Response, Scan

HOUR_FORMAT = "%Y-%m-%d %H"


def scan_with_buurt(session: Session, scan_id: int) -> tuple[Scan, Buurt] | None:
    row = session.exec(select(Scan, Buurt).join(Buurt).where(Scan.id == scan_id)).first()
    return (row[0], row[1]) if row else None


def progress_input(session: Session, scan: Scan) -> ProgressInput:
    """Everything the progress page counts for one scan, each figure grouped in SQL."""
    assert scan.id is not None
    pages = scan_queries.page_keys(session, scan.id)
    questions = scan_queries.questions(session, scan.id, page=OVER_U_PAGE)
    chosen, answered = _profile_counts(session, scan.id, questions)
    return ProgressInput(
        step_keys=[step.key for step in scan_rules.steps(pages)],
        started_by_hour=_by_utc_hour(session, scan.id, col(Response.started_at)),
        submitted_by_hour=_by_utc_hour(session, scan.id, col(Response.submitted_at)),
        channels=_started_and_submitted(session, scan.id, col(Response.channel)),
        languages=_started_and_submitted(session, scan.id, col(Response.language)),
        unsubmitted_by_last_page=_unsubmitted_by_last_page(session, scan.id),
        profile_questions=questions,
        profile_chosen=chosen,
        profile_answered=answered,
        step_titles=_step_titles(session, scan, pages),
    )


def _utc_hour(session: Session, column: Any) -> ColumnElement[str]:
    """The UTC hour of a timestamp as ``YYYY-MM-DD HH``, on SQLite and on PostgreSQL.

    SQLite stores the UTC time as text (``app.db.UTCDateTime``); PostgreSQL a timestamptz,
    read at UTC whatever the connection's time zone.
    """
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime(HOUR_FORMAT, column, type_=String)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24", type_=String)


def _by_utc_hour(session: Session, scan_id: int, column: Mapped[Any]) -> list[tuple[datetime, int]]:
    hour = _utc_hour(session, column).label("hour")
    rows = session.exec(
        select(hour, func.count())
        .where(col(Response.scan_id) == scan_id, column.is_not(None))
        .group_by(hour)
        .order_by(hour)
    ).all()
    return [(datetime.strptime(h, HOUR_FORMAT).replace(tzinfo=UTC), n) for h, n in rows]


def _started_and_submitted(
    session: Session, scan_id: int, column: Mapped[str]
) -> dict[str, tuple[int, int]]:
    rows = session.exec(
        select(column, func.count(), func.count(col(Response.submitted_at)))
        .where(col(Response.scan_id) == scan_id)
        .group_by(column)
    ).all()
    return {key: (started, submitted) for key, started, submitted in rows}


def _unsubmitted_by_last_page(session: Session, scan_id: int) -> dict[str | None, int]:
    rows = session.exec(
        select(Response.last_page, func.count())
        .where(col(Response.scan_id) == scan_id, col(Response.submitted_at).is_(None))
        .group_by(col(Response.last_page))
    ).all()
    return dict(rows)


def _profile_counts(
    session: Session, scan_id: int, questions: list[Question]
) -> tuple[dict[tuple[int, str], int], dict[int, int]]:
    """For submitted responses: who chose each value, and who answered each question.

    A value is stored once per response and question (the forms drop repeats), so counting
    rows counts responses. Only a multiple-choice question has several rows per response; its
    respondents are counted apart (``aggregation.profile`` adds up the others' values).
    """
    ids = [q.id for q in questions if q.id is not None]
    multiple = [q.id for q in questions if q.id is not None and q.kind == "multiple_choice"]
    if not ids:
        return {}, {}
    submitted = (
        col(Response.scan_id) == scan_id,
        col(Response.submitted_at).is_not(None),
    )
    chosen = session.exec(
        select(Answer.question_id, Answer.value, func.count())
        .join(Response, col(Response.id) == col(Answer.response_id))
        .where(*submitted, col(Answer.question_id).in_(ids), col(Answer.value).is_not(None))
        .group_by(col(Answer.question_id), col(Answer.value))
    ).all()
    answered: Sequence[tuple[int, int]] = []
    if multiple:
        answered = session.exec(
            select(Answer.question_id, func.count(func.distinct(col(Answer.response_id))))
            .join(Response, col(Response.id) == col(Answer.response_id))
            .where(*submitted, col(Answer.question_id).in_(multiple))
            .group_by(col(Answer.question_id))
        ).all()
    return (
        {(question_id, value): n for question_id, value, n in chosen if value is not None},
        dict(answered),
    )


def _step_titles(session: Session, scan: Scan, pages: list[str]) -> dict[str, dict[str, str]]:
    """A question page is titled by its pijler's name, or by the scan's own page title."""
    pijlers = scan_queries.pijlers_by_key(session)
    page_texts: dict[str, Any] = scan.texts.get("pages", {})
    titles: dict[str, dict[str, str]] = {}
    for page in pages:
        if page in pijlers:
            titles[page] = dict(pijlers[page].name)
        else:
            titles[page] = dict(page_texts.get(page, {}).get("title", {}))
    return titles
