"""Downloading the programmaplan as a PDF: from the staff plan page, and from the public plan
page once the plan is public.

Decisions:

- Staff (``plan.view``: partners too) may download any version, concept included; an unknown
  plan is a 404 after the permission check (``plan_router.ViewedPlanDep``).
- The public document is the plan the public plan page shows
  (``plan_queries.public_plan_for_slug``); without one (no plan, not public, a draft scan, an
  unknown slug) it is a 404.
- ``?taal=`` picks one of the six languages; anything else is Dutch. Both documents show
  suppressed figures only (``app.pdf.plan``).
"""

from datetime import datetime

from fastapi import APIRouter
from starlette.responses import Response

from app.clock import NowDep
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import LANGUAGES
from app.pdf import plan as plan_pdf
from app.plannen import plan_queries
from app.plannen.models import Plan
from app.plannen.plan_router import ViewedPlanDep
from app.programme.models import Buurt
from app.scan.models import Scan

router = APIRouter()


def _language(taal: str | None) -> str:
    return taal if taal in LANGUAGES else "nl"


def _download(
    session: SessionDep,
    found: tuple[Plan, Scan, Buurt],
    *,
    threshold: int,
    language: str,
    now: datetime,
) -> Response:
    document = plan_pdf.plan_document(
        session, *found, threshold=threshold, language=language, now=now
    )
    name = plan_pdf.filename(document, language)
    return Response(
        plan_pdf.plan_pdf(document, language=language),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/staff/plannen/{plan_id}/plan.pdf", name="staff:plan_pdf")
def staff_plan_pdf(
    context: ViewedPlanDep,
    session: SessionDep,
    settings: SettingsDep,
    at: NowDep,
    taal: str | None = None,
) -> Response:
    return _download(
        session,
        (context.plan, context.scan, context.buurt),
        threshold=settings.small_number_threshold,
        language=_language(taal),
        now=at,
    )


@router.get("/s/{slug}/plan.pdf", name="plannen:plan_pdf")
def public_plan_pdf(
    slug: str, session: SessionDep, settings: SettingsDep, at: NowDep, taal: str | None = None
) -> Response:
    found = plan_queries.public_plan_for_slug(session, slug[:60])
    if found is None:
        raise NotFound
    return _download(
        session,
        found,
        threshold=settings.small_number_threshold,
        language=_language(taal),
        now=at,
    )
