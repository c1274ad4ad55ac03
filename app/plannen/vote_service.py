"""Use-cases of a stemronde: create, open, close, codes, and casting a ballot.

A ballot is anonymous: it is stored with a random id, its channel and language, and nothing
else. Using up a code and storing the ballot happen in one transaction: the code is used up
by an atomic conditional update, so of any number of attempts with one code exactly one
counts, whatever the channel. A resident's ballot leaves no audit entry (its time would link
it to the code's use); a paper ballot entered by staff is audited without its id or choices.
"""

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from app import ratelimit
from app.db import begin_write, utcnow
from app.errors import AppError, Conflict
from app.i18n import LANGUAGES
from app.i18n import gettext_lazy as _l
from app.plannen import plan_service, rules, vote_queries
from app.plannen.models import Ballot, BallotLine, Plan, VoteCode, VoteRound
from app.scan import codes
from app.scan.models import CHANNELS
from app.scan.rules import local_date
from app.staff.models import User
from app.staff.service import record

CODE_ENTRY_LIMIT = 20  # wrong codes per client (one address) in the window, on any round
CODE_ENTRY_WINDOW_MINUTES = 15


class RoundNotOpen(Conflict):
    title = _l("You cannot vote now")
    message = _l("This vote is not open. Thank you for your interest.")


class RoundChangeRefused(Conflict):
    title = _l("This change is not possible")


class BallotInvalid(AppError):
    """A ballot that breaks the round's rules: the errors per field (``m-<id>``, ``ballot``)."""

    status_code = 422
    title = _l("Something is not right")
    message = _l("Check your choices.")

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__()
        self.errors = dict(errors)


class RoundSettingsInvalid(AppError):
    status_code = 422
    title = _l("Something is not right")

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__()
        self.errors = dict(errors)


class UnknownVoteCode(AppError):
    status_code = 422
    title = _l("We do not know this code")
    message = _l("We do not know this code. Check the code on your letter and try again.")


class AlreadyVoted(Conflict):
    title = _l("You have already voted")
    message = _l("A vote has already been sent with this code. Each code works once. Thank you!")


class AlreadyVotedHere(Conflict):
    title = _l("You have already voted")
    message = _l("You already voted on this device. Thank you!")


def hash_vote_code(secret_key: str, code: str) -> str:
    """The keyed hash of a voting code (normalized); never the same as a scan access code's."""
    return hmac.new(secret_key.encode(), f"vote:{code}".encode(), hashlib.sha256).hexdigest()


# --- the round, by staff --------------------------------------------------------------------


def create_round(
    session: Session, *, actor: User, plan: Plan, settings: rules.RoundSettings
) -> VoteRound:
    """A draft round on a concept plan with measures; the plan goes ``ter_stemming``."""
    errors = rules.round_settings_errors(settings)
    if errors:
        raise RoundSettingsInvalid(errors)
    assert plan.id is not None
    measures = vote_queries.ballot_measures(session, plan.id)
    if not measures:
        raise RoundChangeRefused(_l("A vote needs a plan with at least one measure."))
    if settings.method == "budget" and not any(
        rules.on_ballot("budget", m.cost_estimate) for m in measures
    ):
        raise RoundChangeRefused(_l("A budget vote needs measures with a cost estimate."))
    begin_write(session)
    moved = session.exec(
        update(Plan)
        .where(col(Plan.id) == plan.id, col(Plan.status) == "concept")
        .values(status="ter_stemming", updated_at=utcnow())
    )
    if moved.rowcount != 1:
        session.rollback()
        raise RoundChangeRefused(_l("Only a draft plan (concept) can be put to a vote."))
    vote_round = VoteRound(
        plan_id=plan.id,
        method=settings.method,
        eligibility=settings.eligibility,
        max_choices=settings.max_choices if settings.method == "approval" else None,
        points_total=settings.points_total if settings.method == "points" else None,
        points_per_measure=settings.points_per_measure if settings.method == "points" else None,
        budget_amount=settings.budget_amount if settings.method == "budget" else None,
        min_supporters=settings.min_supporters if settings.method == "budget" else None,
        opens_on=settings.opens_on,
        closes_on=settings.closes_on,
    )
    session.add(vote_round)
    session.flush()
    record(
        session,
        actor,
        "vote.round_create",
        "vote_round",
        vote_round.id,
        plan_id=plan.id,
        method=settings.method,
        eligibility=settings.eligibility,
    )
    session.commit()
    session.refresh(plan)
    return vote_round


def _move(session: Session, vote_round: VoteRound, before: str, after: str, **values: Any) -> None:
    moved = session.exec(
        update(VoteRound)
        .where(col(VoteRound.id) == vote_round.id, col(VoteRound.status) == before)
        .values(status=after, **values)
    )
    if moved.rowcount != 1:
        session.rollback()
        raise RoundChangeRefused(_l("This vote has already changed. Reload the page."))


def open_round(session: Session, *, actor: User, vote_round: VoteRound) -> None:
    """Draft → open: residents can vote (within ``opens_on``/``closes_on``)."""
    begin_write(session)
    _move(session, vote_round, "draft", "open")
    record(
        session, actor, "vote.round_open", "vote_round", vote_round.id, plan_id=vote_round.plan_id
    )
    session.commit()
    session.refresh(vote_round)


def close_round(session: Session, *, actor: User, vote_round: VoteRound, now: datetime) -> None:
    """Open → closed: count, store the results snapshot, and fix the plan (``vastgesteld``).

    The status changes first: on PostgreSQL that row lock waits for ballots being cast
    (they hold a share lock on the round), so the count below sees every one of them.
    """
    assert vote_round.id is not None
    begin_write(session)
    _move(session, vote_round, "open", "closed", closed_at=now)
    costs = {
        m.id or 0: m.cost_estimate
        for m in vote_queries.ballot_measures(session, vote_round.plan_id)
    }
    ranked = rules.rank(vote_round, vote_queries.totals(session, vote_round.id), costs)
    turnout = vote_queries.turnout(session, vote_round.id)
    with_codes = vote_round.eligibility == "codes"
    results = rules.snapshot(
        vote_round,
        ranked,
        turnout.ballots,
        turnout.codes_issued if with_codes else None,
        turnout.codes_used if with_codes else None,
        local_date(now),
    )
    session.exec(
        update(VoteRound).where(col(VoteRound.id) == vote_round.id).values(results=results)
    )
    session.exec(
        update(Plan)
        .where(col(Plan.id) == vote_round.plan_id, col(Plan.status) == "ter_stemming")
        .values(status="vastgesteld", fixed_at=now, updated_at=now)
    )
    plan = session.get(Plan, vote_round.plan_id, populate_existing=True)
    if plan is not None:  # a new version, fixed by this vote, replaces the older fixed one
        plan_service.supersede_older(session, actor=actor, plan=plan)
    record(
        session,
        actor,
        "vote.round_close",
        "vote_round",
        vote_round.id,
        ballots=turnout.ballots,
        plan_id=vote_round.plan_id,
    )
    session.commit()
    session.refresh(vote_round)


def issue_codes(
    session: Session, *, actor: User, vote_round: VoteRound, count: int, secret_key: str
) -> list[str]:
    """A new batch of single-use codes, in plain text: the only time they exist.

    Stored as keyed hashes, the batch marked exported (the caller hands the CSV out at once).
    The audit entry holds the count and batch, never a code.
    """
    assert vote_round.id is not None
    if not 1 <= count <= codes.MAX_BATCH:
        raise ValueError(f"a batch has 1 to {codes.MAX_BATCH} codes, not {count}")
    if vote_round.eligibility != "codes" or vote_round.status == "closed":
        raise RoundChangeRefused(_l("Codes can only be made for an unclosed vote with codes."))
    hashes: dict[str, str] = {}
    while len(hashes) < count:
        code = codes.new_code()
        hashes.setdefault(hash_vote_code(secret_key, code), code)
    begin_write(session)
    batch = (vote_queries.last_code_batch(session, vote_round.id) or 0) + 1
    session.execute(
        insert(VoteCode),
        [
            {"vote_round_id": vote_round.id, "code_hash": h, "batch": batch, "exported": True}
            for h in hashes
        ],
    )
    record(
        session, actor, "vote.codes_generate", "vote_round", vote_round.id,
        count=count, batch=batch, plan_id=vote_round.plan_id,
    )  # fmt: skip
    session.commit()
    return [codes.format_code(code) for code in hashes.values()]


def mark_exported(session: Session, *, actor: User, vote_round: VoteRound, batch: int) -> None:
    """Mark a batch as handed out (its CSV downloaded)."""
    begin_write(session)
    session.exec(
        update(VoteCode)
        .where(col(VoteCode.vote_round_id) == vote_round.id, col(VoteCode.batch) == batch)
        .values(exported=True)
    )
    record(
        session, actor, "vote.codes_export", "vote_round", vote_round.id,
        batch=batch, plan_id=vote_round.plan_id,
    )  # fmt: skip
    session.commit()


# --- voting ---------------------------------------------------------------------------------


def code_hash_of(typed: str, secret_key: str) -> str | None:
    code = codes.normalize_code(typed)
    return hash_vote_code(secret_key, code) if code else None


def check_vote_code(
    session: Session,
    vote_round: VoteRound,
    typed: str,
    *,
    client: str,
    secret_key: str,
    now: datetime,
) -> str:
    """The hash of a valid, unused code of this round that a resident typed.

    Wrong codes are limited per client (``ratelimit.limit_wrong_tries``); an empty field, a
    right code and a used one are not a wrong try. A code of another round is simply unknown
    here. Nothing is used up: that happens with the ballot.
    """
    if not typed.strip():
        raise UnknownVoteCode(_l("Type the code from your letter."))

    def find() -> str:
        code_hash = code_hash_of(typed, secret_key)
        found = (
            vote_queries.vote_code(session, vote_round.id or 0, code_hash) if code_hash else None
        )
        if found is None:
            raise UnknownVoteCode
        if found.used_on is not None:
            raise AlreadyVoted
        return found.code_hash

    return ratelimit.limit_wrong_tries(
        session,
        secret_key,
        "vote-code",
        client,
        find,
        wrong=(UnknownVoteCode,),
        limit=CODE_ENTRY_LIMIT,
        window=timedelta(minutes=CODE_ENTRY_WINDOW_MINUTES),
        now=now,
    )


def code_is_usable(session: Session, vote_round: VoteRound, code_hash: str) -> bool:
    """Whether the code (by hash) is this round's and unused; raises AlreadyVoted when used."""
    found = vote_queries.vote_code(session, vote_round.id or 0, code_hash)
    if found is None:
        return False
    if found.used_on is not None:
        raise AlreadyVoted
    return True


def _store_ballot(
    session: Session,
    *,
    vote_round: VoteRound,
    choices: Mapping[int, int],
    code_hash: str | None,
    channel: str,
    language: str,
    today: date,
) -> uuid.UUID:
    """Check, use the code up and store the ballot, in the caller's write transaction.

    Rolls back and raises on any refusal; flushes only.
    """
    assert vote_round.id is not None
    status = session.exec(
        select(VoteRound.status)
        .where(VoteRound.id == vote_round.id)
        .with_for_update(read=True)  # closing waits for this ballot (PostgreSQL)
    ).first()
    vote_round.status = status or vote_round.status
    if status is None or rules.round_state_on(vote_round, today) != "open":
        session.rollback()
        raise RoundNotOpen
    costs = {
        m.id or 0: m.cost_estimate
        for m in vote_queries.ballot_measures(session, vote_round.plan_id)
    }
    errors = rules.ballot_errors(vote_round, choices, costs)
    if errors:
        session.rollback()
        raise BallotInvalid(errors)
    if vote_round.eligibility == "codes":
        if code_hash is None:
            session.rollback()
            raise UnknownVoteCode
        used = session.exec(
            update(VoteCode)
            .where(
                col(VoteCode.vote_round_id) == vote_round.id,
                col(VoteCode.code_hash) == code_hash,
                col(VoteCode.used_on).is_(None),
            )
            .values(used_on=today, used_channel=channel)
        )
        if used.rowcount != 1:
            exists = vote_queries.vote_code(session, vote_round.id, code_hash) is not None
            session.rollback()
            raise AlreadyVoted if exists else UnknownVoteCode
    ballot = Ballot(
        vote_round_id=vote_round.id,
        channel=channel if channel in CHANNELS else "online",
        language=language if language in LANGUAGES else "nl",
    )
    session.add(ballot)
    session.flush()
    session.add_all(
        BallotLine(ballot_id=ballot.id, measure_id=measure_id, amount=amount)
        for measure_id, amount in sorted(choices.items())
        if amount > 0
    )
    session.flush()
    return ballot.id


def cast_ballot(
    session: Session,
    *,
    vote_round: VoteRound,
    choices: Mapping[int, int],
    code: str | None,
    channel: str,
    language: str,
    today: date,
    secret_key: str,
    code_hash: str | None = None,
) -> uuid.UUID:
    """Count one ballot: the round open, the choices valid, the code (typed, or its hash as
    kept in the resident's cookie) of this round and unused; all or nothing."""
    if code_hash is None and code is not None:
        code_hash = code_hash_of(code, secret_key)
    begin_write(session)
    ballot_id = _store_ballot(
        session,
        vote_round=vote_round,
        choices=choices,
        code_hash=code_hash,
        channel=channel,
        language=language,
        today=today,
    )
    session.commit()
    return ballot_id


def enter_paper_ballot(
    session: Session,
    *,
    actor: User,
    vote_round: VoteRound,
    choices: Mapping[int, int],
    code: str | None,
    language: str,
    today: date,
    secret_key: str,
    channel: str = "paper",
) -> None:
    """A paper ballot typed in by staff, using up the paper's code; audited without the
    ballot's id or choices."""
    code_hash = code_hash_of(code, secret_key) if code else None
    begin_write(session)
    _store_ballot(
        session,
        vote_round=vote_round,
        choices=choices,
        code_hash=code_hash,
        channel=channel,
        language=language,
        today=today,
    )
    record(
        session, actor, "vote.paper_ballot", "vote_round", vote_round.id,
        channel=channel, plan_id=vote_round.plan_id,
    )  # fmt: skip
    session.commit()
