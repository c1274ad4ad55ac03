"""Reading stemrondes: the round of a plan or scan, the ballot's measures, totals, turnout.

Every count is a GROUP BY in the database.
"""

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.plannen import rules
from app.plannen.models import Ballot, BallotLine, Measure, Plan, VoteCode, VoteRound
from app.programme.models import Partner, Pijler


def round_of_plan(session: Session, plan_id: int) -> VoteRound | None:
    """The plan's latest round."""
    return session.exec(
        select(VoteRound)
        .where(VoteRound.plan_id == plan_id)
        .order_by(col(VoteRound.id).desc())
        .limit(1)
    ).first()


def vote_round(session: Session, round_id: int) -> VoteRound | None:
    return session.get(VoteRound, round_id) if 0 < round_id < 2**31 else None


def open_round_for_scan(session: Session, scan_id: int) -> tuple[VoteRound, Plan] | None:
    """The scan's round with status ``open`` (its dates are for ``rules.round_state``)."""
    row = session.exec(
        select(VoteRound, Plan)
        .join(Plan, col(Plan.id) == VoteRound.plan_id)
        .where(Plan.scan_id == scan_id, VoteRound.status == "open")
        .order_by(col(VoteRound.id).desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def public_round_for_scan(session: Session, scan_id: int) -> tuple[VoteRound, Plan] | None:
    """The round residents see for a scan: the latest that is not a draft."""
    row = session.exec(
        select(VoteRound, Plan)
        .join(Plan, col(Plan.id) == VoteRound.plan_id)
        .where(Plan.scan_id == scan_id, VoteRound.status != "draft")
        .order_by(col(VoteRound.id).desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def ballot_measures(session: Session, plan_id: int) -> list[Measure]:
    """The plan's measures in plan order (with their costs): what a ballot may vote on."""
    return list(
        session.exec(
            select(Measure)
            .where(Measure.plan_id == plan_id)
            .order_by(col(Measure.position), col(Measure.id))
        ).all()
    )


@dataclass(frozen=True)
class BallotMeasure:
    """A measure as the ballot shows it: with its pijler and trekker, loaded at once."""

    measure: Measure
    pijler: Pijler
    trekker: Partner | None

    @property
    def id(self) -> int:
        return self.measure.id or 0

    @property
    def field(self) -> str:
        return rules.field_name(self.id)


def ballot_rows(session: Session, plan_id: int) -> list[BallotMeasure]:
    rows = session.exec(
        select(Measure, Pijler, Partner)
        .join(Pijler, col(Pijler.id) == Measure.pijler_id)
        .outerjoin(Partner, col(Partner.id) == Measure.lead_partner_id)
        .where(Measure.plan_id == plan_id)
        .order_by(col(Measure.position), col(Measure.id))
    ).all()
    return [BallotMeasure(m, p, t) for m, p, t in rows]


def totals(session: Session, vote_round_id: int) -> list[rules.MeasureTotal]:
    """Per measure: the sum of what ballots gave it and how many ballots gave it anything."""
    rows = session.exec(
        select(BallotLine.measure_id, func.sum(BallotLine.amount), func.count())
        .join(Ballot, col(Ballot.id) == BallotLine.ballot_id)
        .where(Ballot.vote_round_id == vote_round_id)
        .group_by(col(BallotLine.measure_id))
    ).all()
    return [rules.MeasureTotal(m, int(total or 0), int(count)) for m, total, count in rows]


@dataclass
class Turnout:
    ballots: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, int] = field(default_factory=dict)
    codes_issued: int = 0
    codes_used: int = 0
    codes_used_by_channel: dict[str, int] = field(default_factory=dict)


def turnout(session: Session, vote_round_id: int) -> Turnout:
    result = Turnout()
    for channel, count in session.exec(
        select(Ballot.channel, func.count())
        .where(Ballot.vote_round_id == vote_round_id)
        .group_by(col(Ballot.channel))
    ).all():
        result.by_channel[channel] = int(count)
        result.ballots += int(count)
    for language, count in session.exec(
        select(Ballot.language, func.count())
        .where(Ballot.vote_round_id == vote_round_id)
        .group_by(col(Ballot.language))
    ).all():
        result.by_language[language] = int(count)
    for used_channel, count in session.exec(
        select(VoteCode.used_channel, func.count())
        .where(VoteCode.vote_round_id == vote_round_id)
        .group_by(col(VoteCode.used_channel))
    ).all():
        result.codes_issued += int(count)
        if used_channel is not None:
            result.codes_used_by_channel[used_channel] = int(count)
            result.codes_used += int(count)
    return result


def vote_code(session: Session, vote_round_id: int, code_hash: str) -> VoteCode | None:
    """A code of THIS round by its hash (a code of another round is not found)."""
    return session.exec(
        select(VoteCode).where(
            VoteCode.vote_round_id == vote_round_id, VoteCode.code_hash == code_hash
        )
    ).first()


def last_code_batch(session: Session, vote_round_id: int) -> int | None:
    return session.exec(
        select(func.max(VoteCode.batch)).where(VoteCode.vote_round_id == vote_round_id)
    ).one()


def code_batch_counts(
    session: Session, vote_round_id: int
) -> list[tuple[int, bool, str | None, int]]:
    """Codes per batch, exported flag and used channel (None: unused), for the staff page."""
    rows = session.exec(
        select(VoteCode.batch, VoteCode.exported, VoteCode.used_channel, func.count())
        .where(VoteCode.vote_round_id == vote_round_id)
        .group_by(col(VoteCode.batch), col(VoteCode.exported), col(VoteCode.used_channel))
        .order_by(col(VoteCode.batch))
    ).all()
    return [(int(b), bool(e), c, int(n)) for b, e, c, n in rows]
