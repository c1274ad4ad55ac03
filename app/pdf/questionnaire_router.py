"""The paper questionnaire of a scan as a PDF download, in one of the six languages."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.db import SessionDep
from app.errors import AppError, NotFound
from app.i18n import LANGUAGES
from app.i18n import gettext_lazy as _l
from app.pdf import questionnaire
from app.scan import queries
from app.staff.dependencies import Staff, require

router = APIRouter(prefix="/staff")
ViewDep = Annotated[Staff, Depends(require("scan.view"))]


class UnknownLanguage(AppError):
    status_code = 422
    title = _l("Something is not right")
    message = _l("This language is not available. Choose one of the languages in the list.")


@router.get("/scans/{scan_id}/papier.pdf", name="staff:paper_pdf")
def paper_pdf(
    request: Request, scan_id: int, staff: ViewDep, session: SessionDep, taal: str = "nl"
) -> Response:
    """The permission comes first, so a stranger cannot tell which scans exist."""
    # An id out of the column's range is simply not there (PostgreSQL would refuse the query).
    found = queries.scan_with_buurt_by_id(session, scan_id) if 0 < scan_id < 2**31 else None
    if found is None:
        raise NotFound
    if taal not in LANGUAGES:
        raise UnknownLanguage
    scan, buurt = found
    pdf = questionnaire.questionnaire_pdf(
        session, scan, buurt, language=taal, base_url=str(request.base_url)
    )
    filename = f"buurtscan-{scan.slug}-papier-{taal}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
