"""Every read of the free-text inbox and the themes: remarks, their filters, counts and quotes.

A remark is an answer of kind ``knelpunt`` or ``idee`` with text, of a SUBMITTED response; what
facilitators did with it lives in an optional ``Remark`` row (outer-joined). Hidden remarks
never count and are never quoted; their text leaves the database only for those who may see
it (``include_hidden_text``).
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, case, exists, false, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from app.config import TIMEZONE
from app.plannen.forms import KINDS, InboxFilters
from app.plannen.models import Measure, MeasureTheme, Plan, RejectedSuggestion, Remark, Theme
from app.plannen.suggestions import RemarkText
from app.programme.models import Pijler
from app.scan.models import Answer, Question, Response

PAGE_SIZE = 50
_Select = TypeVar("_Select", bound=Select[*tuple[Any, ...]])
HELPING = ("ja", "misschien")


@dataclass(frozen=True)
class RemarkRow:
    answer_id: int
    text: str | None  # None when hidden and the viewer may not see hidden originals
    language: str | None
    kind: str
    pijler_id: int | None
    pijler_key: str | None
    submitted_on: date  # the municipality's day
    wants_to_help: bool
    theme_id: int | None
    theme_name: str | None
    is_quote: bool
    hidden_reason: str | None
    hidden_at: datetime | None

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


@dataclass(frozen=True)
class InboxPage:
    rows: list[RemarkRow]
    total: int
    page: int
    pages: int
    page_size: int = PAGE_SIZE


@dataclass(frozen=True)
class ThemeCount:
    theme: Theme
    count: int  # visible remarks
    by_pijler: dict[int | None, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Quote:
    answer_id: int
    text: str
    language: str | None
    kind: str
    pijler_id: int | None
    theme_id: int | None


def _is_remark(scan_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Question.scan_id) == scan_id,
        col(Question.kind).in_(KINDS),
        col(Response.submitted_at).is_not(None),
        col(Answer.text).is_not(None),
    )


def _remarks_from(statement: _Select, scan_id: int) -> _Select:
    """Answers that are remarks of this scan, with their question, response and Remark row."""
    return (
        statement.select_from(Answer)
        .join(Question, col(Question.id) == col(Answer.question_id))
        .join(Response, col(Response.id) == col(Answer.response_id))
        .outerjoin(Remark, col(Remark.answer_id) == col(Answer.id))
        .where(*_is_remark(scan_id))
    )


def _wants_to_help() -> ColumnElement[bool]:
    """The same response answered "ja" or "misschien" to the same pijler's ``.helpen``."""
    helpen_question = aliased(Question)
    helpen_answer = aliased(Answer)
    helpen_pijler = aliased(Pijler)
    return exists().where(
        col(helpen_answer.response_id) == col(Answer.response_id),
        col(helpen_answer.question_id) == col(helpen_question.id),
        col(helpen_question.scan_id) == col(Question.scan_id),
        col(helpen_question.pijler_id) == col(Question.pijler_id),
        col(helpen_pijler.id) == col(Question.pijler_id),
        col(helpen_question.key) == col(helpen_pijler.key) + ".helpen",
        col(helpen_answer.value).in_(HELPING),
    )


def _filters(filters: InboxFilters, *, include_hidden_text: bool) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.pijler:
        where.append(
            col(Question.pijler_id).in_(
                select(col(Pijler.id)).where(col(Pijler.key) == filters.pijler)
            )
        )
    if filters.language:
        where.append(col(Answer.language) == filters.language)
    if filters.theme == "none":
        where.append(col(Remark.theme_id).is_(None))
    elif filters.theme_id is not None:
        where.append(col(Remark.theme_id) == filters.theme_id)
    if filters.kind:
        where.append(col(Question.kind) == filters.kind)
    if filters.helpen:
        where.append(_wants_to_help())
    if filters.quotes:
        where.append(col(Remark.is_quote).is_(True))
    if filters.visibility == "visible":
        where.append(col(Remark.hidden_at).is_(None))
    elif filters.visibility == "hidden":
        where.append(col(Remark.hidden_at).is_not(None))
    if filters.q:
        # A case-insensitive substring; % and _ typed by the user are matched literally.
        match = col(Answer.text).icontains(filters.q, autoescape=True)
        if not include_hidden_text:  # a search must not reveal what a hidden text says
            match = and_(match, col(Remark.hidden_at).is_(None))
        where.append(match)
    return where


def _row_columns(include_hidden_text: bool) -> tuple[Any, ...]:
    text: Any = col(Answer.text)
    if not include_hidden_text:
        text = case((col(Remark.hidden_at).is_not(None), None), else_=col(Answer.text))
    return (
        col(Answer.id),
        text,
        col(Answer.language),
        col(Question.kind),
        col(Question.pijler_id),
        col(Pijler.key),
        col(Response.submitted_at),
        _wants_to_help(),
        col(Remark.theme_id),
        col(Theme.name),
        func.coalesce(col(Remark.is_quote), false()),
        col(Remark.hidden_reason),
        col(Remark.hidden_at),
    )


def _rows_select(scan_id: int, include_hidden_text: bool) -> Select[Any]:
    return (
        _remarks_from(select(*_row_columns(include_hidden_text)), scan_id)
        .outerjoin(Pijler, col(Pijler.id) == col(Question.pijler_id))
        .outerjoin(Theme, col(Theme.id) == col(Remark.theme_id))
    )


def _row(values: Sequence[Any]) -> RemarkRow:
    (answer_id, text, language, kind, pijler_id, pijler_key, submitted_at, helps,
     theme_id, theme_name, is_quote, hidden_reason, hidden_at) = values  # fmt: skip
    return RemarkRow(
        answer_id=answer_id,
        text=text,
        language=language,
        kind=kind,
        pijler_id=pijler_id,
        pijler_key=pijler_key,
        submitted_on=submitted_at.astimezone(TIMEZONE).date(),
        wants_to_help=bool(helps),
        theme_id=theme_id,
        theme_name=theme_name,
        is_quote=bool(is_quote),
        hidden_reason=hidden_reason,
        hidden_at=hidden_at,
    )


def inbox(
    session: Session, scan_id: int, filters: InboxFilters, *, include_hidden_text: bool
) -> InboxPage:
    """One page of remarks, newest first, with the total that match the filters."""
    where = _filters(filters, include_hidden_text=include_hidden_text)
    total: int = session.execute(
        _remarks_from(select(func.count()), scan_id).where(*where)
    ).scalar_one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(filters.page, pages)
    statement = (
        _rows_select(scan_id, include_hidden_text)
        .where(*where)
        .order_by(col(Response.submitted_at).desc(), col(Answer.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    rows = [_row(values) for values in session.execute(statement).all()]
    return InboxPage(rows=rows, total=total, page=page, pages=pages)


def remark_row(
    session: Session, scan_id: int, answer_id: int, *, include_hidden_text: bool
) -> RemarkRow | None:
    statement = _rows_select(scan_id, include_hidden_text).where(col(Answer.id) == answer_id)
    values = session.execute(statement).first()
    return _row(values) if values is not None else None


def remark_ids(session: Session, scan_id: int, answer_ids: Iterable[int]) -> set[int]:
    """Those of the ids that are remarks of this scan."""
    ids = list(answer_ids)
    if not ids:
        return set()
    statement = _remarks_from(select(col(Answer.id)), scan_id).where(col(Answer.id).in_(ids))
    return set(session.execute(statement).scalars().all())


def unassigned_visible_ids(session: Session, scan_id: int, answer_ids: Iterable[int]) -> set[int]:
    ids = list(answer_ids)
    if not ids:
        return set()
    statement = _remarks_from(select(col(Answer.id)), scan_id).where(
        col(Answer.id).in_(ids), col(Remark.theme_id).is_(None), col(Remark.hidden_at).is_(None)
    )
    return set(session.execute(statement).scalars().all())


def unassigned_visible_texts(session: Session, scan_id: int) -> list[RemarkText]:
    """The remarks theme suggestions are made from, oldest first."""
    statement = (
        _remarks_from(
            select(col(Answer.id), col(Answer.text), col(Answer.language), col(Question.pijler_id)),
            scan_id,
        )
        .where(col(Remark.theme_id).is_(None), col(Remark.hidden_at).is_(None))
        .order_by(col(Answer.id))
    )
    return [
        RemarkText(i, text or "", language, "" if pijler is None else str(pijler))
        for i, text, language, pijler in session.execute(statement)
    ]


def pijler_ids_of(session: Session, answer_ids: Iterable[int]) -> set[int | None]:
    ids = list(answer_ids)
    if not ids:
        return set()
    statement = (
        select(col(Question.pijler_id))
        .join(Answer, col(Answer.question_id) == col(Question.id))
        .where(col(Answer.id).in_(ids))
        .distinct()
    )
    return set(session.execute(statement).scalars().all())


# --- themes ----------------------------------------------------------------------------------


def themes(session: Session, scan_id: int) -> list[Theme]:
    statement = (
        select(Theme)
        .where(col(Theme.scan_id) == scan_id)
        .order_by(func.lower(col(Theme.name)), col(Theme.id))
    )
    return list(session.execute(statement).scalars().all())


def theme_of_scan(session: Session, scan_id: int, theme_id: int) -> Theme | None:
    statement = select(Theme).where(col(Theme.scan_id) == scan_id, col(Theme.id) == theme_id)
    return session.execute(statement).scalars().first()


def theme_named(
    session: Session, scan_id: int, name: str, *, other_than: int | None = None
) -> Theme | None:
    """The scan's theme of this name, compared without case."""
    statement = select(Theme).where(
        col(Theme.scan_id) == scan_id, func.lower(col(Theme.name)) == name.lower()
    )
    if other_than is not None:
        statement = statement.where(col(Theme.id) != other_than)
    return session.execute(statement).scalars().first()


def _visible_theme_counts(scan_id: int, *group_by: Any) -> Select[Any]:
    return (
        _remarks_from(select(col(Remark.theme_id), *group_by, func.count().label("n")), scan_id)
        .where(col(Remark.theme_id).is_not(None), col(Remark.hidden_at).is_(None))
        .group_by(col(Remark.theme_id), *group_by)
    )


def theme_counts(session: Session, scan_id: int) -> list[ThemeCount]:
    """Every theme of the scan with its visible remarks, also per pijler; largest first."""
    totals = _visible_theme_counts(scan_id).subquery()
    count = func.coalesce(totals.c.n, 0)
    rows = session.execute(
        select(Theme, count)
        .outerjoin(totals, totals.c.theme_id == col(Theme.id))
        .where(col(Theme.scan_id) == scan_id)
        .order_by(count.desc(), func.lower(col(Theme.name)), col(Theme.id))
    ).all()
    per_pijler: dict[int, dict[int | None, int]] = {}
    for theme_id, pijler_id, n in session.execute(
        _visible_theme_counts(scan_id, col(Question.pijler_id))
    ):
        per_pijler.setdefault(theme_id, {})[pijler_id] = n
    return [
        ThemeCount(theme=theme, count=n, by_pijler=per_pijler.get(theme.id or 0, {}))
        for theme, n in rows
    ]


def unassigned_count(session: Session, scan_id: int) -> int:
    """Visible remarks without a theme."""
    statement = _remarks_from(select(func.count()), scan_id).where(
        col(Remark.theme_id).is_(None), col(Remark.hidden_at).is_(None)
    )
    count: int = session.execute(statement).scalar_one()
    return count


def quotes(session: Session, scan_id: int) -> list[Quote]:
    """Visible remarks marked as quotes, in the order they were given."""
    statement = (
        _remarks_from(
            select(
                col(Answer.id),
                col(Answer.text),
                col(Answer.language),
                col(Question.kind),
                col(Question.pijler_id),
                col(Remark.theme_id),
            ),
            scan_id,
        )
        .where(
            col(Remark.is_quote).is_(True),
            col(Remark.hidden_at).is_(None),
            col(Answer.text) != "",  # removed after the retention period
        )
        .order_by(col(Answer.id))
    )
    return [
        Quote(answer_id=i, text=text or "", language=lang, kind=kind, pijler_id=p, theme_id=t)
        for i, text, lang, kind, p, t in session.execute(statement)
    ]


def rejected_keywords(session: Session, scan_id: int) -> set[str]:
    statement = select(col(RejectedSuggestion.keyword)).where(
        col(RejectedSuggestion.scan_id) == scan_id
    )
    return set(session.execute(statement).scalars().all())


def languages_of_remarks(session: Session, scan_id: int) -> list[str]:
    statement = (
        _remarks_from(select(col(Answer.language)), scan_id)
        .where(col(Answer.language).is_not(None))
        .distinct()
        .order_by(col(Answer.language))
    )
    return [language for language in session.execute(statement).scalars().all() if language]


def plan_statuses_using(session: Session, theme_id: int) -> list[str]:
    """The status of every plan with a measure that answers this theme (one per measure)."""
    statement = (
        select(col(Plan.status))
        .select_from(MeasureTheme)
        .join(Measure, col(Measure.id) == col(MeasureTheme.measure_id))
        .join(Plan, col(Plan.id) == col(Measure.plan_id))
        .where(col(MeasureTheme.theme_id) == theme_id)
    )
    return list(session.execute(statement).scalars().all())


def shown_quote_ids() -> Select[Any]:
    """The answers that are quotes and shown (not hidden), in any scan: a subquery."""
    return select(col(Remark.answer_id)).where(
        col(Remark.is_quote).is_(True), col(Remark.hidden_at).is_(None)
    )


def count_texts(session: Session, *where: ColumnElement[bool]) -> int:
    """How many answers with a text match ``where``."""
    return int(
        session.execute(
            select(func.count()).select_from(Answer).where(col(Answer.text).is_not(None), *where)
        ).scalar_one()
    )
