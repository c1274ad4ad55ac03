"""Plans, measures and rounds for the staff vote-round tests, made directly with the models."""

from collections.abc import Sequence
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlmodel import Session, select

from app.plannen.models import Measure, MeasureTheme, Plan, Theme, VoteCode, VoteRound
from app.plannen.vote_service import hash_vote_code
from app.programme.models import Pijler
from app.scan import codes
from app.scan.models import Scan
from tests.conftest import SECRET
from tests.staff.helpers import csrf, log_in, make_user

SLUG = "planetenbuurt"
HTMX = {"HX-Request": "true"}


def make_plan(
    session: Session,
    *,
    slug: str = SLUG,
    status: str = "concept",
    costs: Sequence[int | None] = (1000, 2500, 400),
) -> tuple[Plan, list[Measure]]:
    """A plan of the scan ``slug`` with one measure per cost, each answering one theme."""
    scan = session.exec(select(Scan).where(Scan.slug == slug)).one()
    version = len(session.exec(select(Plan).where(Plan.scan_id == scan.id)).all()) + 1
    plan = Plan(scan_id=scan.id or 0, version=version, status=status, title={"nl": "Plan"})
    session.add(plan)
    pijler = session.exec(select(Pijler).order_by(Pijler.number)).first()
    assert pijler is not None
    theme = session.exec(select(Theme).where(Theme.scan_id == scan.id)).first()
    if theme is None:
        theme = Theme(scan_id=scan.id or 0, pijler_id=pijler.id, name="Speelplekken")
        session.add(theme)
    session.flush()
    measures = []
    for position, cost in enumerate(costs):
        measure = Measure(
            plan_id=plan.id or 0,
            pijler_id=pijler.id or 0,
            position=position,
            title={"nl": f"Maatregel {position + 1}", "ar": f"إجراء {position + 1}"},
            cost_estimate=cost,
        )
        session.add(measure)
        session.flush()
        session.add(MeasureTheme(measure_id=measure.id or 0, theme_id=theme.id or 0))
        measures.append(measure)
    session.commit()
    return plan, measures


def make_round(
    session: Session,
    plan: Plan,
    *,
    method: str = "approval",
    eligibility: str = "codes",
    status: str = "open",
    **settings: Any,
) -> VoteRound:
    """A round on ``plan`` (which goes ``ter_stemming``), with sensible settings per method."""
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
        **{**defaults, **settings},
    )
    plan.status = "ter_stemming"
    session.add_all([plan, vote_round])
    session.commit()
    return vote_round


def make_codes(session: Session, vote_round: VoteRound, count: int = 3) -> list[str]:
    """``count`` unused codes of the round, as printed."""
    plain = [codes.new_code() for _ in range(count)]
    session.execute(
        insert(VoteCode),
        [
            {"vote_round_id": vote_round.id, "code_hash": hash_vote_code(SECRET, code)}
            for code in plain
        ],
    )
    session.commit()
    return [codes.format_code(code) for code in plain]


def reload_round(session: Session, round_id: int) -> VoteRound:
    session.rollback()  # ends the snapshot: see what the app wrote
    found = session.get(VoteRound, round_id, populate_existing=True)
    assert found is not None
    return found


def reload_plan(session: Session, plan_id: int) -> Plan:
    session.rollback()
    found = session.get(Plan, plan_id, populate_existing=True)
    assert found is not None
    return found


def log_in_as(client: TestClient, session: Session, role: str) -> None:
    if role != "anonymous":
        log_in(client, make_user(session, role=role))


def send(
    client: TestClient, path: str, data: dict[str, Any] | None = None, *, htmx: bool = False
) -> httpx.Response:
    """A form post with the CSRF token; a field may hold several values."""
    return client.post(
        path, data={**(data or {}), "csrf_token": csrf(client)}, headers=HTMX if htmx else {}
    )


def context(response: httpx.Response) -> dict[str, Any]:
    found: dict[str, Any] = response.context  # type: ignore[attr-defined]
    return found


def template_name(response: httpx.Response) -> str:
    name: str = response.template.name  # type: ignore[attr-defined]
    return name
