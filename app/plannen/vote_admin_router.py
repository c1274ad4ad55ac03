"""Staff pages of vote rounds: a new round, its page with live results, codes, paper ballots.

Facilitators see the results live (htmx refreshes them every 30 seconds); after closing the
page shows the snapshot stored in the round. The plain codes of a batch exist once, in the
CSV answered to the request that made them; their links carry the code after ``#``, which a
browser never sends, so a code never reaches the server's logs.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response as HttpResponse
from starlette.routing import NoMatchFound

from app import suppression
from app.clock import NowDep
from app.config import TIMEZONE, SettingsDep
from app.db import SessionDep
from app.errors import AppError, Conflict, NotFound
from app.formdata import FormItemsDep
from app.i18n import LANGUAGES, current_locale, localized
from app.i18n import gettext_lazy as _l
from app.pdf import letters
from app.plannen import plan_queries, rules, vote_forms, vote_queries, vote_service
from app.plannen.models import VOTE_METHODS, Measure, Plan, VoteRound
from app.plannen.vote_admin_forms import (
    DEFAULTS,
    ELIGIBILITIES,
    METHOD_FIELDS,
    parse_round_form,
)
from app.programme.models import Buurt
from app.scan import codes
from app.scan.models import CHANNELS, Scan
from app.staff import rules as staff_rules
from app.staff.dependencies import Staff, require
from app.templating import path_for, render

router = APIRouter(prefix="/staff")
ViewerDep = Annotated[Staff, Depends(require("plan.view"))]
ManagerDep = Annotated[Staff, Depends(require("vote.manage"))]
EntryDep = Annotated[Staff, Depends(require("ballots.enter"))]
CODE_FIELD_LIMIT = 60
# The paper form's own fields; every other posted field is a measure's (``m-<id>``).
PAPER_FIELDS = frozenset({"csrf_token", "language", "code"})


class PlanNotConcept(Conflict):
    title = _l("A vote round is not possible now")
    message = _l(
        "Only a draft plan (concept) can be put to a vote. This plan is already being voted"
        " on, or it has been fixed."
    )


class PlanWithoutMeasures(Conflict):
    title = _l("A vote round is not possible now")
    message = _l("This plan has no measures yet. Add measures before you start a vote round.")


class CodesNotUsed(Conflict):
    title = _l("This round does not use codes")
    message = _l("Anyone may vote in this round (a non-binding poll), so it has no codes.")


class RoundClosed(Conflict):
    title = _l("This vote round is closed")
    message = _l("The round is closed: no codes or ballots can be added any more.")


@dataclass(frozen=True)
class RoundContext:
    """A round with its plan, scan and buurt, for every page of the round."""

    vote_round: VoteRound
    plan: Plan
    scan: Scan
    buurt: Buurt


@dataclass(frozen=True)
class ResultRow:
    """One measure in the results: live (from the ballots) or from the closing snapshot."""

    measure_id: int
    title: str
    cost: int | None
    rank: int
    total: int
    supporters: int
    counts: bool
    funded: bool | None


@dataclass(frozen=True)
class Cell:
    key: str
    figure: suppression.Figure


@dataclass(frozen=True)
class TurnoutView:
    """Ballots and codes; the breakdowns suppressed for everyone but a beheerder."""

    ballots: int
    codes_issued: int | None
    codes_used: int | None
    codes_unused: int | None
    by_channel: list[Cell]
    by_language: list[Cell]
    codes_by_channel: list[Cell]
    exact: bool
    threshold: int


def _redirect(request: Request, name: str, **params: Any) -> RedirectResponse:
    return RedirectResponse(path_for(request, name, **params), status_code=303)


def _path_or_none(request: Request, name: str, **params: Any) -> str | None:
    """A link to another engineer's page, or None while that page does not exist."""
    try:
        return path_for(request, name, **params)
    except NoMatchFound:
        return None


def _in_range(value: int) -> bool:
    # An id out of the column's range is simply not there (PostgreSQL would refuse the query).
    return 0 < value < 2**31


def _plan_context(session: SessionDep, plan_id: int) -> tuple[Plan, Scan, Buurt]:
    found = plan_queries.plan_with_scan(session, plan_id) if _in_range(plan_id) else None
    if found is None:
        raise NotFound
    return found


def _round_context(session: SessionDep, round_id: int) -> RoundContext:
    vote_round = vote_queries.vote_round(session, round_id)
    if vote_round is None:
        raise NotFound
    return RoundContext(vote_round, *_plan_context(session, vote_round.plan_id))


def get_viewed_round(round_id: int, staff: ViewerDep, session: SessionDep) -> RoundContext:
    """The permission comes first, so a stranger cannot tell which rounds exist."""
    return _round_context(session, round_id)


def get_managed_round(round_id: int, staff: ManagerDep, session: SessionDep) -> RoundContext:
    return _round_context(session, round_id)


def get_entry_round(round_id: int, staff: EntryDep, session: SessionDep) -> RoundContext:
    return _round_context(session, round_id)


ViewedRoundDep = Annotated[RoundContext, Depends(get_viewed_round)]
ManagedRoundDep = Annotated[RoundContext, Depends(get_managed_round)]
EntryRoundDep = Annotated[RoundContext, Depends(get_entry_round)]


def _field(form: list[tuple[str, Any]], name: str, limit: int = 20) -> str:
    value = next((v for k, v in form if k == name), "")
    return value[:limit].strip() if isinstance(value, str) else ""


# --- a new round ---------------------------------------------------------------------------


def _refuse_unless_votable(session: SessionDep, plan: Plan) -> list[Measure]:
    if plan.status != "concept":
        raise PlanNotConcept
    measures = vote_queries.ballot_measures(session, plan.id or 0)
    if not measures:
        raise PlanWithoutMeasures
    return measures


def _new_round_page(
    request: Request,
    staff: Staff,
    plan: Plan,
    scan: Scan,
    buurt: Buurt,
    measures: list[Measure],
    values: dict[str, str],
    errors: dict[str, Any],
    status_code: int = 200,
) -> HttpResponse:
    return render(
        request,
        "plannen/round_new.html",
        {
            "staff": staff,
            "plan": plan,
            "scan": scan,
            "buurt": buurt,
            "measures": measures,
            "values": values,
            "errors": errors,
            "methods": VOTE_METHODS,
            "method_fields": METHOD_FIELDS,
            "eligibilities": ELIGIBILITIES,
            "plan_url": _path_or_none(request, "staff:plan", plan_id=plan.id),
        },
        status_code=status_code,
    )


@router.get("/plannen/{plan_id}/stemronde/nieuw", name="staff:round_new")
def new_round(
    request: Request, plan_id: int, staff: ManagerDep, session: SessionDep
) -> HttpResponse:
    plan, scan, buurt = _plan_context(session, plan_id)
    measures = _refuse_unless_votable(session, plan)
    return _new_round_page(request, staff, plan, scan, buurt, measures, dict(DEFAULTS), {})


@router.post("/plannen/{plan_id}/stemronde/nieuw", name="staff:round_create")
def create_round(
    request: Request, plan_id: int, staff: ManagerDep, session: SessionDep, form: FormItemsDep
) -> HttpResponse:
    plan, scan, buurt = _plan_context(session, plan_id)
    measures = _refuse_unless_votable(session, plan)
    parsed = parse_round_form(form)
    settings = parsed.settings
    without_costs = not any(rules.on_ballot("budget", m.cost_estimate) for m in measures)
    if settings is not None and settings.method == "budget" and without_costs:
        parsed.errors["method"] = _l(
            "A budget vote needs measures with a cost estimate. Add costs to the measures,"
            " or choose another method."
        )
    if settings is None or parsed.errors:
        return _new_round_page(
            request, staff, plan, scan, buurt, measures, parsed.values, parsed.errors, 422
        )
    try:
        vote_round = vote_service.create_round(
            session, actor=staff.user, plan=plan, settings=settings
        )
    except vote_service.RoundSettingsInvalid as error:
        return _new_round_page(
            request, staff, plan, scan, buurt, measures, parsed.values, error.errors, 422
        )
    return _redirect(request, "staff:round", round_id=vote_round.id)


# --- the round's page ----------------------------------------------------------------------


def _titles(measures: list[Measure]) -> dict[int, str]:
    return {m.id or 0: localized(m.title) or f"#{m.id}" for m in measures}


def _live_rows(
    session: SessionDep, vote_round: VoteRound, measures: list[Measure]
) -> list[ResultRow]:
    """The ranking as it would be if the round closed now (measures nobody chose: 0)."""
    costs = {m.id or 0: m.cost_estimate for m in measures}
    ranked = rules.rank(vote_round, vote_queries.totals(session, vote_round.id or 0), costs)
    return _rows(ranked, measures)


def _rows(ranked: list[rules.RankedMeasure], measures: list[Measure]) -> list[ResultRow]:
    titles = _titles(measures)
    costs = {m.id or 0: m.cost_estimate for m in measures}
    return [
        ResultRow(
            measure_id=r.measure_id,
            title=titles.get(r.measure_id, f"#{r.measure_id}"),
            cost=costs.get(r.measure_id),
            rank=r.rank,
            total=r.total,
            supporters=r.supporters,
            counts=r.counts,
            funded=r.funded,
        )
        for r in ranked
    ]


def _cells(counts: dict[str, int], keys: list[str], *, threshold: int, exact: bool) -> list[Cell]:
    """Only the groups that have ballots: a zero as the complementary cell of a hidden one
    would protect nothing, since the total is on the page."""
    keys = [key for key in keys if counts.get(key)]
    keys += sorted(key for key in counts if key not in keys and counts[key])
    values = [counts[key] for key in keys]
    figures = suppression.breakdown(values, sum(values), threshold=threshold, exact=exact)
    return [Cell(key, figure) for key, figure in zip(keys, figures, strict=True)]


def turnout_view(
    turnout: vote_queries.Turnout, *, eligibility: str, threshold: int, exact: bool
) -> TurnoutView:
    """Turnout for the page: totals as they are, every breakdown through the small-number rule."""
    with_codes = eligibility == "codes"
    return TurnoutView(
        ballots=turnout.ballots,
        codes_issued=turnout.codes_issued if with_codes else None,
        codes_used=turnout.codes_used if with_codes else None,
        codes_unused=turnout.codes_issued - turnout.codes_used if with_codes else None,
        by_channel=_cells(turnout.by_channel, list(CHANNELS), threshold=threshold, exact=exact),
        by_language=_cells(turnout.by_language, list(LANGUAGES), threshold=threshold, exact=exact),
        codes_by_channel=_cells(
            turnout.codes_used_by_channel, list(CHANNELS), threshold=threshold, exact=exact
        ),
        exact=exact,
        threshold=threshold,
    )


def _closed_on(results: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(results.get("closed_on")))
    except ValueError:
        return None


def _round_page(
    request: Request,
    staff: Staff,
    session: SessionDep,
    context: RoundContext,
    *,
    now: datetime,
    threshold: int,
    template: str = "plannen/round_page.html",
    block: str | None = "live",
) -> HttpResponse:
    vote_round = context.vote_round
    measures = vote_queries.ballot_measures(session, context.plan.id or 0)
    closed = vote_round.status == "closed"
    exact = staff_rules.can(staff.user.role, "small_numbers.view")
    role = staff.user.role
    return render(
        request,
        template,
        {
            "staff": staff,
            **context.__dict__,
            "state": rules.round_state(vote_round, now),
            "measures": measures,
            "closed": closed,
            "rows": _rows(rules.ranked_from_snapshot(vote_round.results), measures)
            if closed
            else _live_rows(session, vote_round, measures),
            "closed_on": _closed_on(vote_round.results) if closed else None,
            "turnout": turnout_view(
                vote_queries.turnout(session, vote_round.id or 0),
                eligibility=vote_round.eligibility,
                threshold=threshold,
                exact=exact,
            ),
            "at": now,
            "can_manage": staff_rules.can(role, "vote.manage"),
            "can_enter": staff_rules.can(role, "ballots.enter"),
            "plan_url": _path_or_none(request, "staff:plan", plan_id=context.plan.id),
            "public_url": _path_or_none(request, "vote:start", slug=context.scan.slug),
            "results_url": _path_or_none(request, "vote:results", slug=context.scan.slug)
            if closed
            else None,
        },
        block=block,
    )


@router.get("/stemrondes/{round_id}", name="staff:round")
def round_page(
    request: Request,
    staff: ViewerDep,
    context: ViewedRoundDep,
    session: SessionDep,
    settings: SettingsDep,
    at: NowDep,
) -> HttpResponse:
    return _round_page(
        request, staff, session, context, now=at, threshold=settings.small_number_threshold
    )


@router.post("/stemrondes/{round_id}/openen", name="staff:round_open")
def open_round(
    request: Request, staff: ManagerDep, context: ManagedRoundDep, session: SessionDep
) -> HttpResponse:
    vote_service.open_round(session, actor=staff.user, vote_round=context.vote_round)
    return _redirect(request, "staff:round", round_id=context.vote_round.id)


@router.post("/stemrondes/{round_id}/sluiten", name="staff:round_close")
def close_round(
    request: Request,
    staff: ManagerDep,
    context: ManagedRoundDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    """Closing asks first: without ``confirm=yes`` this answers the page that asks."""
    if context.vote_round.status != "open":
        raise Conflict(_l("Only an open round can be closed."))
    if _field(form, "confirm") != "yes":
        return _round_page(
            request,
            staff,
            session,
            context,
            now=at,
            threshold=settings.small_number_threshold,
            template="plannen/round_close.html",
            block=None,
        )
    vote_service.close_round(session, actor=staff.user, vote_round=context.vote_round, now=at)
    return _redirect(request, "staff:round", round_id=context.vote_round.id)


# --- codes ---------------------------------------------------------------------------------


def _codes_round(context: RoundContext) -> RoundContext:
    if context.vote_round.eligibility != "codes":
        raise CodesNotUsed
    return context


def _codes_page(
    request: Request,
    staff: Staff,
    session: SessionDep,
    context: RoundContext,
    *,
    typed: str = "",
    output: str = "csv",
    error: Any = None,
    status_code: int = 200,
) -> HttpResponse:
    batches, total = codes.code_batches(
        vote_queries.code_batch_counts(session, context.vote_round.id or 0)
    )
    return render(
        request,
        "plannen/round_codes.html",
        {
            "staff": staff,
            **context.__dict__,
            "batches": batches,
            "total": total,
            "channels": CHANNELS,
            "typed": typed,
            "output": output,
            "error": error,
            "max_count_text": format_decimal(codes.MAX_BATCH, locale=current_locale()),
            "max_letters_text": format_decimal(letters.MAX_LETTERS, locale=current_locale()),
        },
        status_code=status_code,
    )


@router.get("/stemrondes/{round_id}/codes", name="staff:round_codes")
def codes_page(
    request: Request, staff: ManagerDep, context: ManagedRoundDep, session: SessionDep
) -> HttpResponse:
    return _codes_page(request, staff, session, _codes_round(context))


@router.post("/stemrondes/{round_id}/codes", name="staff:round_codes_csv")
def make_codes(
    request: Request,
    staff: ManagerDep,
    context: ManagedRoundDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
) -> HttpResponse:
    """Make a batch and answer its CSV or letters: the only place its plain codes ever exist."""
    vote_round = _codes_round(context).vote_round
    if vote_round.status == "closed":
        raise RoundClosed
    typed = _field(form, "count")
    output = "pdf" if _field(form, "format") == "pdf" else "csv"
    count = codes.parse_count(typed)
    error = codes.batch_error(count, output, max_letters=letters.MAX_LETTERS)
    if count is None or error is not None:
        return _codes_page(
            request,
            staff,
            session,
            context,
            typed=typed,
            output=output,
            error=error,
            status_code=422,
        )
    shown = vote_service.issue_codes(
        session,
        actor=staff.user,
        vote_round=vote_round,
        count=count,
        secret_key=settings.secret_key,
    )
    batch = vote_queries.last_code_batch(session, vote_round.id or 0) or 1
    vote_url = str(request.url_for("vote:start", slug=context.scan.slug))
    name = f"stemcodes-{context.scan.slug}-ronde{vote_round.id}-batch{batch}"
    if output == "pdf":
        pdf = letters.vote_letters(
            session,
            plan_title=context.plan.title,
            closes_on=vote_round.closes_on,
            buurt=context.buurt,
            shown_codes=shown,
            url=vote_url,
        )
        return letters.pdf_response(pdf, f"{name}.pdf")
    return HttpResponse(
        codes.codes_csv(vote_url, shown),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            "Cache-Control": "no-store",
        },
    )


# --- paper ballots -------------------------------------------------------------------------


@dataclass
class PaperForm:
    """A paper ballot as typed: its own fields, the measures' values, and errors per field."""

    language: str = "nl"
    code: str = ""
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)


def _paper_page(
    request: Request,
    staff: Staff,
    session: SessionDep,
    context: RoundContext,
    *,
    now: datetime,
    entry: PaperForm,
    counted: bool = False,
    status_code: int = 200,
) -> HttpResponse:
    vote_round = context.vote_round
    rows = vote_queries.ballot_rows(session, context.plan.id or 0)
    turnout = vote_queries.turnout(session, vote_round.id or 0)
    return render(
        request,
        "plannen/round_paper.html",
        {
            "staff": staff,
            **context.__dict__,
            "state": rules.round_state(vote_round, now),
            "rows": [
                r for r in rows if rules.on_ballot(vote_round.method, r.measure.cost_estimate)
            ],
            "entry": entry,
            "ballot_error": entry.errors.get(rules.BALLOT),
            "needs_code": vote_round.eligibility == "codes",
            "counted": counted,
            "paper_count": turnout.by_channel.get("paper", 0),
        },
        status_code=status_code,
    )


@router.get("/stemrondes/{round_id}/papier", name="staff:round_paper")
def paper_form(
    request: Request,
    staff: EntryDep,
    context: EntryRoundDep,
    session: SessionDep,
    at: NowDep,
    geteld: str = "",
    taal: str = "",
) -> HttpResponse:
    """An empty form; after a ballot it says "counted" and keeps the language chosen."""
    entry = PaperForm(language=taal if taal in LANGUAGES else "nl")
    return _paper_page(request, staff, session, context, now=at, entry=entry, counted=geteld == "1")


@router.post("/stemrondes/{round_id}/papier", name="staff:round_paper_save")
def save_paper(
    request: Request,
    staff: EntryDep,
    context: EntryRoundDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    """Count one paper ballot, using up its code; 422 (or 409 for a used code) and nothing
    counted when anything is wrong."""
    vote_round = context.vote_round
    needs_code = vote_round.eligibility == "codes"
    entry = PaperForm(
        language=_field(form, "language", 5), code=_field(form, "code", CODE_FIELD_LIMIT)
    )
    if entry.language not in LANGUAGES:
        entry.errors["language"] = _l("Choose one of the languages in the list.")
        entry.language = "nl"
    if needs_code and not entry.code:
        entry.errors["code"] = _l("Type the code from the paper ballot.")
    measure_ids = [m.id or 0 for m in vote_queries.ballot_measures(session, vote_round.plan_id)]
    ballot = vote_forms.parse_ballot(
        vote_round.method, measure_ids, [(k, v) for k, v in form if k not in PAPER_FIELDS]
    )
    entry.raw = ballot.raw
    entry.errors.update(ballot.errors)
    status_code = 422
    if not entry.errors:
        try:
            vote_service.enter_paper_ballot(
                session,
                actor=staff.user,
                vote_round=vote_round,
                choices=ballot.choices,
                code=entry.code if needs_code else None,
                language=entry.language,
                today=at.astimezone(TIMEZONE).date(),
                secret_key=settings.secret_key,
            )
        except vote_service.BallotInvalid as error:
            entry.errors.update(error.errors)
        except (vote_service.UnknownVoteCode, vote_service.AlreadyVoted) as error:
            entry.errors["code"] = error.message
            status_code = error.status_code
        except AppError as error:  # the round is not open (any more): nothing was counted
            entry.errors[rules.BALLOT] = error.message
            status_code = error.status_code
        else:
            url = path_for(request, "staff:round_paper", round_id=vote_round.id)
            return RedirectResponse(f"{url}?geteld=1&taal={entry.language}", status_code=303)
    return _paper_page(
        request, staff, session, context, now=at, entry=entry, status_code=status_code
    )
