"""The residents' vote on a buurt's programmaplan: start, code, ballot, thanks, results.

With codes, the resident types the code from the letter (a letter's QR link carries it after
``#``, never sent to the server); a short-lived signed cookie, limited to the vote's pages,
keeps its keyed hash until the ballot is cast, in the same transaction that uses it up. In an
open poll a signed cookie after casting stops a second ballot from this browser.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response as HttpResponse

from app.clock import NowDep
from app.config import Settings, SettingsDep, get_settings
from app.db import SessionDep
from app.errors import NotFound
from app.formdata import FormItemsDep
from app.i18n import current_locale
from app.plannen import rules, vote_queries, vote_service
from app.plannen.models import Plan, VoteRound
from app.plannen.vote_forms import BallotForm, parse_ballot
from app.programme.models import Buurt
from app.scan import queries as scan_queries
from app.scan.models import Scan
from app.scan.rules import local_date
from app.suppression import Figure, breakdown
from app.templating import path_for, render

router = APIRouter()

CODE_SALT = "stemcode"
VOTED_SALT = "gestemd"
CODE_COOKIE_MINUTES = 120
VOTED_COOKIE_DAYS = 365


@dataclass(frozen=True)
class VoteContext:
    scan: Scan
    buurt: Buurt
    vote_round: VoteRound | None
    plan: Plan | None
    state: str  # "none" (no round) or rules.round_state

    @property
    def slug(self) -> str:
        return self.scan.slug


def get_vote(slug: str, session: SessionDep, at: NowDep) -> VoteContext:
    found = scan_queries.scan_with_buurt(session, slug)
    if found is None:
        raise NotFound
    scan, buurt = found
    current = vote_queries.public_round_for_scan(session, scan.id or 0)
    if current is None:
        return VoteContext(scan, buurt, None, None, "none")
    vote_round, plan = current
    return VoteContext(scan, buurt, vote_round, plan, rules.round_state(vote_round, at))


VoteDep = Annotated[VoteContext, Depends(get_vote)]


# --- cookies --------------------------------------------------------------------------------


def _cookie_path(request: Request, slug: str) -> str:
    return path_for(request, "vote:start", slug=slug)


def code_cookie_name(settings: Settings) -> str:
    return "__Secure-stemcode" if settings.secure_cookies else "stemcode"


def voted_cookie_name(settings: Settings) -> str:
    return "__Secure-gestemd" if settings.secure_cookies else "gestemd"


def _serializer(settings: Settings, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=salt)


def _read(request: Request, settings: Settings, name: str, salt: str, max_age: int) -> Any:
    raw = request.cookies.get(name)
    if not raw:
        return None
    try:
        return _serializer(settings, salt).loads(raw, max_age=max_age)
    except BadSignature:
        return None


def read_code_hash(request: Request, settings: Settings, vote_round: VoteRound) -> str | None:
    data = _read(request, settings, code_cookie_name(settings), CODE_SALT, CODE_COOKIE_MINUTES * 60)
    if not isinstance(data, dict) or data.get("r") != vote_round.id:
        return None
    code_hash = data.get("h")
    return code_hash if isinstance(code_hash, str) and code_hash else None


def _set(
    request: Request,
    response: HttpResponse,
    settings: Settings,
    slug: str,
    name: str,
    value: str,
    max_age: int,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path=_cookie_path(request, slug),
    )


def write_code_cookie(
    request: Request,
    response: HttpResponse,
    settings: Settings,
    context: VoteContext,
    code_hash: str,
) -> None:
    assert context.vote_round is not None
    value = _serializer(settings, CODE_SALT).dumps({"r": context.vote_round.id, "h": code_hash})
    _set(
        request,
        response,
        settings,
        context.slug,
        code_cookie_name(settings),
        value,
        CODE_COOKIE_MINUTES * 60,
    )


def has_voted_here(request: Request, settings: Settings, vote_round: VoteRound) -> bool:
    data = _read(
        request, settings, voted_cookie_name(settings), VOTED_SALT, VOTED_COOKIE_DAYS * 86400
    )
    return isinstance(data, dict) and data.get("r") == vote_round.id


def write_voted_cookie(
    request: Request, response: HttpResponse, settings: Settings, context: VoteContext
) -> None:
    assert context.vote_round is not None
    value = _serializer(settings, VOTED_SALT).dumps({"r": context.vote_round.id})
    _set(
        request,
        response,
        settings,
        context.slug,
        voted_cookie_name(settings),
        value,
        VOTED_COOKIE_DAYS * 86400,
    )


# --- pages ----------------------------------------------------------------------------------


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _base(context: VoteContext, **extra: Any) -> dict[str, Any]:
    return {
        "scan": context.scan,
        "buurt": context.buurt,
        "vote_round": context.vote_round,
        "plan": context.plan,
        "state": context.state,
        **extra,
    }


def _state_page(request: Request, context: VoteContext) -> HttpResponse:
    """No round, not open yet, or closed: a clear page (200) with the way forward."""
    return render(request, "plannen/vote_state.html", _base(context))


def _open_round(request: Request, context: VoteContext) -> VoteRound:
    if context.vote_round is None or context.state != "open":
        raise vote_service.RoundNotOpen(
            link=(
                vote_service.RoundNotOpen.title,
                path_for(request, "vote:start", slug=context.slug),
            )
        )
    return context.vote_round


def _render_start(
    request: Request,
    context: VoteContext,
    *,
    typed: str = "",
    error: Any = None,
    status_code: int = 200,
) -> HttpResponse:
    return render(
        request,
        "plannen/vote_start.html",
        _base(context, typed=typed, error=error),
        status_code=status_code,
    )


@router.get("/s/{slug}/stemmen", name="vote:start")
def start(request: Request, context: VoteDep) -> HttpResponse:
    if context.state != "open":
        return _state_page(request, context)
    return _render_start(request, context)


@router.post("/s/{slug}/stemmen/code", name="vote:code")
def enter_code(
    request: Request,
    context: VoteDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    vote_round = _open_round(request, context)
    if vote_round.eligibility != "codes":
        return _redirect(path_for(request, "vote:ballot", slug=context.slug))
    value = next((v for k, v in form if k == "code"), "")
    typed = value[:60] if isinstance(value, str) else ""
    try:
        code_hash = vote_service.check_vote_code(
            session,
            vote_round,
            typed,
            client=request.client.host if request.client else "unknown",
            secret_key=settings.secret_key,
            now=at,
        )
    except vote_service.UnknownVoteCode as error:
        return _render_start(request, context, typed=typed, error=error.message, status_code=422)
    redirect = _redirect(path_for(request, "vote:ballot", slug=context.slug))
    write_code_cookie(request, redirect, settings, context, code_hash)
    return redirect


def _render_ballot(
    request: Request,
    session: SessionDep,
    context: VoteContext,
    form: BallotForm | None = None,
    status_code: int = 200,
) -> HttpResponse:
    assert context.plan is not None
    assert context.vote_round is not None
    method = context.vote_round.method
    measures = [
        row
        for row in vote_queries.ballot_rows(session, context.plan.id or 0)
        if rules.on_ballot(method, row.measure.cost_estimate)
    ]
    form = form or BallotForm()
    errors = form.errors
    return render(
        request,
        "plannen/vote_ballot.html",
        _base(
            context,
            measures=measures,
            form=form,
            errors=errors,
            ballot_error=errors.get(rules.BALLOT),
            limit=_limit(context.vote_round),
        ),
        status_code=status_code,
    )


def _limit(vote_round: VoteRound) -> int:
    if vote_round.method == "approval":
        return vote_round.max_choices or 0
    if vote_round.method == "points":
        return vote_round.points_total or 0
    return vote_round.budget_amount or 0


def _eligible(
    request: Request, session: SessionDep, settings: Settings, context: VoteContext
) -> tuple[VoteRound, str | None] | RedirectResponse:
    """The open round and this browser's code hash; a redirect to the code form without one."""
    vote_round = _open_round(request, context)
    if vote_round.eligibility == "open":
        if has_voted_here(request, settings, vote_round):
            raise vote_service.AlreadyVotedHere
        return vote_round, None
    code_hash = read_code_hash(request, settings, vote_round)
    if code_hash is None or not vote_service.code_is_usable(session, vote_round, code_hash):
        return _redirect(path_for(request, "vote:start", slug=context.slug))
    return vote_round, code_hash


@router.get("/s/{slug}/stemmen/stembiljet", name="vote:ballot")
def ballot(
    request: Request, context: VoteDep, session: SessionDep, settings: SettingsDep
) -> HttpResponse:
    eligible = _eligible(request, session, settings, context)
    if isinstance(eligible, RedirectResponse):
        return eligible
    return _render_ballot(request, session, context)


@router.post("/s/{slug}/stemmen/stembiljet", name="vote:cast")
def cast(
    request: Request,
    context: VoteDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormItemsDep,
    at: NowDep,
) -> HttpResponse:
    eligible = _eligible(request, session, settings, context)
    if isinstance(eligible, RedirectResponse):
        return eligible
    vote_round, code_hash = eligible
    assert context.plan is not None
    ids = [m.id or 0 for m in vote_queries.ballot_measures(session, context.plan.id or 0)]
    parsed = parse_ballot(vote_round.method, ids, form)
    if parsed.has_errors:
        return _render_ballot(request, session, context, parsed, status_code=422)
    try:
        vote_service.cast_ballot(
            session,
            vote_round=vote_round,
            choices=parsed.choices,
            code=None,
            code_hash=code_hash,
            channel="online",
            language=current_locale(),
            today=local_date(at),
            secret_key=settings.secret_key,
        )
    except vote_service.BallotInvalid as error:
        parsed.errors.update(error.errors)
        return _render_ballot(request, session, context, parsed, status_code=422)
    redirect = _redirect(path_for(request, "vote:thanks", slug=context.slug))
    if vote_round.eligibility == "open":
        write_voted_cookie(request, redirect, settings, context)
    return redirect


@router.get("/s/{slug}/stemmen/bedankt", name="vote:thanks")
def thanks(request: Request, context: VoteDep) -> HttpResponse:
    if context.vote_round is None:
        return _state_page(request, context)
    return render(request, "plannen/vote_thanks.html", _base(context))


@dataclass(frozen=True)
class ResultRow:
    rank: int
    title: dict[str, str]
    total: Figure  # hidden, with supporters, when fewer than the threshold supported it
    supporters: Figure
    counts: bool
    funded: bool | None
    cost: int | None


@router.get("/s/{slug}/stemmen/uitslag", name="vote:results")
def results(request: Request, context: VoteDep, session: SessionDep) -> HttpResponse:
    if context.vote_round is None or context.plan is None or context.state != "closed":
        return _state_page(request, context)
    vote_round = context.vote_round
    measures = {m.id or 0: m for m in vote_queries.ballot_measures(session, context.plan.id or 0)}
    if vote_round.results:
        ranked = rules.ranked_from_snapshot(vote_round.results)
    else:  # closed by its date, not yet by staff: no ballot can come in any more
        costs = {i: m.cost_estimate for i, m in measures.items()}
        ranked = rules.rank(vote_round, vote_queries.totals(session, vote_round.id or 0), costs)
    threshold = get_settings().small_number_threshold
    rows = [
        ResultRow(
            r.rank,
            measures[r.measure_id].title if r.measure_id in measures else {},
            *rules.public_measure_figures(r.total, r.supporters, threshold=threshold),
            r.counts,
            r.funded,
            measures[r.measure_id].cost_estimate if r.measure_id in measures else None,
        )
        for r in ranked
    ]
    turnout = vote_queries.turnout(session, vote_round.id or 0)
    channels = sorted(turnout.by_channel)
    languages = sorted(turnout.by_language)
    return render(
        request,
        "plannen/vote_results.html",
        _base(
            context,
            rows=rows,
            turnout=turnout,
            too_few=turnout.ballots < threshold,
            threshold=threshold,
            by_channel=_cells(channels, turnout.by_channel, turnout.ballots, threshold),
            by_language=_cells(languages, turnout.by_language, turnout.ballots, threshold),
        ),
    )


def _cells(
    keys: list[str], counts: dict[str, int], base: int, threshold: int
) -> list[tuple[str, Figure]]:
    figures = breakdown([counts[k] for k in keys], base, threshold=threshold, exact=False)
    return list(zip(keys, figures, strict=True))
