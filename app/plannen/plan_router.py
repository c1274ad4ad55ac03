"""Staff pages of the programmaplan: drafting it, the plan page, its measures and sections.

Partners (``plan.view``) read the plan; facilitators and beheerders (``plan.manage``) edit
it. A refused change (the plan is frozen for a vote, or fixed) re-renders the page with the
reason and status 409; a form with errors re-renders with 422 and messages by the fields.
"""

from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response as HttpResponse
from starlette.routing import NoMatchFound

from app.clock import NowDep
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import NotFound
from app.formdata import FormItemsDep
from app.i18n import LANGUAGES, localized
from app.plannen import plan_forms, plan_queries, plan_rules, plan_service, remark_queries, rules
from app.plannen.models import KERNELEMENTEN, Measure, Plan, PlanSection
from app.plannen.plan_forms import (
    HISTORY_LABELS,
    KERNELEMENT_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    MeasureForm,
)
from app.plannen.plan_queries import MeasureView
from app.plannen.remark_queries import Quote
from app.programme.models import Buurt, Pijler
from app.scan import queries as scan_queries
from app.scan.models import Scan
from app.staff import rules as staff_rules
from app.staff.dependencies import Staff, require
from app.suppression import Figure, single
from app.templating import path_for, render

router = APIRouter(prefix="/staff")
ViewerDep = Annotated[Staff, Depends(require("plan.view"))]
ManagerDep = Annotated[Staff, Depends(require("plan.manage"))]
QUOTES = 3  # per pijler
MAX_ID = 2**31  # ids beyond the column's range are simply not there


def has_route(request: Request, name: str, **params: object) -> bool:
    """Whether the app has a route of this name (another engineer's page may not exist yet)."""
    try:
        path_for(request, name, **params)
    except NoMatchFound:
        return False
    return True


def _redirect(request: Request, name: str, anchor: str = "", **params: Any) -> RedirectResponse:
    return RedirectResponse(path_for(request, name, **params) + anchor, status_code=303)


# --- loading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanContext:
    plan: Plan
    scan: Scan
    buurt: Buurt


def _plan(session: SessionDep, plan_id: int) -> PlanContext:
    found = plan_queries.plan_with_scan(session, plan_id) if 0 < plan_id < MAX_ID else None
    if found is None:
        raise NotFound
    return PlanContext(*found)


def get_viewed_plan(plan_id: int, staff: ViewerDep, session: SessionDep) -> PlanContext:
    """The permission comes first, so a stranger cannot tell which plans exist."""
    return _plan(session, plan_id)


def get_managed_plan(plan_id: int, staff: ManagerDep, session: SessionDep) -> PlanContext:
    return _plan(session, plan_id)


def get_managed_measure(
    measure_id: int, staff: ManagerDep, session: SessionDep
) -> tuple[Measure, PlanContext]:
    found = plan_queries.measure(session, measure_id) if 0 < measure_id < MAX_ID else None
    if found is None:
        raise NotFound
    return found, _plan(session, found.plan_id)


ViewedPlanDep = Annotated[PlanContext, Depends(get_viewed_plan)]
ManagedPlanDep = Annotated[PlanContext, Depends(get_managed_plan)]
ManagedMeasureDep = Annotated[tuple[Measure, PlanContext], Depends(get_managed_measure)]


# --- the plan page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeRow:
    name: str
    figure: Figure


@dataclass(frozen=True)
class MeasureRow:
    view: MeasureView
    why: plan_rules.Why
    first: bool = False
    last: bool = False


@dataclass
class PijlerBlock:
    key: str
    pijler: Pijler | None
    name: str
    section: PlanSection | None
    themes: list[ThemeRow] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    measures: list[MeasureRow] = field(default_factory=list)


def measure_rows(views: list[MeasureView], *, threshold: int, exact: bool) -> list[MeasureRow]:
    return [
        MeasureRow(v, plan_rules.why([t.count for t in v.themes], threshold=threshold, exact=exact))
        for v in views
    ]


def pijler_blocks(
    session: SessionDep,
    plan: Plan,
    *,
    threshold: int,
    exact: bool,
    with_remarks: bool = True,
) -> list[PijlerBlock]:
    """The plan's pijlers in the residents' priority order, then any other pijler a measure
    is in; each with its summary section, its themes and quotes, and its measures."""
    pijlers = {p.key: p for p in plan_queries.pijlers(session)}
    sections = {s.key: s for s in plan_queries.sections(session, plan.id or 0)}
    views = plan_queries.measures(session, plan.id or 0)
    keys = [k for k in plan.pijler_order if k in pijlers]
    keys += [v.pijler.key for v in views if v.pijler.key not in keys]
    blocks = {
        key: PijlerBlock(key, pijlers.get(key), localized(pijlers[key].name), sections.get(key))
        for key in dict.fromkeys(keys)
    }
    if with_remarks:
        by_id = {p.id: p.key for p in pijlers.values()}
        for count in remark_queries.theme_counts(session, plan.scan_id):
            key = by_id.get(count.theme.pijler_id)
            if key in blocks and count.count > 0:
                figure = single(count.count, threshold=threshold, exact=exact)
                blocks[key].themes.append(ThemeRow(count.theme.name, figure))
        for quote in remark_queries.quotes(session, plan.scan_id):
            key = by_id.get(quote.pijler_id)
            if key in blocks and len(blocks[key].quotes) < QUOTES:
                blocks[key].quotes.append(quote)
    for row in measure_rows(views, threshold=threshold, exact=exact):
        blocks[row.view.pijler.key].measures.append(row)
    for block in blocks.values():
        last = len(block.measures) - 1
        block.measures = [
            replace(row, first=i == 0, last=i == last) for i, row in enumerate(block.measures)
        ]
    return list(blocks.values())


def _page(
    request: Request,
    staff: Staff,
    session: SessionDep,
    settings: SettingsDep,
    context: PlanContext,
    *,
    refusal: Any = None,
    status_code: int = 200,
) -> HttpResponse:
    plan = context.plan
    role = staff.user.role
    exact = staff_rules.can(role, "small_numbers.view")
    threshold = settings.small_number_threshold
    sections = {s.key: s for s in plan_queries.sections(session, plan.id or 0)}
    vote_round = plan_queries.vote_round(session, plan.id or 0)
    blocks = pijler_blocks(session, plan, threshold=threshold, exact=exact)
    measure_count = sum(len(b.measures) for b in blocks)
    can_manage = staff_rules.can(role, "plan.manage")
    return render(
        request,
        "plannen/plan_page.html",
        {
            "staff": staff,
            "plan": plan,
            "scan": context.scan,
            "buurt": context.buurt,
            "blocks": blocks,
            "measure_count": measure_count,
            "kernelementen": [(k, KERNELEMENT_LABELS[k], sections.get(k)) for k in KERNELEMENTEN],
            "versions": plan_queries.versions(session, plan.scan_id),
            "history": plan_queries.history(session, plan.id or 0),
            "vote_round": vote_round,
            "round_link": vote_round is not None and has_route(request, "staff:round", round_id=1),
            "round_new_link": (
                vote_round is None
                and plan.status == "concept"
                and measure_count > 0
                and staff_rules.can(role, "vote.manage")
                and has_route(request, "staff:round_new", plan_id=1)
            ),
            "can_manage": can_manage,
            "can_edit": can_manage and plan_rules.can_edit(plan.status, "measures"),
            "can_fix": can_manage and plan_rules.can_transition("fix", plan.status),
            "can_new_version": (
                can_manage
                and plan_rules.can_edit(plan.status, "new_version")
                and plan_queries.newest_version(session, plan.scan_id) == plan.version
            ),
            "can_toggle_public": can_manage and plan_rules.can_edit(plan.status, "public"),
            "is_public": plan_rules.is_public(plan.status, plan.is_public),
            "public_link": has_route(request, "plannen:plan", slug="x"),
            "status_labels": STATUS_LABELS,
            "role_labels": ROLE_LABELS,
            "kernelement_labels": KERNELEMENT_LABELS,
            "history_labels": HISTORY_LABELS,
            "section_labels": {
                **KERNELEMENT_LABELS,
                **{p.key: localized(p.name) for p in plan_queries.pijlers(session)},
            },
            "vote_places": {
                row.measure_id: row.rank for row in rules.ranked_from_snapshot(vote_round.results)
            }
            if vote_round is not None and vote_round.status == "closed" and vote_round.results
            else {},
            "shown": lambda texts: plan_rules.shown(texts, "nl"),
            "threshold": threshold,
            "refusal": refusal,
        },
        status_code=status_code,
    )


@router.get("/scans/{scan_id}/plan", name="staff:scan_plan")
def scan_plan(
    request: Request, scan_id: int, staff: ViewerDep, session: SessionDep
) -> HttpResponse:
    """The scan's current plan, or a page to draft one."""
    found = scan_queries.scan_with_buurt_by_id(session, scan_id) if 0 < scan_id < MAX_ID else None
    if found is None:
        raise NotFound
    current = plan_queries.plan_of_scan(session, scan_id)
    if current is not None:
        return _redirect(request, "staff:plan", plan_id=current.id)
    scan, buurt = found
    return render(
        request,
        "plannen/plan_none.html",
        {
            "staff": staff,
            "scan": scan,
            "buurt": buurt,
            "can_manage": staff_rules.can(staff.user.role, "plan.manage"),
        },
    )


@router.post("/scans/{scan_id}/plan", name="staff:plan_draft")
def draft(
    request: Request,
    scan_id: int,
    staff: ManagerDep,
    session: SessionDep,
    settings: SettingsDep,
    _form: FormItemsDep,
) -> HttpResponse:
    found = scan_queries.scan_with_buurt_by_id(session, scan_id) if 0 < scan_id < MAX_ID else None
    if found is None:
        raise NotFound
    plan = plan_service.draft_plan(
        session, actor=staff.user, scan=found[0], threshold=settings.small_number_threshold
    )
    return _redirect(request, "staff:plan", plan_id=plan.id)


@router.get("/plannen/{plan_id}", name="staff:plan")
def plan_page(
    request: Request,
    staff: ViewerDep,
    context: ViewedPlanDep,
    session: SessionDep,
    settings: SettingsDep,
) -> HttpResponse:
    return _page(request, staff, session, settings, context)


@router.post("/plannen/{plan_id}/vaststellen", name="staff:plan_fix")
def fix(
    request: Request,
    staff: ManagerDep,
    context: ManagedPlanDep,
    session: SessionDep,
    settings: SettingsDep,
    at: NowDep,
    _form: FormItemsDep,
) -> HttpResponse:
    try:
        plan_service.fix_plan(session, actor=staff.user, plan=context.plan, now=at)
    except plan_service.PlanRefused as error:
        return _page(
            request, staff, session, settings, context, refusal=error.message, status_code=409
        )
    return _redirect(request, "staff:plan", plan_id=context.plan.id)


@router.post("/plannen/{plan_id}/nieuwe-versie", name="staff:plan_new_version")
def new_version(
    request: Request,
    staff: ManagerDep,
    context: ManagedPlanDep,
    session: SessionDep,
    settings: SettingsDep,
    _form: FormItemsDep,
) -> HttpResponse:
    try:
        copy = plan_service.new_version(session, actor=staff.user, plan=context.plan)
    except plan_service.PlanRefused as error:
        return _page(
            request, staff, session, settings, context, refusal=error.message, status_code=409
        )
    return _redirect(request, "staff:plan", plan_id=copy.id)


@router.post("/plannen/{plan_id}/openbaar", name="staff:plan_public")
def public(
    request: Request,
    staff: ManagerDep,
    context: ManagedPlanDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
) -> HttpResponse:
    on = any(k == "public" and v == "on" for k, v in form)
    try:
        plan_service.set_public(session, actor=staff.user, plan=context.plan, on=on)
    except plan_service.PlanRefused as error:
        return _page(
            request, staff, session, settings, context, refusal=error.message, status_code=409
        )
    return _redirect(request, "staff:plan", plan_id=context.plan.id)


# --- a section's text -------------------------------------------------------------------------


def _section(session: SessionDep, context: PlanContext, key: str) -> PlanSection:
    found = plan_queries.section(session, context.plan.id or 0, key[:40])
    if found is None:
        raise NotFound
    return found


def _section_label(session: SessionDep, key: str) -> Any:
    if key in KERNELEMENT_LABELS:
        return KERNELEMENT_LABELS[key]
    pijler = next((p for p in plan_queries.pijlers(session) if p.key == key), None)
    return localized(pijler.name) if pijler else key


def _section_page(
    request: Request,
    staff: Staff,
    session: SessionDep,
    context: PlanContext,
    section: PlanSection,
    form: plan_forms.SectionForm,
    *,
    refusal: Any = None,
    status_code: int = 200,
) -> HttpResponse:
    locked = _locked(context.plan, "sections")
    return render(
        request,
        "plannen/plan_section.html",
        {
            "staff": staff,
            "plan": context.plan,
            "buurt": context.buurt,
            "section": section,
            "label": _section_label(session, section.key),
            "form": form,
            "limit": plan_forms.SECTION_LIMIT,
            "refusal": refusal or locked,
            "locked": locked is not None,
        },
        status_code=status_code,
    )


@router.get("/plannen/{plan_id}/secties/{key}", name="staff:plan_section")
def section_page(
    request: Request,
    key: str,
    staff: ManagerDep,
    context: ManagedPlanDep,
    session: SessionDep,
    taal: str = "nl",
) -> HttpResponse:
    section = _section(session, context, key)
    language = plan_forms.language_of(taal[:5])
    form = plan_forms.SectionForm(language, section.texts.get(language, ""))
    return _section_page(request, staff, session, context, section, form)


@router.post("/plannen/{plan_id}/secties/{key}", name="staff:plan_section_save")
def save_section(
    request: Request,
    key: str,
    staff: ManagerDep,
    context: ManagedPlanDep,
    session: SessionDep,
    items: FormItemsDep,
) -> HttpResponse:
    section = _section(session, context, key)
    form = plan_forms.parse_section(items)
    if form.errors:
        return _section_page(request, staff, session, context, section, form, status_code=422)
    try:
        plan_service.update_section(
            session, actor=staff.user, plan=context.plan, key=section.key,
            language=form.language, text=form.text,
        )  # fmt: skip
    except plan_service.PlanRefused as error:
        return _section_page(
            request, staff, session, context, section, form, refusal=error.message,
            status_code=409,
        )  # fmt: skip
    return _redirect(
        request, "staff:plan", anchor=f"#section-{section.key}", plan_id=context.plan.id
    )


# --- measures ---------------------------------------------------------------------------------


def _measure_values(
    measure: Measure, language: str, themes: list[int], partners: list[int]
) -> dict[str, Any]:
    return {
        "language": language,
        "title": measure.title.get(language, ""),
        "description": measure.description.get(language, ""),
        "pijler": str(measure.pijler_id),
        "themes": [str(t) for t in themes],
        "trekker": str(measure.lead_partner_id or ""),
        "partners": [str(p) for p in partners],
        "role": measure.resident_role,
        "kernelement": measure.kernelement or "",
        "starts_on": measure.starts_on.isoformat() if measure.starts_on else "",
        "ends_on": measure.ends_on.isoformat() if measure.ends_on else "",
        "cost": "" if measure.cost_estimate is None else str(measure.cost_estimate),
    }


def _locked(plan: Plan, what: str) -> Any:
    """Why this plan's ``what`` cannot be edited now (shown before anyone types), or None."""
    if plan_rules.can_edit(plan.status, what):
        return None
    return plan_service.VOTING if plan.status == "ter_stemming" else plan_service.FIXED


def _measure_page(
    request: Request,
    staff: Staff,
    session: SessionDep,
    context: PlanContext,
    form: MeasureForm,
    *,
    measure: Measure | None = None,
    refusal: Any = None,
    status_code: int = 200,
) -> HttpResponse:
    themes = remark_queries.theme_counts(session, context.plan.scan_id)
    dutch = (
        {"title": measure.title.get("nl", ""), "description": measure.description.get("nl", "")}
        if measure is not None
        else {}
    )
    locked = _locked(context.plan, "measures")
    return render(
        request,
        "plannen/plan_measure.html",
        {
            "staff": staff,
            "plan": context.plan,
            "buurt": context.buurt,
            "measure": measure,
            "values": form.raw,
            "errors": form.errors,
            "dutch": dutch,
            "pijlers": plan_queries.pijlers(session),
            "themes": themes,
            "partners": plan_queries.partners(session),
            "roles": ROLE_LABELS,
            "kernelementen": KERNELEMENT_LABELS,
            "limits": {
                "title": plan_forms.TITLE_LIMIT,
                "description": plan_forms.DESCRIPTION_LIMIT,
            },
            "refusal": refusal or locked,
            "locked": locked is not None,
            "languages": LANGUAGES,
        },
        status_code=status_code,
    )


@router.get("/plannen/{plan_id}/maatregelen/nieuw", name="staff:measure_new")
def new_measure(
    request: Request,
    staff: ManagerDep,
    context: ManagedPlanDep,
    session: SessionDep,
    pijler: str = "",
) -> HttpResponse:
    form = MeasureForm(raw={"language": "nl", "pijler": pijler[:12], "role": "meedenken"})
    return _measure_page(request, staff, session, context, form)


@router.post("/plannen/{plan_id}/maatregelen/nieuw", name="staff:measure_create")
def create_measure(
    request: Request,
    staff: ManagerDep,
    context: ManagedPlanDep,
    session: SessionDep,
    items: FormItemsDep,
) -> HttpResponse:
    form = plan_forms.parse_measure(items)
    try:
        if form.data is None:
            return _measure_page(request, staff, session, context, form, status_code=422)
        measure = plan_service.add_measure(
            session, actor=staff.user, plan=context.plan, data=form.data
        )
    except plan_service.InvalidForm as error:
        form.errors = error.errors
        return _measure_page(request, staff, session, context, form, status_code=422)
    except plan_service.PlanRefused as error:
        return _measure_page(
            request, staff, session, context, form, refusal=error.message, status_code=409
        )
    return _redirect(
        request, "staff:plan", anchor=f"#measure-{measure.id}", plan_id=context.plan.id
    )


@router.get("/maatregelen/{measure_id}", name="staff:measure")
def measure_page(
    request: Request,
    staff: ManagerDep,
    found: ManagedMeasureDep,
    session: SessionDep,
    taal: str = "nl",
) -> HttpResponse:
    measure, context = found
    language = plan_forms.language_of(taal[:5])
    ids = [measure.id or 0]
    themes = [t.theme_id for t in plan_queries.measure_themes(session, ids)]
    partners = [p.partner_id for p in plan_queries.measure_partners(session, ids)]
    values = _measure_values(measure, language, themes, partners)
    return _measure_page(request, staff, session, context, MeasureForm(raw=values), measure=measure)


@router.post("/maatregelen/{measure_id}", name="staff:measure_update")
def update_measure(
    request: Request,
    staff: ManagerDep,
    found: ManagedMeasureDep,
    session: SessionDep,
    items: FormItemsDep,
) -> HttpResponse:
    measure, context = found
    form = plan_forms.parse_measure(items)
    try:
        if form.data is None:
            return _measure_page(
                request, staff, session, context, form, measure=measure, status_code=422
            )
        plan_service.update_measure(session, actor=staff.user, measure=measure, data=form.data)
    except plan_service.InvalidForm as error:
        form.errors = error.errors
        return _measure_page(
            request, staff, session, context, form, measure=measure, status_code=422
        )
    except plan_service.PlanRefused as error:
        return _measure_page(
            request, staff, session, context, form, measure=measure, refusal=error.message,
            status_code=409,
        )  # fmt: skip
    return _redirect(
        request, "staff:plan", anchor=f"#measure-{measure.id}", plan_id=context.plan.id
    )


@router.post("/maatregelen/{measure_id}/verwijderen", name="staff:measure_remove")
def remove_measure(
    request: Request,
    staff: ManagerDep,
    found: ManagedMeasureDep,
    session: SessionDep,
    settings: SettingsDep,
    _form: FormItemsDep,
) -> HttpResponse:
    measure, context = found
    try:
        plan_service.remove_measure(session, actor=staff.user, measure=measure)
    except plan_service.PlanRefused as error:
        return _page(
            request, staff, session, settings, context, refusal=error.message, status_code=409
        )
    return _redirect(request, "staff:plan", anchor="#measures", plan_id=context.plan.id)


@router.post("/maatregelen/{measure_id}/verplaatsen", name="staff:measure_move")
def move_measure(
    request: Request,
    staff: ManagerDep,
    found: ManagedMeasureDep,
    session: SessionDep,
    settings: SettingsDep,
    items: FormItemsDep,
) -> HttpResponse:
    measure, context = found
    direction = next((v for k, v in items if k == "direction" and isinstance(v, str)), "")
    try:
        plan_service.move_measure(
            session, actor=staff.user, measure=measure, direction=direction[:10]
        )
    except plan_service.PlanRefused as error:
        return _page(
            request, staff, session, settings, context, refusal=error.message, status_code=409
        )
    return _redirect(
        request, "staff:plan", anchor=f"#measure-{measure.id}", plan_id=context.plan.id
    )
