"""The public "wat we hoorden" page of a buurt's scan, and the per-pijler view it shares with
the ontwerpsessie screen.

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

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response as HttpResponse

from app.charts import Bar, Compared, format_mean
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import localized
from app.plannen import aggregation, queries, remark_queries
from app.plannen.aggregation import PijlerResult, Results
from app.plannen.remark_queries import Quote, ThemeCount
from app.scan.dependencies import ScanDep
from app.suppression import Figure, single
from app.templating import render

router = APIRouter()

PUBLIC_THEMES = 5  # biggest themes per pijler on the public page
PUBLIC_QUOTES = 3  # quotes per pijler


@dataclass(frozen=True)
class ThemeView:
    name: str
    figure: Figure  # visible remarks in the theme; suppressed when few
    scale: int  # 0-100: the bar's length, relative to the biggest shown theme beside it


@dataclass(frozen=True)
class PijlerView:
    """One pijler as a room or a resident sees it: results, biggest themes, quotes."""

    result: PijlerResult
    name: str  # in the request's language
    themes: list[ThemeView]  # biggest first
    quotes: list[Quote]
    mean: str | None  # the satisfaction means, formatted; None: none, or too few answers
    focus: str | None
    gemeente: str | None
    satisfaction_bars: list[Bar]  # the scale's points, opt-out left out
    comparison: list[Compared]  # one row: here, focusbuurten, gemeente


def theme_views(
    themes: Sequence[tuple[str, int]], *, threshold: int, limit: int
) -> list[ThemeView]:
    """The ``limit`` biggest themes (name, count) with a figure each; empty themes left out.

    A theme's count is a figure like any other: fewer than ``threshold`` remarks is shown as
    too few (never exact: these views are for a room and the public).
    """
    biggest = [(name, count) for name, count in themes if count > 0][:limit]
    figures = [single(count, threshold=threshold, exact=False) for _, count in biggest]
    top = max((f.count for f in figures if f.count is not None), default=0)
    return [
        ThemeView(name, figure, round(100 * figure.count / top) if figure.count and top else 0)
        for (name, _), figure in zip(biggest, figures, strict=True)
    ]


def _formatted(value: float | None) -> str | None:
    return None if value is None else format_mean(value)


def pijler_views(
    results: Results,
    themes: Sequence[ThemeCount],
    quotes: Sequence[Quote],
    *,
    theme_limit: int,
    quote_limit: int,
) -> list[PijlerView]:
    """Every pijler of ``results`` (the residents' priority order) with its biggest themes
    (themes whose pijler it is, by visible remarks) and its first ``quote_limit`` quotes
    (remarks written at that pijler's questions)."""
    views = []
    for result in results.pijlers:
        pijler_id = result.pijler.id
        own = [(t.theme.name, t.count) for t in themes if t.theme.pijler_id == pijler_id]
        name = localized(result.pijler.name)
        satisfaction = result.satisfaction
        comparison = result.comparison
        views.append(
            PijlerView(
                result=result,
                name=name,
                themes=theme_views(own, threshold=results.threshold, limit=theme_limit),
                quotes=[q for q in quotes if q.pijler_id == pijler_id][:quote_limit],
                mean=_formatted(comparison.buurt),
                focus=_formatted(comparison.focus),
                gemeente=_formatted(comparison.gemeente),
                satisfaction_bars=[
                    Bar(localized(option.labels) or option.value, option.figure)
                    for option in (satisfaction.options if satisfaction else [])
                ],
                comparison=[
                    Compared(name, [comparison.buurt, comparison.focus, comparison.gemeente])
                ]
                if satisfaction
                else [],
            )
        )
    return views


def other_themes(themes: Sequence[ThemeCount], *, threshold: int, limit: int) -> list[ThemeView]:
    """The biggest themes that belong to no pijler."""
    loose = [(t.theme.name, t.count) for t in themes if t.theme.pijler_id is None]
    return theme_views(loose, threshold=threshold, limit=limit)


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
        queries.results_input(session, scan),
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
