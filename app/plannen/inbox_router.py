"""Staff pages of a scan's free text: the inbox (filter, moderate, quote, assign) and its themes.

Every action is a small form that works without JavaScript (303 back to the same filtered
list); with htmx, a remark's form swaps only that remark (its named block), 422 with the
messages next to the fields when the input is wrong.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRouter
from starlette.responses import Response as HttpResponse

from app.db import SessionDep
from app.errors import NotFound
from app.formdata import FormItemsDep
from app.plannen import forms, service, suggestions
from app.plannen import remark_queries as queries
from app.plannen.forms import InboxFilters
from app.plannen.models import Theme
from app.programme.models import Buurt, Pijler
from app.scan import queries as scan_queries
from app.scan.models import Scan
from app.staff.dependencies import Staff, require
from app.staff.rules import can
from app.templating import is_htmx, path_for, render

router = APIRouter(prefix="/staff/scans/{scan_id}")
INBOX = "plannen/inbox.html"
THEMES = "plannen/themes.html"


@dataclass(frozen=True)
class Context:
    staff: Staff
    scan: Scan
    buurt: Buurt

    @property
    def scan_id(self) -> int:
        assert self.scan.id is not None
        return self.scan.id

    def can(self, permission: str) -> bool:
        return can(self.staff.user.role, permission)


def _context_for(permission: str) -> Callable[..., Context]:
    """The permission comes first, so a stranger cannot tell which scans exist."""
    checked = require(permission)

    def get(
        scan_id: int, staff: Annotated[Staff, Depends(checked)], session: SessionDep
    ) -> Context:
        found = scan_queries.scan_with_buurt_by_id(session, scan_id)
        if found is None:
            raise NotFound
        return Context(staff, *found)

    return get


ViewDep = Annotated[Context, Depends(_context_for("remarks.view"))]
ModerateDep = Annotated[Context, Depends(_context_for("remarks.moderate"))]
ManageDep = Annotated[Context, Depends(_context_for("themes.manage"))]


def _theme(session: SessionDep, context: Context, theme_id: int) -> Theme:
    found = queries.theme_of_scan(session, context.scan_id, theme_id)
    if found is None:
        raise NotFound
    return found


def _pijlers(session: SessionDep) -> dict[int, Pijler]:
    return dict(sorted(scan_queries.pijlers_by_id(session).items(), key=lambda i: i[1].number))


# --- the inbox -------------------------------------------------------------------------------


def _inbox_context(
    session: SessionDep,
    context: Context,
    filters: InboxFilters,
    *,
    row_errors: dict[int, dict[str, Any]] | None = None,
    row_values: dict[int, dict[str, str]] | None = None,
    bulk_errors: dict[str, Any] | None = None,
    bulk_values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    view_hidden = context.can("remarks.view_hidden")
    return {
        "staff": context.staff,
        "scan": context.scan,
        "buurt": context.buurt,
        "filters": filters,
        "back": filters.query(),
        "page": queries.inbox(session, context.scan_id, filters, include_hidden_text=view_hidden),
        "themes": queries.themes(session, context.scan_id),
        "pijlers": _pijlers(session),
        "languages": queries.languages_of_remarks(session, context.scan_id),
        "can_manage": context.can("themes.manage"),
        "can_moderate": context.can("remarks.moderate"),
        "can_view_hidden": view_hidden,
        "row_errors": row_errors or {},
        "row_values": row_values or {},
        "bulk_errors": bulk_errors or {},
        "bulk_values": bulk_values or {},
    }


@router.get("/inbreng", name="staff:inbox")
def inbox(request: Request, context: ViewDep, session: SessionDep) -> HttpResponse:
    filters = forms.parse_filters(request.query_params.multi_items())
    return render(request, INBOX, _inbox_context(session, context, filters), block="results")


def _back_to_inbox(
    request: Request, context: Context, filters: InboxFilters, anchor: str = ""
) -> RedirectResponse:
    url = path_for(request, "staff:inbox", scan_id=context.scan_id) + filters.query()
    return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)


def _after_row_action(
    request: Request,
    session: SessionDep,
    context: Context,
    answer_id: int,
    filters: InboxFilters,
    *,
    errors: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
) -> HttpResponse:
    """htmx: the remark's block (422 with errors); else 303 back, or the page with errors."""
    status_code = 422 if errors else 200
    if not errors and not is_htmx(request):
        return _back_to_inbox(request, context, filters, f"remark-{answer_id}")
    page = _inbox_context(
        session,
        context,
        filters,
        row_errors={answer_id: errors} if errors else None,
        row_values={answer_id: values} if values else None,
    )
    row = queries.remark_row(
        session, context.scan_id, answer_id, include_hidden_text=page["can_view_hidden"]
    )
    if row is None:
        raise NotFound
    page["row"] = row
    return render(request, INBOX, page, block="remark", status_code=status_code)


@router.post("/inbreng/{answer_id}/thema", name="staff:remark_theme")
def assign_one(
    request: Request, answer_id: int, context: ManageDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    filters = forms.parse_back(form)
    theme_id, error = forms.parse_theme_choice(form, "thema")
    if error is not None:
        return _after_row_action(
            request, session, context, answer_id, filters, errors={"theme": error}
        )
    theme = _theme(session, context, theme_id) if theme_id is not None else None
    service.assign_remarks(
        session, actor=context.staff.user, scan=context.scan, answer_ids=[answer_id], theme=theme
    )
    return _after_row_action(request, session, context, answer_id, filters)


@router.post("/inbreng/{answer_id}/citaat", name="staff:remark_quote")
def quote(
    request: Request, answer_id: int, context: ManageDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    filters = forms.parse_back(form)
    on = next((v for k, v in form if k == "citaat"), "") == "1"
    service.set_quote(
        session, actor=context.staff.user, scan=context.scan, answer_id=answer_id, on=on
    )
    return _after_row_action(request, session, context, answer_id, filters)


@router.post("/inbreng/{answer_id}/verbergen", name="staff:remark_hide")
def hide(
    request: Request, answer_id: int, context: ModerateDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    filters = forms.parse_back(form)
    reason = forms.text_field(form, "reden", forms.REASON_LIMIT)
    try:
        service.hide_remark(
            session, actor=context.staff.user, scan=context.scan, answer_id=answer_id, reason=reason
        )
    except service.InvalidForm as invalid:
        return _after_row_action(
            request, session, context, answer_id, filters,
            errors=invalid.errors, values={"reason": reason},
        )  # fmt: skip
    return _after_row_action(request, session, context, answer_id, filters)


@router.post("/inbreng/{answer_id}/tonen", name="staff:remark_show")
def show(
    request: Request, answer_id: int, context: ModerateDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    filters = forms.parse_back(form)
    service.show_remark(session, actor=context.staff.user, scan=context.scan, answer_id=answer_id)
    return _after_row_action(request, session, context, answer_id, filters)


@router.post("/inbreng/indelen", name="staff:remarks_assign")
def assign_many(
    request: Request, context: ManageDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    """Put the ticked remarks in a theme, in a new theme (a name typed), or in none."""
    filters = forms.parse_back(form)
    ids, error = forms.parse_ids(form, "answer")
    choice = next((v for k, v in form if k == "thema"), "")
    choice = choice[:13] if isinstance(choice, str) else ""
    new_name = forms.text_field(form, "nieuw", forms.NAME_LIMIT)
    values = {"theme": choice, "new": new_name, "ids": ids}
    errors: dict[str, Any] = {"answers": error} if error is not None else {}
    if not error and not ids:
        errors["answers"] = service.CHOOSE_REMARKS
    theme: Theme | None = None
    if not new_name:
        if choice == "":
            errors["theme"] = service.CHOOSE_THEME
        elif choice != "none":
            theme_id, theme_error = forms.parse_theme_choice(form, "thema")
            if theme_error is not None or theme_id is None:
                errors["theme"] = theme_error or service.CHOOSE_THEME
            else:
                theme = _theme(session, context, theme_id)
    if not errors:
        try:
            service.assign_remarks(
                session, actor=context.staff.user, scan=context.scan, answer_ids=ids,
                theme=theme, new_name=new_name or None,
            )  # fmt: skip
        except service.InvalidForm as invalid:
            errors = invalid.errors
    if errors:
        page = _inbox_context(session, context, filters, bulk_errors=errors, bulk_values=values)
        return render(request, INBOX, page, block="results", status_code=422)
    return _back_to_inbox(request, context, filters)


# --- themes ----------------------------------------------------------------------------------


def _themes_page(
    request: Request,
    session: SessionDep,
    context: Context,
    *,
    errors: dict[str, dict[str, Any]] | None = None,
    values: dict[str, dict[str, Any]] | None = None,
    status_code: int = 200,
) -> HttpResponse:
    """``errors``/``values`` are per form: "create", "rename-<id>", "merge-<id>", "s-<keyword>"."""
    remarks = queries.unassigned_visible_texts(session, context.scan_id)
    found = suggestions.suggest(
        remarks, rejected=queries.rejected_keywords(session, context.scan_id)
    )
    by_id = {remark.answer_id: remark for remark in remarks}
    return render(
        request,
        THEMES,
        {
            "staff": context.staff,
            "scan": context.scan,
            "buurt": context.buurt,
            "counts": queries.theme_counts(session, context.scan_id),
            "unassigned": queries.unassigned_count(session, context.scan_id),
            "pijlers": _pijlers(session),
            "suggestions": found,
            "remark_texts": by_id,
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


def _back_to_themes(request: Request, context: Context, anchor: str = "") -> RedirectResponse:
    url = path_for(request, "staff:themes", scan_id=context.scan_id)
    return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)


@router.get("/themas", name="staff:themes")
def themes(request: Request, context: ManageDep, session: SessionDep) -> HttpResponse:
    return _themes_page(request, session, context)


@router.post("/themas", name="staff:theme_create")
def create_theme(
    request: Request, context: ManageDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    name = forms.text_field(form, "naam", forms.NAME_LIMIT)
    pijler_id, _error = forms.parse_theme_choice(form, "pijler")  # an id, or none chosen
    if pijler_id is not None and pijler_id not in _pijlers(session):
        pijler_id = None
    try:
        theme = service.create_theme(
            session, actor=context.staff.user, scan=context.scan, name=name, pijler_id=pijler_id
        )
    except service.InvalidForm as invalid:
        return _themes_page(
            request, session, context, errors={"create": invalid.errors},
            values={"create": {"name": name, "pijler": pijler_id}}, status_code=422,
        )  # fmt: skip
    return _back_to_themes(request, context, f"theme-{theme.id}")


@router.post("/themas/{theme_id}/hernoemen", name="staff:theme_rename")
def rename_theme(
    request: Request, theme_id: int, context: ManageDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    theme = _theme(session, context, theme_id)
    name = forms.text_field(form, "naam", forms.NAME_LIMIT)
    try:
        service.rename_theme(session, actor=context.staff.user, theme=theme, name=name)
    except service.InvalidForm as invalid:
        return _themes_page(
            request, session, context, errors={f"rename-{theme_id}": invalid.errors},
            values={f"rename-{theme_id}": {"name": name}}, status_code=422,
        )  # fmt: skip
    return _back_to_themes(request, context, f"theme-{theme_id}")


@router.post("/themas/{theme_id}/samenvoegen", name="staff:theme_merge")
def merge_theme(
    request: Request, theme_id: int, context: ManageDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    source = _theme(session, context, theme_id)
    target_id, error = forms.parse_theme_choice(form, "doel")
    if error is None and target_id is None:
        error = service.CHOOSE_MERGE_TARGET
    if error is not None or target_id is None:
        return _themes_page(
            request, session, context, errors={f"merge-{theme_id}": {"target": error}},
            status_code=422,
        )  # fmt: skip
    target = _theme(session, context, target_id)
    try:
        service.merge_themes(session, actor=context.staff.user, source=source, target=target)
    except service.InvalidForm as invalid:
        return _themes_page(
            request, session, context, errors={f"merge-{theme_id}": invalid.errors},
            status_code=422,
        )  # fmt: skip
    return _back_to_themes(request, context, f"theme-{target_id}")


@router.post("/themas/{theme_id}/verwijderen", name="staff:theme_delete")
def delete_theme(
    request: Request, theme_id: int, context: ManageDep, session: SessionDep, _form: FormItemsDep
) -> HttpResponse:
    theme = _theme(session, context, theme_id)
    service.delete_theme(session, actor=context.staff.user, theme=theme)
    return _back_to_themes(request, context, "themes-title")


@router.post("/suggesties/aannemen", name="staff:suggestion_accept")
def accept_suggestion(
    request: Request, context: ManageDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    keyword = forms.text_field(form, "trefwoord", suggestions.KEYWORD_LIMIT)
    name = forms.text_field(form, "naam", forms.NAME_LIMIT)
    ids, error = forms.parse_ids(form, "answer")
    key = f"s-{keyword}"
    try:
        if error is not None:
            raise service.InvalidForm({"answers": error})
        theme = service.accept_suggestion(
            session, actor=context.staff.user, scan=context.scan, keyword=keyword, name=name,
            answer_ids=ids,
        )  # fmt: skip
    except service.InvalidForm as invalid:
        return _themes_page(
            request, session, context, errors={key: invalid.errors},
            values={key: {"name": name, "ids": ids}}, status_code=422,
        )  # fmt: skip
    return _back_to_themes(request, context, f"theme-{theme.id}")


@router.post("/suggesties/afwijzen", name="staff:suggestion_reject")
def reject_suggestion(
    request: Request, context: ManageDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    keyword = forms.text_field(form, "trefwoord", suggestions.KEYWORD_LIMIT)
    try:
        service.reject_suggestion(
            session, actor=context.staff.user, scan=context.scan, keyword=keyword
        )
    except service.InvalidForm:
        raise NotFound from None
    return _back_to_themes(request, context, "suggestions-title")
