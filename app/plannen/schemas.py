"""What the "wat we hoorden" page and the ontwerpsessie screen show per pijler: results,
the biggest themes (their counts suppressed like every figure) and the selected quotes."""

from collections.abc import Sequence
from dataclasses import dataclass

from app.charts import Bar, Compared, format_mean
from app.i18n import localized
from app.plannen.aggregation import PijlerResult, Results
from app.plannen.remark_queries import Quote, ThemeCount
from app.suppression import Figure, single


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
