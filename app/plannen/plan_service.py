"""Use-cases of the programmaplan: drafting it from the results, its measures, its life cycle.

Each public function is one unit of work: ``begin_write`` first, then the plan is read again
under the write lock (its status may have changed since the page was loaded), the rules of
``plan_rules`` are checked, the change is made, audited and committed. A refusal rolls back
first, so the write lock is never held by an error page.

Decisions (see also ``plan_rules``):

- **The draft's order** is the residents' priority order computed with every figure (exact):
  the order itself is no figure; the texts generated for the pijlers use suppressed figures
  only, so a plan never stores a small number.
- **A large theme** has at least ``threshold`` visible remarks (the small-number threshold):
  its count can then be shown wherever the plan goes. Each gets one proposed measure,
  "Voorstel: <theme>", in the theme's pijler, or else the pijler where most of its remarks
  were written, or else the residents' first priority. Proposals have no trekker yet.
- **Generated texts are Dutch** (data, like every text of a plan); other languages are
  typed by facilitators and fall back to Dutch when empty.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from babel.numbers import format_decimal, format_percent
from sqlalchemy import delete
from sqlmodel import Session, col

from app import i18n
from app.db import begin_write, utcnow
from app.errors import Conflict, NotFound
from app.i18n import gettext, ngettext
from app.i18n import gettext_lazy as _l
from app.plannen import aggregation, plan_queries, plan_rules, queries, remark_queries
from app.plannen.aggregation import PijlerResult
from app.plannen.models import (
    KERNELEMENTEN,
    Measure,
    MeasurePartner,
    MeasureTheme,
    Plan,
    PlanSection,
)
from app.plannen.plan_forms import MeasureInput
from app.plannen.remark_queries import ThemeCount
from app.programme.models import Pijler
from app.scan.models import Scan
from app.scan.service import InvalidForm as InvalidForm  # re-exported for the router
from app.staff.models import User
from app.staff.service import record

PROPOSAL_PREFIX = "Voorstel: "


class PlanRefused(Conflict):
    """A change the plan's status does not allow (409)."""

    title = _l("This change is not possible")


FIXED = _l("This plan is fixed. A fixed plan can only be changed through a new version.")
VOTING = _l(
    "This plan is being voted on, so its measures and texts cannot change. "
    "A fixed plan can only be changed through a new version."
)


def _refuse(session: Session, error: Exception) -> Exception:
    """End the unit of work without a change (and free the write lock) before refusing."""
    session.rollback()
    return error


def _reread(session: Session, plan: Plan) -> Plan:
    session.refresh(plan)
    return plan


def _editable(session: Session, plan: Plan, what: str) -> None:
    if not plan_rules.can_edit(plan.status, what):
        raise _refuse(session, PlanRefused(VOTING if plan.status == "ter_stemming" else FIXED))


def _id(row: Plan | Measure) -> int:
    assert row.id is not None
    return row.id


# --- the draft --------------------------------------------------------------------------------


def pijler_summary(result: PijlerResult) -> str:
    """A pijler's results in a few short sentences in the current locale, from suppressed
    figures only (the draft stores one per language; facilitators may rewrite them)."""
    locale = i18n.current_locale()
    parts = []
    if result.top3.percent is not None:
        share = format_percent(result.top3.percent / 100, locale=locale)
        parts.append(gettext("%(share)s put this topic in their top 3.") % {"share": share})
    buurt, gemeente = result.comparison.buurt, result.comparison.gemeente
    if buurt is not None:
        here = format_decimal(buurt, format="0.0", locale=locale)
        if gemeente is None:
            parts.append(gettext("Satisfaction %(here)s.") % {"here": here})
        else:
            whole = format_decimal(gemeente, format="0.0", locale=locale)
            parts.append(
                gettext("Satisfaction %(here)s (whole municipality %(gemeente)s).")
                % {"here": here, "gemeente": whole}
            )
    if result.helpers.count:
        n = result.helpers.count
        text = ngettext("%(num)s resident wants to help.", "%(num)s residents want to help.", n)
        parts.append(text % {"num": n})
    if result.remarks.count:
        n = result.remarks.count
        parts.append(ngettext("%(num)s remark.", "%(num)s remarks.", n) % {"num": n})
    return " ".join(parts) or gettext("Too few responses to show figures.")


def pijler_summaries(result: PijlerResult) -> dict[str, str]:
    """``pijler_summary`` in every UI language."""
    summaries = {}
    for code in i18n.LANGUAGES:
        with i18n.use_locale(code):
            summaries[code] = pijler_summary(result)
    return summaries


def large_themes(
    themes: Sequence[ThemeCount], order: Sequence[Pijler], *, threshold: int
) -> list[tuple[ThemeCount, Pijler]]:
    """The themes that get a proposed measure, each with its pijler, in plan order."""
    by_id = {p.id: p for p in order}
    chosen = []
    for theme in themes:
        if theme.count < threshold:
            continue
        pijler_id = theme.theme.pijler_id
        if pijler_id not in by_id:
            written = {k: n for k, n in theme.by_pijler.items() if k in by_id}
            pijler_id = max(written, key=lambda k: (written[k], -(k or 0))) if written else None
        pijler = by_id.get(pijler_id, order[0])
        chosen.append((theme, pijler))
    rank = {p.id: i for i, p in enumerate(order)}
    return sorted(chosen, key=lambda row: (rank[row[1].id], -row[0].count))


def draft_plan(session: Session, *, actor: User, scan: Scan, threshold: int) -> Plan:
    """Draft the scan's plan, version 1 (Conflict when the scan has a current plan)."""
    begin_write(session)
    scan_id = scan.id
    assert scan_id is not None
    if plan_queries.plan_of_scan(session, scan_id) is not None:
        raise _refuse(session, PlanRefused(_l("This scan has a plan already.")))
    data = queries.results_input(session, scan, breakdowns=False)
    order = [
        r.pijler for r in aggregation.build_results(data, threshold=threshold, exact=True).pijlers
    ]
    shown = {
        r.pijler.key: r
        for r in aggregation.build_results(data, threshold=threshold, exact=False).pijlers
    }
    if not order:
        order = plan_queries.pijlers(session)
    found = queries.scan_with_buurt(session, scan_id)
    buurt_name = found[1].name if found else scan.slug
    plan = Plan(
        scan_id=scan_id,
        version=plan_queries.newest_version(session, scan_id) + 1,
        title={"nl": f"Programmaplan {buurt_name}"},
        pijler_order=[p.key for p in order],
    )
    session.add(plan)
    session.flush()
    plan_id = _id(plan)
    for position, pijler in enumerate(order):
        result = shown.get(pijler.key)
        texts = pijler_summaries(result) if result is not None else {}
        session.add(PlanSection(plan_id=plan_id, key=pijler.key, position=position, texts=texts))
    for offset, key in enumerate(KERNELEMENTEN):
        session.add(PlanSection(plan_id=plan_id, key=key, position=len(order) + offset))
    proposals = large_themes(
        remark_queries.theme_counts(session, scan_id), order, threshold=threshold
    )
    for position, (theme, pijler) in enumerate(proposals):
        measure = Measure(
            plan_id=plan_id,
            pijler_id=pijler.id or 0,
            position=position,
            title={"nl": f"{PROPOSAL_PREFIX}{theme.theme.name}"},
        )
        session.add(measure)
        session.flush()
        session.add(MeasureTheme(measure_id=_id(measure), theme_id=theme.theme.id or 0))
    record(
        session, actor, "plan.draft", "plan", plan_id,
        scan_id=scan_id, version=plan.version, measures=len(proposals),
    )  # fmt: skip
    session.commit()
    return plan


# --- sections ---------------------------------------------------------------------------------


def update_section(
    session: Session, *, actor: User, plan: Plan, key: str, language: str, text: str
) -> None:
    """Set one section's text in one language (an empty text removes that language)."""
    begin_write(session)
    _editable(session, _reread(session, plan), "sections")
    section = plan_queries.section(session, _id(plan), key)
    if section is None:
        raise _refuse(session, NotFound())
    texts = {k: v for k, v in section.texts.items() if k != language}
    if text:
        texts[language] = text
    section.texts = texts
    plan.updated_at = utcnow()
    session.add_all([section, plan])
    record(
        session, actor, "plan.section", "plan", plan.id, key=key, language=language,
        length=len(text),
    )  # fmt: skip
    session.commit()


# --- measures ---------------------------------------------------------------------------------


def _checked(session: Session, plan: Plan, data: MeasureInput) -> None:
    """What the form could not check: the pijler, themes of this scan, existing partners."""
    errors: dict[str, Any] = {}
    if data.pijler_id is None or plan_queries.pijler(session, data.pijler_id) is None:
        errors["pijler"] = _l("Choose the pijler this measure belongs to.")
    if not data.theme_ids:
        errors["themes"] = _l(
            "Choose at least one theme: every measure answers what residents said."
        )
    elif plan_queries.theme_ids_of_scan(session, plan.scan_id, data.theme_ids) != set(
        data.theme_ids
    ):
        errors["themes"] = _l("Choose themes of this scan.")
    if data.lead_partner_id is not None and not plan_queries.partner_ids(
        session, [data.lead_partner_id]
    ):
        errors["trekker"] = _l("Choose a partner from the list.")
    if data.lead_partner_id is not None and data.lead_partner_id in data.partner_ids:
        errors["partners"] = _l("The trekker is named already: choose only the other partners.")
    elif plan_queries.partner_ids(session, data.partner_ids) != set(data.partner_ids):
        errors["partners"] = _l("Choose partners from the list.")
    if errors:
        raise _refuse(session, InvalidForm(errors))


def _set_texts(texts: dict[str, str], language: str, text: str) -> dict[str, str]:
    changed = {k: v for k, v in texts.items() if k != language}
    if text:
        changed[language] = text
    return changed


def _apply(measure: Measure, data: MeasureInput) -> None:
    measure.title = _set_texts(measure.title, data.language, data.title)
    measure.description = _set_texts(measure.description, data.language, data.description)
    measure.pijler_id = data.pijler_id or measure.pijler_id
    measure.lead_partner_id = data.lead_partner_id
    measure.resident_role = data.resident_role
    measure.kernelement = data.kernelement
    measure.starts_on = data.starts_on
    measure.ends_on = data.ends_on
    measure.cost_estimate = data.cost_estimate
    measure.updated_at = utcnow()


def _set_links(session: Session, measure_id: int, data: MeasureInput) -> None:
    session.exec(delete(MeasureTheme).where(col(MeasureTheme.measure_id) == measure_id))
    session.exec(delete(MeasurePartner).where(col(MeasurePartner.measure_id) == measure_id))
    session.add_all(MeasureTheme(measure_id=measure_id, theme_id=t) for t in data.theme_ids)
    session.add_all(MeasurePartner(measure_id=measure_id, partner_id=p) for p in data.partner_ids)


def _detail(data: MeasureInput) -> dict[str, Any]:
    return {
        "language": data.language,
        "title": data.title,
        "pijler_id": data.pijler_id,
        "theme_ids": list(data.theme_ids),
        "trekker_id": data.lead_partner_id,
        "partner_ids": list(data.partner_ids),
        "role": data.resident_role,
        "kernelement": data.kernelement,
        "starts_on": data.starts_on.isoformat() if data.starts_on else None,
        "ends_on": data.ends_on.isoformat() if data.ends_on else None,
        "cost": data.cost_estimate,
    }


def add_measure(session: Session, *, actor: User, plan: Plan, data: MeasureInput) -> Measure:
    """A new measure at the end of the plan; its first texts are Dutch."""
    begin_write(session)
    _editable(session, _reread(session, plan), "measures")
    if data.language != "nl":
        raise _refuse(session, InvalidForm({"title": _l("Write a new measure in Dutch first.")}))
    _checked(session, plan, data)
    measure = Measure(
        plan_id=_id(plan), pijler_id=data.pijler_id or 0,
        position=plan_queries.last_position(session, _id(plan)) + 1,
    )  # fmt: skip
    _apply(measure, data)
    session.add(measure)
    session.flush()
    _set_links(session, _id(measure), data)
    plan.updated_at = utcnow()
    session.add(plan)
    record(session, actor, "measure.add", "measure", measure.id, plan_id=plan.id, **_detail(data))
    session.commit()
    return measure


def _plan_of(session: Session, measure: Measure) -> Plan:
    plan = plan_queries.plan(session, measure.plan_id)
    assert plan is not None
    return _reread(session, plan)


def update_measure(session: Session, *, actor: User, measure: Measure, data: MeasureInput) -> None:
    """Change a measure: its texts in ``data.language``, and everything else it has."""
    begin_write(session)
    plan = _plan_of(session, measure)
    _editable(session, plan, "measures")
    _checked(session, plan, data)
    session.refresh(measure)
    _apply(measure, data)
    session.add(measure)
    _set_links(session, _id(measure), data)
    plan.updated_at = utcnow()
    session.add(plan)
    record(
        session, actor, "measure.update", "measure", measure.id, plan_id=plan.id, **_detail(data)
    )
    session.commit()


def remove_measure(session: Session, *, actor: User, measure: Measure) -> None:
    begin_write(session)
    plan = _plan_of(session, measure)
    _editable(session, plan, "measures")
    record(
        session, actor, "measure.remove", "measure", measure.id,
        plan_id=plan.id, title=measure.title.get("nl", ""),
    )  # fmt: skip
    session.delete(measure)
    plan.updated_at = utcnow()
    session.add(plan)
    session.commit()


def move_measure(session: Session, *, actor: User, measure: Measure, direction: str) -> None:
    """Swap a measure with its neighbour in the same pijler (nothing at either end)."""
    begin_write(session)
    plan = _plan_of(session, measure)
    _editable(session, plan, "measures")
    session.refresh(measure)
    other = plan_queries.neighbour(session, measure, "up" if direction == "up" else "down")
    if other is None:
        session.rollback()
        return
    measure.position, other.position = other.position, measure.position
    session.add_all([measure, other])
    record(
        session, actor, "measure.move", "measure", measure.id,
        plan_id=plan.id, direction=direction, swapped_with=other.id,
    )  # fmt: skip
    session.commit()


# --- the life cycle ---------------------------------------------------------------------------


def supersede_older(session: Session, *, actor: User | None, plan: Plan) -> None:
    """Mark the fixed versions older than ``plan`` as ``vervangen`` (flushes, no commit).

    For every use-case that fixes a plan: ``fix_plan`` here, and closing a vote round.
    """
    for older in plan_queries.older_fixed(session, plan):
        older.status = "vervangen"
        older.updated_at = utcnow()
        session.add(older)
        record(session, actor, "plan.supersede", "plan", older.id, by=plan.id)
    session.flush()


def fix_plan(session: Session, *, actor: User, plan: Plan, now: datetime) -> None:
    """Fix a concept without a vote: it needs a measure, and a trekker for every measure."""
    begin_write(session)
    _reread(session, plan)
    if not plan_rules.can_transition("fix", plan.status):
        raise _refuse(session, PlanRefused(FIXED if plan.status != "ter_stemming" else VOTING))
    problems = plan_rules.fix_problems(*plan_queries.measure_counts(session, _id(plan)))
    if "no_measures" in problems:
        raise _refuse(session, PlanRefused(_l("A plan needs at least one measure to be fixed.")))
    if "no_trekker" in problems:
        raise _refuse(
            session,
            PlanRefused(_l("Every measure needs a trekker before the plan can be fixed.")),
        )
    plan.status = plan_rules.next_status("fix")
    plan.fixed_at = now
    plan.updated_at = now
    session.add(plan)
    record(session, actor, "plan.fix", "plan", plan.id, version=plan.version, vote=False)
    supersede_older(session, actor=actor, plan=plan)
    session.commit()


def new_version(session: Session, *, actor: User, plan: Plan) -> Plan:
    """A copy of a fixed plan as concept version n+1; the fixed plan itself never changes."""
    begin_write(session)
    _reread(session, plan)
    if not plan_rules.can_edit(plan.status, "new_version"):
        raise _refuse(
            session, PlanRefused(_l("Only a fixed plan can get a new version: edit this one."))
        )
    if plan_queries.newest_version(session, plan.scan_id) != plan.version:
        raise _refuse(session, PlanRefused(_l("A newer version of this plan exists already.")))
    copy = Plan(
        scan_id=plan.scan_id,
        version=plan.version + 1,
        title=dict(plan.title),
        summary=dict(plan.summary),
        pijler_order=list(plan.pijler_order),
        supersedes_id=plan.id,
    )
    session.add(copy)
    session.flush()
    copy_id = _id(copy)
    for section in plan_queries.sections(session, _id(plan)):
        session.add(
            PlanSection(
                plan_id=copy_id, key=section.key, position=section.position,
                texts=dict(section.texts),
            )
        )  # fmt: skip
    old = plan_queries.plan_measures(session, _id(plan))
    themes = plan_queries.measure_themes(session, (_id(m) for m in old))
    partners = plan_queries.measure_partners(session, (_id(m) for m in old))
    for measure in old:
        new = Measure(
            plan_id=copy_id,
            **measure.model_dump(exclude={"id", "plan_id", "created_at", "updated_at"}),
        )
        new.title, new.description = dict(measure.title), dict(measure.description)
        session.add(new)
        session.flush()
        session.add_all(
            MeasureTheme(measure_id=_id(new), theme_id=t.theme_id)
            for t in themes
            if t.measure_id == measure.id
        )
        session.add_all(
            MeasurePartner(measure_id=_id(new), partner_id=p.partner_id)
            for p in partners
            if p.measure_id == measure.id
        )
    record(
        session, actor, "plan.new_version", "plan", copy_id,
        scan_id=plan.scan_id, version=copy.version, supersedes=plan.id, measures=len(old),
    )  # fmt: skip
    session.commit()
    return copy


def set_public(session: Session, *, actor: User, plan: Plan, on: bool) -> None:
    """Show or hide a plan on the public page (a concept; the others are public anyway)."""
    begin_write(session)
    _reread(session, plan)
    if not plan_rules.can_edit(plan.status, "public"):
        raise _refuse(session, PlanRefused(FIXED))
    plan.is_public = on
    plan.updated_at = utcnow()
    session.add(plan)
    record(session, actor, "plan.public", "plan", plan.id, on=on)
    session.commit()
