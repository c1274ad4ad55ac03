"""The public plan page of a buurt: ``/s/{slug}/plan``.

Decisions:

- The page shows the newest version that is public (``plan_queries.public_plan_for_slug``):
  ``ter_stemming`` and ``vastgesteld`` always, a concept only when made public. Without one
  it answers 200 with a friendly "no plan yet"; an unknown slug (or a draft scan) is a 404.
- Figures are always suppressed (``exact=False``), whoever looks, like "wat we hoorden".
- Measure texts are in the resident's language with Dutch as fallback; the ``lang`` of each
  text is the language it is actually in. Theme names are the facilitators' Dutch.
- Vote results come from the round's snapshot (``VoteRound.results``) only, and only once
  the round is closed: fewer ballots than the threshold show no figure at all, and a
  measure's total is shown only when it has at least threshold supporters.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response as HttpResponse

from app.clock import NowDep
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import current_locale
from app.plannen import plan_queries
from app.plannen.models import VoteRound
from app.plannen.plan_forms import KERNELEMENT_LABELS, ROLE_LABELS
from app.plannen.plan_router import has_route, pijler_blocks
from app.plannen.plan_rules import shown
from app.plannen.rules import public_measure_figures
from app.scan import queries as scan_queries
from app.scan import rules as scan_rules
from app.suppression import Figure, single
from app.templating import render

router = APIRouter()


@dataclass(frozen=True)
class VoteRow:
    rank: int | None
    total: Figure  # approvals, points or euros; hidden with too few supporters
    supporters: Figure
    counts: bool
    funded: bool | None


@dataclass(frozen=True)
class VoteResults:
    method: str
    binding: bool  # False: an open poll, one per browser
    ballots: Figure
    too_few: bool
    rows: dict[int, VoteRow]  # per measure id


def vote_results(vote_round: VoteRound | None, *, threshold: int) -> VoteResults | None:
    """The closed round's snapshot as the public may see it; None without one."""
    if vote_round is None or vote_round.status != "closed" or not vote_round.results:
        return None
    snapshot: dict[str, Any] = vote_round.results
    ballots = int(snapshot.get("ballots") or 0)
    too_few = ballots < threshold
    rows: dict[int, VoteRow] = {}
    if not too_few:
        for row in snapshot.get("measures", []):
            total, supporters = public_measure_figures(
                int(row.get("total") or 0), int(row.get("supporters") or 0), threshold=threshold
            )
            rows[int(row["measure_id"])] = VoteRow(
                rank=row.get("rank"),
                total=total,
                supporters=supporters,
                counts=bool(row.get("counts", True)),
                funded=row.get("funded"),
            )
    return VoteResults(
        method=str(snapshot.get("method", vote_round.method)),
        binding=snapshot.get("eligibility", vote_round.eligibility) == "codes",
        ballots=single(ballots, threshold=threshold, exact=False),
        too_few=too_few,
        rows=rows,
    )


@router.get("/s/{slug}/plan", name="plannen:plan")
def plan_page(
    request: Request, slug: str, session: SessionDep, settings: SettingsDep, at: NowDep
) -> HttpResponse:
    found = scan_queries.scan_with_buurt(session, slug[:60])
    if found is None or found[0].status == "draft":
        raise NotFound
    scan, buurt = found
    public = plan_queries.public_plan_for_slug(session, scan.slug)
    context: dict[str, Any] = {"scan": scan, "buurt": buurt, "plan": None}
    if public is not None:
        plan = public[0]
        threshold = settings.small_number_threshold
        vote_round = plan_queries.vote_round(session, plan.id or 0)
        state = (
            scan_rules.scan_state(vote_round.status, vote_round.opens_on, vote_round.closes_on, at)
            if vote_round is not None
            else None
        )
        sections = {s.key: s for s in plan_queries.sections(session, plan.id or 0)}
        locale = current_locale()
        context |= {
            "plan": plan,
            "blocks": pijler_blocks(
                session, plan, threshold=threshold, exact=False, with_remarks=False
            ),
            "kernelementen": [
                (key, label, shown(sections[key].texts, locale))
                for key, label in KERNELEMENT_LABELS.items()
                if key in sections and sections[key].texts
            ],
            "vote_open": state == "open" and has_route(request, "vote:start", slug=scan.slug),
            "vote_round": vote_round,
            "results": vote_results(vote_round, threshold=threshold)
            if plan.status == "vastgesteld"
            else None,
            "role_labels": ROLE_LABELS,
            "shown": lambda texts: shown(texts, locale),
            "threshold": threshold,
        }
    return render(request, "plannen/plan_public.html", context)
