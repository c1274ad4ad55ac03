"""Staff page of a scan's live progress; htmx refreshes its figures block every 30 seconds."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response as HttpResponse

from app.clock import NowDep
from app.config import TIMEZONE, SettingsDep
from app.db import SessionDep
from app.errors import NotFound
from app.monitoring import aggregation, queries
from app.staff import rules as staff_rules
from app.staff.dependencies import Staff, require
from app.templating import render

router = APIRouter(prefix="/staff")
ProgressViewerDep = Annotated[Staff, Depends(require("progress.view"))]


@router.get("/scans/{scan_id}/voortgang", name="staff:progress")
def progress(
    request: Request,
    scan_id: int,
    staff: ProgressViewerDep,
    session: SessionDep,
    settings: SettingsDep,
    at: NowDep,
) -> HttpResponse:
    found = queries.scan_with_buurt(session, scan_id)
    if found is None:
        raise NotFound
    scan, buurt = found
    figures = aggregation.build_progress(
        queries.progress_input(session, scan),
        zone=TIMEZONE,
        threshold=settings.small_number_threshold,
        exact=staff_rules.can(staff.user.role, "small_numbers.view"),
    )
    return render(
        request,
        "staff/progress.html",
        {"staff": staff, "scan": scan, "buurt": buurt, "progress": figures, "at": at},
        block="figures",
    )
