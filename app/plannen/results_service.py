"""Use-cases of a scan's results."""

from sqlmodel import Session

from app.db import begin_write
from app.scan.models import Scan
from app.staff import service as staff_service
from app.staff.models import User


def set_results_public(session: Session, *, actor: User, scan: Scan, public: bool) -> None:
    """Show (or stop showing) the scan's results on its public "wat we hoorden" page."""
    begin_write(session)
    scan.results_public = public
    session.add(scan)
    staff_service.record(session, actor, "results.publish", "scan", scan.id, public=public)
    session.commit()
