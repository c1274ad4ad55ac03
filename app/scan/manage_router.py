"""Staff pages of scans: the overview of every scan and its state."""

from fastapi import APIRouter, Request
from starlette.responses import Response as HttpResponse

from app.clock import NowDep
from app.db import SessionDep
from app.scan import queries, rules
from app.staff.dependencies import StaffDep
from app.templating import render

router = APIRouter(prefix="/staff")


@router.get("", name="staff:home")
def overview(request: Request, staff: StaffDep, session: SessionDep, at: NowDep) -> HttpResponse:
    scans = queries.all_scans(session)
    states = {s.id: rules.scan_state(s.status, s.starts_on, s.ends_on, at) for s, _ in scans}
    return render(request, "staff/home.html", {"staff": staff, "scans": scans, "states": states})
