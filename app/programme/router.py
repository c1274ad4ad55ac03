"""Staff pages of buurten: the list, and forms to create and edit one."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response as HttpResponse

from app.db import SessionDep
from app.errors import NotFound
from app.formdata import FormItemsDep
from app.programme import queries, service
from app.programme.models import Buurt
from app.staff.dependencies import Staff, require
from app.staff.rules import can
from app.templating import path_for, render

router = APIRouter(prefix="/staff")
ViewDep = Annotated[Staff, Depends(require("scan.view"))]
ManageDep = Annotated[Staff, Depends(require("buurt.manage"))]


def _field(form: list[tuple[str, Any]], name: str, limit: int = 300) -> str:
    value = next((v for k, v in form if k == name), "")
    return value[:limit] if isinstance(value, str) else ""


def _typed(form: list[tuple[str, Any]]) -> service.BuurtInput:
    return service.BuurtInput(
        name=_field(form, "name"),
        wijk=_field(form, "wijk"),
        cbs_code=_field(form, "cbs_code", 40),
        is_focus=_field(form, "is_focus") == "1",
        first_wave=_field(form, "first_wave") == "1",
    )


def _form_page(
    request: Request,
    staff: Staff,
    buurt: Buurt | None,
    typed: service.BuurtInput,
    errors: dict[str, Any],
    status_code: int = 200,
) -> HttpResponse:
    return render(
        request,
        "staff/buurt_form.html",
        {"staff": staff, "buurt": buurt, "values": typed, "errors": errors},
        status_code=status_code,
    )


def _from_buurt(buurt: Buurt) -> service.BuurtInput:
    return service.BuurtInput(
        name=buurt.name,
        wijk=buurt.wijk or "",
        cbs_code=buurt.cbs_code or "",
        is_focus=buurt.is_focus,
        first_wave=buurt.first_wave,
    )


@router.get("/buurten", name="staff:buurten")
def buurten(request: Request, staff: ViewDep, session: SessionDep) -> HttpResponse:
    return render(
        request,
        "staff/buurten.html",
        {
            "staff": staff,
            "buurten": queries.buurten(session),
            "can_manage": can(staff.user.role, "buurt.manage"),
        },
    )


@router.get("/buurten/nieuw", name="staff:buurt_new")
def new_buurt(request: Request, staff: ManageDep) -> HttpResponse:
    return _form_page(request, staff, None, service.BuurtInput(), {})


@router.post("/buurten/nieuw", name="staff:buurt_create")
def create_buurt(
    request: Request, staff: ManageDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    typed = _typed(form)
    try:
        service.create_buurt(session, actor=staff.user, typed=typed)
    except service.InvalidBuurt as error:
        return _form_page(request, staff, None, typed, error.errors, status_code=422)
    return RedirectResponse(path_for(request, "staff:buurten"), status_code=303)


def get_buurt(buurt_id: int, staff: ManageDep, session: SessionDep) -> Buurt:
    """The permission comes first, so a stranger cannot tell which buurten exist."""
    found = queries.buurt(session, buurt_id)
    if found is None:
        raise NotFound
    return found


BuurtDep = Annotated[Buurt, Depends(get_buurt)]


@router.get("/buurten/{buurt_id}", name="staff:buurt_edit")
def edit_buurt(request: Request, staff: ManageDep, buurt: BuurtDep) -> HttpResponse:
    return _form_page(request, staff, buurt, _from_buurt(buurt), {})


@router.post("/buurten/{buurt_id}", name="staff:buurt_update")
def update_buurt(
    request: Request, staff: ManageDep, buurt: BuurtDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    typed = _typed(form)
    try:
        service.update_buurt(session, actor=staff.user, buurt=buurt, typed=typed)
    except service.InvalidBuurt as error:
        return _form_page(request, staff, buurt, typed, error.errors, status_code=422)
    return RedirectResponse(path_for(request, "staff:buurten"), status_code=303)
