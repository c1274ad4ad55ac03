"""Every read of the programmaplan: plans, versions, sections, measures with their why.

Plain functions, session first, never committing. ``measures`` loads a plan's measures with
everything a page shows of them (pijler, trekker, partners, themes with their remark counts)
in a fixed handful of queries, so templates never lazy-load.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from app.plannen import remark_queries
from app.plannen.models import (
    Measure,
    MeasurePartner,
    MeasureTheme,
    Plan,
    PlanSection,
    Theme,
    VoteRound,
)
from app.programme.models import Buurt, Partner, Pijler
from app.scan.models import Scan
from app.staff.models import AuditEntry, User

PUBLIC_STATUSES = ("ter_stemming", "vastgesteld")
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class ThemeRemarks:
    theme: Theme
    count: int  # visible remarks in the theme (hidden ones never count)


@dataclass(frozen=True)
class MeasureView:
    measure: Measure
    pijler: Pijler
    trekker: Partner | None
    partners: list[Partner]  # the other partners, by name
    themes: list[ThemeRemarks]  # biggest first

    @property
    def remarks(self) -> int:
        """How many remarks the measure answers: the sum over its themes."""
        return sum(t.count for t in self.themes)


# --- plans ------------------------------------------------------------------------------------


def plan(session: Session, plan_id: int) -> Plan | None:
    return session.get(Plan, plan_id)


def plan_with_scan(session: Session, plan_id: int) -> tuple[Plan, Scan, Buurt] | None:
    row = session.exec(
        select(Plan, Scan, Buurt)
        .join(Scan, col(Scan.id) == col(Plan.scan_id))
        .join(Buurt, col(Buurt.id) == col(Scan.buurt_id))
        .where(col(Plan.id) == plan_id)
    ).first()
    return (row[0], row[1], row[2]) if row else None


def plan_of_scan(session: Session, scan_id: int) -> Plan | None:
    """The current plan: the newest version that is not ``vervangen``."""
    return session.exec(
        select(Plan)
        .where(col(Plan.scan_id) == scan_id, col(Plan.status) != "vervangen")
        .order_by(col(Plan.version).desc())
        .limit(1)
    ).first()


def versions(session: Session, scan_id: int) -> list[Plan]:
    """Every version of the scan's plan, newest first."""
    return list(
        session.exec(
            select(Plan).where(col(Plan.scan_id) == scan_id).order_by(col(Plan.version).desc())
        ).all()
    )


def newest_version(session: Session, scan_id: int) -> int:
    found = session.exec(select(func.max(Plan.version)).where(col(Plan.scan_id) == scan_id)).one()
    return int(found or 0)


def public_plan_for_slug(session: Session, slug: str) -> tuple[Plan, Scan, Buurt] | None:
    """The plan residents see at ``/s/{slug}/plan``: the newest version that is not
    ``vervangen`` and is public (``ter_stemming``, ``vastgesteld``, or a concept made public).

    A new version in the works (a concept, not public) leaves the fixed plan on show.
    """
    row = session.exec(
        select(Plan, Scan, Buurt)
        .join(Scan, col(Scan.id) == col(Plan.scan_id))
        .join(Buurt, col(Buurt.id) == col(Scan.buurt_id))
        .where(
            col(Scan.slug) == slug,
            col(Scan.status) != "draft",
            col(Plan.status) != "vervangen",
            or_(col(Plan.status).in_(PUBLIC_STATUSES), col(Plan.is_public).is_(True)),
        )
        .order_by(col(Plan.version).desc())
        .limit(1)
    ).first()
    return (row[0], row[1], row[2]) if row else None


def older_fixed(session: Session, plan: Plan) -> list[Plan]:
    """Fixed versions older than ``plan`` (they become ``vervangen`` when it is fixed)."""
    return list(
        session.exec(
            select(Plan).where(
                col(Plan.scan_id) == plan.scan_id,
                col(Plan.version) < plan.version,
                col(Plan.status) == "vastgesteld",
            )
        ).all()
    )


# --- sections ---------------------------------------------------------------------------------


def sections(session: Session, plan_id: int) -> list[PlanSection]:
    return list(
        session.exec(
            select(PlanSection)
            .where(col(PlanSection.plan_id) == plan_id)
            .order_by(col(PlanSection.position), col(PlanSection.id))
        ).all()
    )


def section(session: Session, plan_id: int, key: str) -> PlanSection | None:
    return session.exec(
        select(PlanSection).where(col(PlanSection.plan_id) == plan_id, col(PlanSection.key) == key)
    ).first()


# --- measures ---------------------------------------------------------------------------------


def measure(session: Session, measure_id: int) -> Measure | None:
    return session.get(Measure, measure_id)


def measures(session: Session, plan_id: int) -> list[MeasureView]:
    """The plan's measures in plan order, each with all a page shows of it (five queries)."""
    rows = session.exec(
        select(Measure, Pijler)
        .join(Pijler, col(Pijler.id) == col(Measure.pijler_id))
        .where(col(Measure.plan_id) == plan_id)
        .order_by(col(Measure.position), col(Measure.id))
    ).all()
    if not rows:
        return []
    ids = [m.id for m, _ in rows]
    lead_ids = {m.lead_partner_id for m, _ in rows if m.lead_partner_id is not None}
    partners = session.exec(
        select(MeasurePartner.measure_id, Partner)
        .join(Partner, col(Partner.id) == col(MeasurePartner.partner_id))
        .where(col(MeasurePartner.measure_id).in_(ids))
        .order_by(col(Partner.name), col(Partner.id))
    ).all()
    leads = {
        p.id: p for p in session.exec(select(Partner).where(col(Partner.id).in_(lead_ids))).all()
    }
    themes = session.exec(
        select(MeasureTheme.measure_id, Theme)
        .join(Theme, col(Theme.id) == col(MeasureTheme.theme_id))
        .where(col(MeasureTheme.measure_id).in_(ids))
    ).all()
    scan_id = themes[0][1].scan_id if themes else None
    counts = (
        {t.theme.id: t.count for t in remark_queries.theme_counts(session, scan_id)}
        if scan_id is not None
        else {}
    )
    partners_of: dict[int, list[Partner]] = {}
    for measure_id, partner in partners:
        partners_of.setdefault(measure_id, []).append(partner)
    themes_of: dict[int, list[ThemeRemarks]] = {}
    for measure_id, theme in themes:
        themes_of.setdefault(measure_id, []).append(ThemeRemarks(theme, counts.get(theme.id, 0)))
    return [
        MeasureView(
            measure=m,
            pijler=pijler,
            trekker=leads.get(m.lead_partner_id) if m.lead_partner_id is not None else None,
            partners=partners_of.get(m.id or 0, []),
            themes=sorted(
                themes_of.get(m.id or 0, []), key=lambda t: (-t.count, t.theme.name.lower())
            ),
        )
        for m, pijler in rows
    ]


def measure_counts(session: Session, plan_id: int) -> tuple[int, int]:
    """How many measures the plan has, and how many of them have no trekker yet."""
    total, without = session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(case((col(Measure.lead_partner_id).is_(None), 1), else_=0)), 0),
        ).where(col(Measure.plan_id) == plan_id)
    ).one()
    return int(total), int(without)


def last_position(session: Session, plan_id: int) -> int:
    found = session.exec(
        select(func.max(Measure.position)).where(col(Measure.plan_id) == plan_id)
    ).one()
    return -1 if found is None else int(found)


def neighbour(session: Session, measure: Measure, direction: str) -> Measure | None:
    """The measure of the same plan and pijler just before (up) or after (down) it."""
    up = direction == "up"
    position = col(Measure.position)
    return session.exec(
        select(Measure)
        .where(
            col(Measure.plan_id) == measure.plan_id,
            col(Measure.pijler_id) == measure.pijler_id,
            col(Measure.id) != measure.id,
            position < measure.position if up else position > measure.position,
        )
        .order_by(position.desc() if up else position)
        .limit(1)
    ).first()


def measure_themes(session: Session, measure_ids: Iterable[int]) -> list[MeasureTheme]:
    ids = list(measure_ids)
    if not ids:
        return []
    return list(
        session.exec(select(MeasureTheme).where(col(MeasureTheme.measure_id).in_(ids))).all()
    )


def measure_partners(session: Session, measure_ids: Iterable[int]) -> list[MeasurePartner]:
    ids = list(measure_ids)
    if not ids:
        return []
    return list(
        session.exec(select(MeasurePartner).where(col(MeasurePartner.measure_id).in_(ids))).all()
    )


def plan_measures(session: Session, plan_id: int) -> list[Measure]:
    return list(
        session.exec(
            select(Measure)
            .where(col(Measure.plan_id) == plan_id)
            .order_by(col(Measure.position), col(Measure.id))
        ).all()
    )


# --- what a measure's form offers -------------------------------------------------------------


def theme_ids_of_scan(session: Session, scan_id: int, theme_ids: Iterable[int]) -> set[int]:
    """Those of the ids that are themes of this scan."""
    ids = list(theme_ids)
    if not ids:
        return set()
    found = session.exec(
        select(Theme.id).where(col(Theme.scan_id) == scan_id, col(Theme.id).in_(ids))
    ).all()
    return {i for i in found if i is not None}


def partner_ids(session: Session, ids: Iterable[int]) -> set[int]:
    wanted = list(ids)
    if not wanted:
        return set()
    found = session.exec(select(Partner.id).where(col(Partner.id).in_(wanted))).all()
    return {i for i in found if i is not None}


def partners(session: Session) -> list[Partner]:
    return list(session.exec(select(Partner).order_by(col(Partner.name), col(Partner.id))).all())


def pijlers(session: Session) -> list[Pijler]:
    return list(session.exec(select(Pijler).order_by(col(Pijler.number))).all())


def pijler(session: Session, pijler_id: int) -> Pijler | None:
    return session.get(Pijler, pijler_id)


# --- the vote round and the history -----------------------------------------------------------


def vote_round(session: Session, plan_id: int) -> VoteRound | None:
    """The plan's latest vote round, if any."""
    return session.exec(
        select(VoteRound)
        .where(col(VoteRound.plan_id) == plan_id)
        .order_by(col(VoteRound.id).desc())
        .limit(1)
    ).first()


def history(session: Session, plan_id: int) -> list[tuple[AuditEntry, User | None]]:
    """The audit entries of this plan version, newest first: those about the plan itself and
    those about its measures and vote rounds (which carry ``plan_id`` in their detail)."""
    of_plan = and_(col(AuditEntry.target_type) == "plan", col(AuditEntry.target_id) == str(plan_id))
    by_detail = and_(
        col(AuditEntry.target_type).in_(("measure", "vote_round")),
        col(AuditEntry.detail)["plan_id"].as_integer() == plan_id,
    )
    rows = session.exec(
        select(AuditEntry, User)
        .join(User, col(User.id) == col(AuditEntry.user_id), isouter=True)
        .where(or_(of_plan, by_detail))
        .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return [(entry, user) for entry, user in rows]
