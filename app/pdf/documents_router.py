"""Staff downloads of printed matter for spreading a scan: the poster (A3 or A4).

The code letters are made where their codes are issued (the scan's and the vote round's code
pages), because their plain codes exist only in that one request.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.db import SessionDep
from app.errors import AppError, NotFound
from app.i18n import gettext_lazy as _l
from app.pdf import letters, posters
from app.scan import queries as scan_queries
from app.staff.dependencies import Staff, require

router = APIRouter()
ViewerDep = Annotated[Staff, Depends(require("scan.view"))]
FORMAAT_LIMIT = 10  # characters of ?formaat= looked at


class UnknownFormaat(AppError):
    status_code = 422
    title = _l("This paper size does not exist")
    message = _l("A poster is A3 or A4. Choose one of these on the scan's page.")


@router.get("/staff/scans/{scan_id}/poster.pdf", name="staff:poster")
def poster(
    request: Request, scan_id: int, staff: ViewerDep, session: SessionDep, formaat: str = "a3"
) -> Response:
    # An id out of the column's range is simply not there (PostgreSQL would refuse the query).
    found = scan_queries.scan_with_buurt_by_id(session, scan_id) if 0 < scan_id < 2**31 else None
    if found is None:
        raise NotFound
    scan, buurt = found
    chosen = next((f for f in posters.FORMATS if f == formaat[:FORMAAT_LIMIT].lower()), None)
    if chosen is None:
        raise UnknownFormaat
    url = str(request.url_for("scan:intro", slug=scan.slug))
    pdf = posters.poster_pdf(session, scan, buurt, url=url, formaat=chosen)
    return letters.pdf_response(pdf, f"poster-{scan.slug}-{chosen}.pdf")
