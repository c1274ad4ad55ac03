"""Plans, measures, rounds and codes for the vote's tests, made directly with the models."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.plannen.models import Measure, Plan, VoteCode, VoteRound
from app.plannen.vote_service import hash_vote_code
from app.programme.models import Partner, Pijler
from app.scan import codes
from app.scan.models import Scan
from tests.conftest import SECRET

SLUG = "kloosstraat"


def make_plan(
    session: Session,
    slug: str = SLUG,
    *,
    costs: Sequence[int | None] = (1000, 2500, 400),
    status: str = "ter_stemming",
) -> tuple[Plan, list[Measure]]:
    """A plan of the scan ``slug`` with one measure per cost, titled in Dutch and Arabic."""
    scan = session.exec(select(Scan).where(Scan.slug == slug)).one()
    version = len(session.exec(select(Plan).where(Plan.scan_id == scan.id)).all()) + 1
    plan = Plan(
        scan_id=scan.id or 0,
        version=version,
        status=status,
        title={"nl": f"Plan voor {slug}", "ar": f"خطة {slug}"},
    )
    session.add(plan)
    session.flush()
    pijlers = session.exec(select(Pijler).order_by(Pijler.number)).all()
    partner = session.exec(select(Partner)).first()
    measures = []
    for position, cost in enumerate(costs):
        measure = Measure(
            plan_id=plan.id or 0,
            pijler_id=pijlers[position % len(pijlers)].id or 0,
            position=position,
            title={"nl": f"Maatregel {position + 1}", "ar": f"إجراء {position + 1}"},
            description={"nl": f"Wat we doen, nummer {position + 1}."},
            lead_partner_id=partner.id if partner else None,
            cost_estimate=cost,
        )
        session.add(measure)
        measures.append(measure)
    session.commit()
    return plan, measures


def make_round(
    session: Session,
    plan: Plan,
    *,
    method: str = "budget",
    eligibility: str = "codes",
    status: str = "open",
    opens_on: date | None = None,
    closes_on: date | None = None,
    **settings: Any,
) -> VoteRound:
    defaults: dict[str, Any] = {
        "approval": {"max_choices": 2},
        "points": {"points_total": 10, "points_per_measure": 5},
        "budget": {"budget_amount": 1000},
    }[method]
    vote_round = VoteRound(
        plan_id=plan.id or 0,
        method=method,
        eligibility=eligibility,
        status=status,
        opens_on=opens_on,
        closes_on=closes_on,
        **{**defaults, **settings},
    )
    session.add(vote_round)
    session.commit()
    return vote_round


def make_codes(session: Session, vote_round: VoteRound, count: int = 1) -> list[str]:
    """Codes of the round, as printed on the letters (``ABCD-EFGH-JKLM``)."""
    plain = [codes.new_code() for _ in range(count)]
    for code in plain:
        session.add(
            VoteCode(vote_round_id=vote_round.id or 0, code_hash=hash_vote_code(SECRET, code))
        )
    session.commit()
    return [codes.format_code(code) for code in plain]
