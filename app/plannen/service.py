"""Use-cases of the inbox and the themes: moderating, quoting, clustering remarks into themes.

Each public function is one unit of work: ``begin_write`` first, then the checks on what it
read under the write lock, the change, an audit entry, and ``commit``. Answers themselves are
never changed; what facilitators decide lives in ``Remark`` rows, created on first use.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.db import begin_write, utcnow
from app.errors import Conflict, NotFound
from app.i18n import gettext_lazy as _l
from app.plannen import remark_queries as queries
from app.plannen.forms import name_error, reason_error
from app.plannen.models import MeasureTheme, RejectedSuggestion, Remark, Theme
from app.plannen.suggestions import KEYWORD_LIMIT
from app.scan.forms import clean_text
from app.scan.models import Scan
from app.scan.service import InvalidForm as InvalidForm  # re-exported for the router
from app.staff.models import User
from app.staff.service import record

CHOOSE_REMARKS = _l("Choose at least one remark.")
THEME_IN_PLAN = _l(
    "A measure of the plan answers this theme. Link that measure to another theme first."
)
THEME_IN_FIXED_PLAN = _l(
    "A measure of a plan that is put to the vote or fixed answers this theme, so it stays as it is."
)


class ThemeInUse(Conflict):
    title = _l("This theme is used in the plan")


CHOOSE_THEME = _l("Choose a theme, or type the name of a new one.")
CHOOSE_MERGE_TARGET = _l("Choose the theme to merge this one into.")


class QuoteRefused(Conflict):
    title = _l("This remark cannot be a quote")


def _scan_id(scan: Scan) -> int:
    assert scan.id is not None
    return scan.id


def _theme_id(theme: Theme) -> int:
    assert theme.id is not None
    return theme.id


def _refuse(session: Session, error: Exception) -> Exception:
    """End the unit of work without a change (and free the write lock) before refusing."""
    session.rollback()
    return error


def _checked_name(
    session: Session, scan_id: int, name: str, *, field: str = "name", other_than: int | None = None
) -> str:
    """The cleaned name, or InvalidForm: 1 to 80 characters, unique in the scan (any case)."""
    name = clean_text(name)
    error = name_error(name)
    if error is None and queries.theme_named(session, scan_id, name, other_than=other_than):
        error = _l("This scan already has a theme with this name.")
    if error is not None:
        raise _refuse(session, InvalidForm({field: error}))
    return name


def _ensure_remarks(session: Session, answer_ids: Iterable[int]) -> None:
    """A Remark row for each answer (a no-op for those that have one, also when concurrent)."""
    now = utcnow()
    rows = [{"answer_id": i, "is_quote": False, "updated_at": now} for i in answer_ids]
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = Remark.__table__  # type: ignore[attr-defined]
    session.exec(insert(table).values(rows).on_conflict_do_nothing(index_elements=["answer_id"]))


def _set_theme(session: Session, answer_ids: Iterable[int], theme_id: int | None) -> None:
    ids = list(answer_ids)
    _ensure_remarks(session, ids)
    session.exec(
        update(Remark)
        .where(col(Remark.answer_id).in_(ids))
        .values(theme_id=theme_id, updated_at=utcnow())
    )


def _remark_of_scan(session: Session, scan: Scan, answer_id: int) -> Remark:
    """The answer's Remark row (created if need be); NotFound unless a remark of this scan."""
    if not queries.remark_ids(session, _scan_id(scan), [answer_id]):
        raise _refuse(session, NotFound())
    _ensure_remarks(session, [answer_id])
    remark = session.get(Remark, answer_id, populate_existing=True)
    assert remark is not None
    return remark


# --- themes ----------------------------------------------------------------------------------


def create_theme(
    session: Session, *, actor: User, scan: Scan, name: str, pijler_id: int | None = None
) -> Theme:
    begin_write(session)
    scan_id = _scan_id(scan)
    theme = Theme(scan_id=scan_id, pijler_id=pijler_id, name=_checked_name(session, scan_id, name))
    session.add(theme)
    session.flush()
    record(session, actor, "theme.create", "theme", theme.id, scan_id=scan_id, name=theme.name)
    session.commit()
    return theme


def rename_theme(session: Session, *, actor: User, theme: Theme, name: str) -> None:
    begin_write(session)
    new = _checked_name(session, theme.scan_id, name, other_than=_theme_id(theme))
    before = theme.name
    theme.name = new
    session.add(theme)
    record(session, actor, "theme.rename", "theme", theme.id, before=before, after=new)
    session.commit()


def merge_themes(session: Session, *, actor: User, source: Theme, target: Theme) -> int:
    """Move every remark of ``source`` to ``target`` and delete ``source``; how many moved."""
    begin_write(session)
    if target.scan_id != source.scan_id:
        raise _refuse(session, NotFound())
    if target.id == source.id:
        refusal = InvalidForm({"target": _l("A theme cannot be merged into itself.")})
        raise _refuse(session, refusal)
    statuses = queries.plan_statuses_using(session, _theme_id(source))
    if any(status != "concept" for status in statuses):
        raise _refuse(session, ThemeInUse(THEME_IN_FIXED_PLAN))
    if statuses:
        _repoint_measures(session, _theme_id(source), _theme_id(target))
    moved = session.exec(
        update(Remark)
        .where(col(Remark.theme_id) == source.id)
        .values(theme_id=target.id, updated_at=utcnow())
    ).rowcount
    record(
        session, actor, "theme.merge", "theme", source.id,
        scan_id=source.scan_id, name=source.name, into=target.id, into_name=target.name,
        moved=moved,
    )  # fmt: skip
    session.delete(source)
    session.commit()
    return moved


def delete_theme(session: Session, *, actor: User, theme: Theme) -> int:
    """Delete a theme; its remarks become unassigned (how many). Refused while a measure
    answers it: every measure must keep tracing back to what residents said."""
    begin_write(session)
    if queries.plan_statuses_using(session, _theme_id(theme)):
        raise _refuse(session, ThemeInUse(THEME_IN_PLAN))
    freed = session.exec(
        update(Remark)
        .where(col(Remark.theme_id) == theme.id)
        .values(theme_id=None, updated_at=utcnow())
    ).rowcount
    record(
        session, actor, "theme.delete", "theme", theme.id,
        scan_id=theme.scan_id, name=theme.name, unassigned=freed,
    )  # fmt: skip
    session.delete(theme)
    session.commit()
    return freed


def _repoint_measures(session: Session, source_id: int, target_id: int) -> None:
    """Measures that answered ``source`` answer ``target`` instead (once each)."""
    already = select(col(MeasureTheme.measure_id)).where(col(MeasureTheme.theme_id) == target_id)
    session.exec(
        delete(MeasureTheme).where(
            col(MeasureTheme.theme_id) == source_id, col(MeasureTheme.measure_id).in_(already)
        )
    )
    session.exec(
        update(MeasureTheme)
        .where(col(MeasureTheme.theme_id) == source_id)
        .values(theme_id=target_id)
    )


# --- remarks ---------------------------------------------------------------------------------


def _one_pijler(session: Session, answer_ids: Iterable[int]) -> int | None:
    """The pijler of a new theme: the one all its first remarks are about, else none."""
    pijlers = queries.pijler_ids_of(session, answer_ids)
    return next(iter(pijlers)) if len(pijlers) == 1 else None


def assign_remarks(
    session: Session,
    *,
    actor: User,
    scan: Scan,
    answer_ids: list[int],
    theme: Theme | None,
    new_name: str | None = None,
) -> Theme | None:
    """Put remarks in a theme, in a new theme named ``new_name``, or in none.

    NotFound for any id or theme not of this scan; nothing changes then.
    """
    begin_write(session)
    scan_id = _scan_id(scan)
    if theme is not None and theme.scan_id != scan_id:
        raise _refuse(session, NotFound())
    ids = list(dict.fromkeys(answer_ids))
    if not ids:
        raise _refuse(session, InvalidForm({"answers": CHOOSE_REMARKS}))
    if queries.remark_ids(session, scan_id, ids) != set(ids):
        raise _refuse(session, NotFound())
    if new_name is not None:
        theme = Theme(
            scan_id=scan_id,
            name=_checked_name(session, scan_id, new_name, field="new"),
            pijler_id=_one_pijler(session, ids),
        )
        session.add(theme)
        session.flush()
        record(session, actor, "theme.create", "theme", theme.id, scan_id=scan_id, name=theme.name)
    _set_theme(session, ids, theme.id if theme else None)
    record(
        session, actor, "remarks.assign", "scan", scan_id,
        answer_ids=ids, theme_id=theme.id if theme else None,
    )  # fmt: skip
    session.commit()
    return theme


def hide_remark(session: Session, *, actor: User, scan: Scan, answer_id: int, reason: str) -> None:
    """Hide a remark with a reason, keeping its text (for beheerders); it stops being a quote."""
    begin_write(session)
    reason = clean_text(reason)
    error = reason_error(reason)
    if error is not None:
        raise _refuse(session, InvalidForm({"reason": error}))
    remark = _remark_of_scan(session, scan, answer_id)
    now = utcnow()
    remark.hidden_reason = reason
    remark.hidden_at = now
    remark.is_quote = False
    remark.updated_at = now
    session.add(remark)
    record(session, actor, "remark.hide", "answer", answer_id, scan_id=scan.id, reason=reason)
    session.commit()


def show_remark(session: Session, *, actor: User, scan: Scan, answer_id: int) -> None:
    begin_write(session)
    remark = _remark_of_scan(session, scan, answer_id)
    before = remark.hidden_reason
    remark.hidden_reason = None
    remark.hidden_at = None
    remark.updated_at = utcnow()
    session.add(remark)
    record(session, actor, "remark.show", "answer", answer_id, scan_id=scan.id, reason=before)
    session.commit()


def set_quote(session: Session, *, actor: User, scan: Scan, answer_id: int, on: bool) -> None:
    """Mark a remark as a quote for the session screen and the plan, or unmark it."""
    begin_write(session)
    remark = _remark_of_scan(session, scan, answer_id)
    if on and remark.hidden_at is not None:
        raise _refuse(
            session, QuoteRefused(_l("A hidden remark cannot be a quote. Show it again first."))
        )
    remark.is_quote = on
    remark.updated_at = utcnow()
    session.add(remark)
    record(session, actor, "remark.quote", "answer", answer_id, scan_id=scan.id, on=on)
    session.commit()


# --- suggestions -----------------------------------------------------------------------------


def accept_suggestion(
    session: Session,
    *,
    actor: User,
    scan: Scan,
    keyword: str,
    name: str,
    answer_ids: list[int],
) -> Theme:
    """Make a suggestion a theme: a new one, or the scan's theme of that name.

    Only the chosen remarks that are still unassigned, visible and of this scan are put in
    it; anything else chosen is left as it is.
    """
    begin_write(session)
    scan_id = _scan_id(scan)
    errors: dict[str, Any] = {}
    name = clean_text(name)
    error = name_error(name)
    if error is not None:
        errors["name"] = error
    chosen = queries.unassigned_visible_ids(session, scan_id, answer_ids)
    if not chosen:
        errors["answers"] = _l("Choose at least one remark that is not in a theme yet.")
    if errors:
        raise _refuse(session, InvalidForm(errors))
    theme = queries.theme_named(session, scan_id, name)
    if theme is None:
        theme = Theme(scan_id=scan_id, name=name, pijler_id=_one_pijler(session, chosen))
        session.add(theme)
        session.flush()
        record(session, actor, "theme.create", "theme", theme.id, scan_id=scan_id, name=name)
    ids = sorted(chosen)
    _set_theme(session, ids, theme.id)
    record(
        session, actor, "suggestion.accept", "scan", scan_id,
        keyword=keyword[:KEYWORD_LIMIT], theme_id=theme.id, answer_ids=ids,
    )  # fmt: skip
    session.commit()
    return theme


def reject_suggestion(session: Session, *, actor: User, scan: Scan, keyword: str) -> None:
    """Remember that a keyword is no theme for this scan, so it is not suggested again."""
    begin_write(session)
    scan_id = _scan_id(scan)
    keyword = keyword.strip()[:KEYWORD_LIMIT]
    if not keyword:
        raise _refuse(session, InvalidForm({"keyword": _l("This suggestion is not known.")}))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = RejectedSuggestion.__table__  # type: ignore[attr-defined]
    session.exec(
        insert(table)
        .values(scan_id=scan_id, keyword=keyword, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["scan_id", "keyword"])
    )
    record(session, actor, "suggestion.reject", "scan", scan_id, keyword=keyword)
    session.commit()
