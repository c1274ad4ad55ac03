"""The public "wat we hoorden" page of a buurt's scan (its per-pijler view, shared with the
ontwerpsessie screen, is ``schemas.pijler_views``).

Decisions:

- ``results_public`` is read from the scan row on every request (no cache), so publishing or
  withdrawing takes effect at once. Unpublished, the page still answers 200: a friendly notice
  that the results are not published yet (with a link to the scan while it is open), never
  any figure, theme or quote. A draft scan, like an unknown slug, is a 404.
- A closed scan's page stays public: that is when residents look for what was done.
- Figures are always suppressed (``exact=False``), whoever looks: a logged-in beheerder sees
  the same public page as everyone else.
- Hidden remarks never reach the page: ``remark_queries`` leaves them out of theme counts and
  quotes. Theme names are shown as facilitators typed them (Dutch, ``lang="nl"``).
"""

from fastapi import APIRouter, Request
from starlette.responses import Response as HttpResponse

from app.config import SettingsDep
from app.db import SessionDep
from app.errors import NotFound
from app.plannen import aggregation, queries, remark_queries
from app.plannen.schemas import other_themes, pijler_views
from app.scan.dependencies import ScanDep
from app.templating import render

router = APIRouter()

PUBLIC_THEMES = 5  # biggest themes per pijler on the public page
PUBLIC_QUOTES = 3  # quotes per pijler


@router.get("/s/{slug}/wat-we-hoorden", name="plannen:heard")
def heard(
    request: Request, context: ScanDep, session: SessionDep, settings: SettingsDep
) -> HttpResponse:
    scan = context.scan
    if scan.status == "draft" or scan.id is None:
        raise NotFound
    page = {"scan": scan, "buurt": context.buurt, "state": context.state}
    if not scan.results_public:
        return render(request, "plannen/heard.html", {**page, "published": False})
    results = aggregation.build_results(
        queries.results_input(session, scan, breakdowns=False),
        threshold=settings.small_number_threshold,
        exact=False,
    )
    themes = remark_queries.theme_counts(session, scan.id)
    return render(
        request,
        "plannen/heard.html",
        {
            **page,
            "published": True,
            "results": results,
            "pijlers": pijler_views(
                results,
                themes,
                remark_queries.quotes(session, scan.id),
                theme_limit=PUBLIC_THEMES,
                quote_limit=PUBLIC_QUOTES,
            ),
            "other_themes": other_themes(themes, threshold=results.threshold, limit=PUBLIC_THEMES),
        },
    )
