"""The ontwerpsessie screen: a scan's results per pijler on a projector, one slide at a time.

Slides: without ``stap`` the overview lists every pijler; ``?stap=N`` shows the N-th pijler in
the residents' priority order (1-based). A ``stap`` outside 1..the number of pijlers is a 404,
not clamped: a mistyped address must not quietly show a room another pijler.

Figures are always suppressed (``exact=False``), also for a beheerder: the screen is shown to a
room. The slide is a block that htmx refreshes every few seconds, so themes and quotes appear
while facilitators work in the inbox; previous, next and refresh are plain links.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response as HttpResponse

from app.clock import NowDep
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import NotFound
from app.plannen import aggregation, queries, remark_queries
from app.plannen.schemas import other_themes, pijler_views
from app.staff.dependencies import Staff, require
from app.templating import render

router = APIRouter(prefix="/staff")
ResultsViewerDep = Annotated[Staff, Depends(require("results.view"))]

SESSION_THEMES = 5  # biggest themes per pijler on a slide
SESSION_QUOTES = 3  # quotes per slide
REFRESH_SECONDS = 10


@router.get("/scans/{scan_id}/ontwerpsessie", name="staff:session")
def ontwerpsessie(
    request: Request,
    scan_id: int,
    staff: ResultsViewerDep,
    session: SessionDep,
    settings: SettingsDep,
    at: NowDep,
    stap: int | None = None,
) -> HttpResponse:
    found = queries.scan_with_buurt(session, scan_id)
    if found is None:
        raise NotFound
    scan, buurt = found
    assert scan.id is not None
    results = aggregation.build_results(
        queries.results_input(session, scan, breakdowns=False),
        threshold=settings.small_number_threshold,
        exact=False,
    )
    themes = remark_queries.theme_counts(session, scan.id)
    slides = pijler_views(
        results,
        themes,
        remark_queries.quotes(session, scan.id),
        theme_limit=SESSION_THEMES,
        quote_limit=SESSION_QUOTES,
    )
    if stap is not None and not 1 <= stap <= len(slides):
        raise NotFound
    return render(
        request,
        "plannen/session.html",
        {
            "staff": staff,
            "scan": scan,
            "buurt": buurt,
            "results": results,
            "slides": slides,
            "stap": stap,
            "slide": slides[stap - 1] if stap else None,
            "other_themes": other_themes(themes, threshold=results.threshold, limit=SESSION_THEMES),
            "refresh_seconds": REFRESH_SECONDS,
            "at": at,
        },
        block="slide",
    )
