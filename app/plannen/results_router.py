"""Staff page of a scan's results: participation, priorities, per pijler, breakdowns."""

from dataclasses import dataclass
from typing import Annotated

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response as HttpResponse

from app.charts import Bar, Compared, Diverging
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import NotFound
from app.formdata import FormItemsDep
from app.i18n import current_locale, localized
from app.i18n import gettext_lazy as _l
from app.plannen import aggregation, queries, results_service
from app.plannen.aggregation import PijlerResult, QuestionResult, Results
from app.programme.models import Buurt
from app.scan.models import Scan
from app.staff import rules as staff_rules
from app.staff.dependencies import Staff, require
from app.templating import path_for, render

router = APIRouter(prefix="/staff")
ResultsViewerDep = Annotated[Staff, Depends(require("results.view"))]
PublisherDep = Annotated[Staff, Depends(require("results.publish"))]


@dataclass(frozen=True)
class PijlerCharts:
    """The chart rows of one pijler's section."""

    result: PijlerResult
    name: str
    satisfaction: list[Bar]
    comparison: list[Compared]  # satisfaction and statements: here, focusbuurten, gemeente
    statements: list[Diverging]


def _question_label(question: QuestionResult) -> str:
    return localized({k: v.get("text", "") for k, v in question.question.texts.items()})


def pijler_charts(results: Results) -> list[PijlerCharts]:
    """Chart rows per pijler (priority order), labelled in the request's language."""
    views = []
    for result in results.pijlers:
        satisfaction = result.satisfaction
        scales = [*([satisfaction] if satisfaction else []), *result.statements]
        views.append(
            PijlerCharts(
                result=result,
                name=localized(result.pijler.name),
                satisfaction=[
                    Bar(localized(option.labels) or option.value, option.figure)
                    for option in (satisfaction.options if satisfaction else [])
                ],
                comparison=[
                    Compared(
                        _question_label(q) or q.question.key,
                        [q.comparison.buurt, q.comparison.focus, q.comparison.gemeente],
                    )
                    for q in scales
                ],
                statements=[
                    Diverging(
                        _question_label(q) or q.question.key,
                        [option.figure for option in q.options],
                        q.answered,
                    )
                    for q in result.statements
                ],
            )
        )
    return views


def _decimal(value: float, pattern: str = "0.0") -> str:
    """A mean or score in the request's locale (a comma in Dutch)."""
    return str(format_decimal(value, format=pattern, locale=current_locale()))


def _scan(session: SessionDep, scan_id: int) -> tuple[Scan, Buurt]:
    found = queries.scan_with_buurt(session, scan_id)
    if found is None:
        raise NotFound
    return found


def _page(
    request: Request,
    staff: Staff,
    session: SessionDep,
    settings: SettingsDep,
    scan: Scan,
    buurt: Buurt,
    *,
    publish_error: object = None,
    status_code: int = 200,
) -> HttpResponse:
    results = aggregation.build_results(
        queries.results_input(session, scan),
        threshold=settings.small_number_threshold,
        exact=staff_rules.can(staff.user.role, "small_numbers.view"),
    )
    statement = next((s for r in results.pijlers for s in r.statements), None)
    agree_labels = [localized(o.labels) or o.value for o in statement.options] if statement else []
    return render(
        request,
        "plannen/results.html",
        {
            "staff": staff,
            "scan": scan,
            "buurt": buurt,
            "results": results,
            "pijlers": pijler_charts(results),
            "priority_bars": [Bar(localized(r.pijler.name), r.top3) for r in results.pijlers],
            "decimal": _decimal,
            "agree_labels": agree_labels,
            "can_publish": staff_rules.can(staff.user.role, "results.publish"),
            "publish_error": publish_error,
        },
        status_code=status_code,
    )


@router.get("/scans/{scan_id}/resultaten", name="staff:results")
def results_page(
    request: Request,
    scan_id: int,
    staff: ResultsViewerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> HttpResponse:
    scan, buurt = _scan(session, scan_id)
    return _page(request, staff, session, settings, scan, buurt)


@router.post("/scans/{scan_id}/resultaten/openbaar", name="staff:results_publish")
def publish(
    request: Request,
    scan_id: int,
    staff: PublisherDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
) -> HttpResponse:
    scan, buurt = _scan(session, scan_id)
    public = next((v for k, v in form if k == "public"), None)
    if public not in ("0", "1"):
        return _page(
            request, staff, session, settings, scan, buurt,
            publish_error=_l("Choose whether to show the results publicly."),
            status_code=422,
        )  # fmt: skip
    results_service.set_results_public(session, actor=staff.user, scan=scan, public=public == "1")
    return RedirectResponse(
        path_for(request, "staff:results", scan_id=scan_id) + "#results-publish", status_code=303
    )
