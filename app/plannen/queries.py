"""Every read of a scan's results: answers counted per question and value, grouped in SQL.

Only submitted responses count (``Response.submitted_at`` set). A scan's results take a
constant ten queries, however many responses or questions it has; every one is a
``GROUP BY`` and ``aggregation.build_results`` interprets the counts.

Speed (DESIGN.md §10: a scan of 10,000 responses under 0.5 s). Joining each of some 400,000
answers to its response to see whether it was submitted costs more than the budget on
SQLite. The index ``answer(question_id, value, response_id)`` counts every answer of a
question per value without reading the table; so the counts are those of all responses
minus those of the unsubmitted ones, which are found from the response side (few rows: a
response is submitted or abandoned, not both). Both queries run in the request's one read
transaction, so they see the same snapshot. Breakdowns by channel and age band test each
satisfaction answer against lists of submitted response ids (``IN (SELECT ...)``, built once
per query), largest group first.
"""

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import case, func, literal, literal_column
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.plannen.aggregation import AGE_KEY, RANKING_KIND, ResultsInput, is_satisfaction
from app.plannen.models import Remark
from app.programme.models import Buurt, Pijler
from app.scan import queries as scan_queries
from app.scan.models import Answer, Question, Response, Scan

NO_GROUP = ""  # a submitted response outside every listed group (no age band given)


def scan_with_buurt(session: Session, scan_id: int) -> tuple[Scan, Buurt] | None:
    return scan_queries.scan_with_buurt_by_id(session, scan_id)


def results_input(session: Session, scan: Scan, *, breakdowns: bool = True) -> ResultsInput:
    """Everything a scan's results count, each figure grouped in SQL (ten queries).

    Without ``breakdowns`` the two by age band and by channel are left out (eight queries):
    only the staff results page shows them.
    """
    assert scan.id is not None
    questions = scan_queries.questions(session, scan.id)
    submitted = _submitted_by_channel_and_language(session, scan.id)
    ranking = next((q for q in questions if q.kind == RANKING_KIND and q.id), None)
    values, texts = _answer_counts(session, scan.id, questions, ranking)
    satisfaction = [q.id for q in questions if q.id is not None and is_satisfaction(q)]
    age = next((q for q in questions if q.key == AGE_KEY and q.id), None)
    channels: dict[str, int] = {}
    for (channel, _), n in submitted.items():
        channels[channel] = channels.get(channel, 0) + n
    bands = {v: n for (q, v, _), n in values.items() if age is not None and q == age.id}
    return ResultsInput(
        pijlers=list(session.exec(select(Pijler).order_by(col(Pijler.number))).all()),
        questions=questions,
        submitted=submitted,
        values=values,
        texts=texts,
        # Every respondent of the ranking has a first choice: the forms close up gaps
        # (``app.scan.forms``), so those who answered it are those with a rank 1.
        respondents={
            ranking.id: sum(n for (q, _, p), n in values.items() if q == ranking.id and p == 1)
        }
        if ranking is not None and ranking.id is not None
        else {},
        by_age=_satisfaction_by_group(session, satisfaction, _age_groups(scan.id, age, bands))
        if breakdowns
        else {},
        by_channel=_satisfaction_by_group(session, satisfaction, _channel_groups(scan.id, channels))
        if breakdowns
        else {},
        municipality=municipality_counts(session, {q.key for q in questions if q.kind == "scale"}),
    )


def _submitted_ids(scan_id: int) -> SelectOfScalar[Any]:
    return select(Response.id).where(
        col(Response.scan_id) == scan_id, col(Response.submitted_at).is_not(None)
    )


def _submitted_by_channel_and_language(
    session: Session, scan_id: int
) -> dict[tuple[str, str], int]:
    rows = session.exec(
        select(Response.channel, Response.language, func.count())
        .where(col(Response.scan_id) == scan_id, col(Response.submitted_at).is_not(None))
        .group_by(col(Response.channel), col(Response.language))
    ).all()
    return {(channel, language): n for channel, language, n in rows}


def _answer_counts(
    session: Session, scan_id: int, questions: list[Question], ranking: Question | None
) -> tuple[dict[tuple[int, str, int], int], dict[int, int]]:
    """Submitted answers per (question, value, position), and free-text answers per question.

    All answers minus those of unsubmitted responses. Only the ranking question keeps its
    positions (the rank); the values of other questions are added up over their positions
    (the order of choice of a multiple choice) under position 0. A free-text answer has no
    value: its rows are the ones grouped under a NULL value. Four queries (five with hidden
    remarks): every answer per question and value (from the index alone), the ranking's
    answers per value and position, the unsubmitted responses' answers per question, value
    and position, and the hidden remarks of submitted responses.
    """
    ids = [q.id for q in questions if q.id is not None]
    if not ids:
        return {}, {}
    every = session.exec(
        select(Answer.question_id, Answer.value, literal(0), func.count())
        .where(col(Answer.question_id).in_(ids))
        .group_by(col(Answer.question_id), col(Answer.value))
    ).all()
    ranked: Sequence[tuple[int, str | None, int, int]] = []
    if ranking is not None and ranking.id is not None:
        ranked = session.exec(
            select(Answer.question_id, Answer.value, Answer.position, func.count())
            .where(col(Answer.question_id) == ranking.id)
            .group_by(col(Answer.question_id), col(Answer.value), col(Answer.position))
        ).all()
    unsubmitted = session.exec(
        select(Answer.question_id, Answer.value, Answer.position, func.count())
        .select_from(Response)
        .join(Answer, col(Answer.response_id) == col(Response.id))
        .where(col(Response.scan_id) == scan_id, col(Response.submitted_at).is_(None))
        .group_by(col(Answer.question_id), col(Answer.value), col(Answer.position))
    ).all()
    # Hidden remarks (personal data, abuse) count as unsaid everywhere, like on the themes page.
    # They are few in the whole gemeente: their ids first, so no scan's answers are scanned.
    hidden_ids = session.exec(
        select(Remark.answer_id).where(col(Remark.hidden_at).is_not(None))
    ).all()
    hidden: Sequence[tuple[int, str | None, int, int]] = []
    if hidden_ids:
        hidden = session.exec(
            select(Answer.question_id, Answer.value, literal(0), func.count())
            .join(Response, col(Response.id) == col(Answer.response_id))
            .where(
                col(Answer.id).in_(hidden_ids),
                col(Answer.question_id).in_(ids),
                col(Response.submitted_at).is_not(None),
            )
            .group_by(col(Answer.question_id), col(Answer.value))
        ).all()
    ranking_id = ranking.id if ranking is not None else None
    counts: dict[tuple[int, str | None, int], int] = {}
    for rows, sign in ((every, 1), (ranked, 1), (unsubmitted, -1), (hidden, -1)):
        for question_id, value, position, n in rows:
            if question_id == ranking_id and rows is every:
                continue  # counted per position by ``ranked``
            key = (question_id, value, position if question_id == ranking_id else 0)
            counts[key] = counts.get(key, 0) + sign * n
    values = {(q, v, p): n for (q, v, p), n in counts.items() if v is not None and n}
    texts = {q: n for (q, v, _), n in counts.items() if v is None and n}
    return values, texts


# A group of responses for a breakdown: its key and the ids of its submitted responses.
Group = tuple[str, SelectOfScalar[Any]]


def _channel_groups(scan_id: int, sizes: Mapping[str, int]) -> list[Group]:
    """The channels with submitted responses, largest first (fewest tests per answer)."""
    ordered = sorted(sizes, key=lambda channel: -sizes[channel])
    return [
        (channel, _submitted_ids(scan_id).where(Response.channel == channel)) for channel in ordered
    ]


def _age_groups(scan_id: int, age: Question | None, sizes: Mapping[str, int]) -> list[Group]:
    """The age bands given, largest first, then every other submitted response (no band)."""
    if age is None:
        return []
    answer = aliased(Answer)
    ordered = sorted(sizes, key=lambda band: -sizes[band])
    groups: list[Group] = [
        (
            band,
            select(answer.response_id).where(
                col(answer.question_id) == age.id,
                col(answer.value) == band,
                col(answer.response_id).in_(_submitted_ids(scan_id)),
            ),
        )
        for band in ordered
    ]
    return [*groups, (NO_GROUP, _submitted_ids(scan_id))]


def _satisfaction_by_group(
    session: Session, question_ids: list[int], groups: list[Group]
) -> dict[tuple[int, str | None, str], int]:
    """Submitted satisfaction answers per (question, group, value); group None: no group.

    Each answer takes the first group whose list holds its response; an answer of an
    unsubmitted response is in none and is left out. The groups are grouped by their
    output name: repeating the CASE would test every answer twice.
    """
    if not question_ids or not groups:
        return {}
    group = case(
        *((col(Answer.response_id).in_(ids), literal(key)) for key, ids in groups),
        else_=None,
    ).label("grouped")
    rows = session.exec(
        select(Answer.question_id, group, Answer.value, func.count())
        .where(col(Answer.question_id).in_(question_ids))
        .group_by(col(Answer.question_id), literal_column("grouped"), col(Answer.value))
    ).all()
    return {
        (q, key or None, value): n
        for q, key, value, n in rows
        if key is not None and value is not None
    }


def municipality_counts(
    session: Session, keys: Collection[str]
) -> dict[tuple[str, bool, str], int]:
    """Submitted answers to the scale questions ``keys`` per key, focus flag and value.

    Over the gemeente: every non-draft scan of every buurt (this one included); the
    focusbuurten are the buurten marked ``is_focus``. Questions of different scans are
    matched by their stable key. All answers minus those of unsubmitted responses, each
    counted per question and value first (from the index alone, or from the few
    unsubmitted responses) and only then per key and buurt.
    """
    if not keys:
        return {}
    scales = (
        select(Question.id)
        .join(Scan, col(Scan.id) == col(Question.scan_id))
        .where(
            col(Scan.status) != "draft",
            col(Question.kind) == "scale",
            col(Question.key).in_(sorted(keys)),
        )
    )
    unsubmitted = (
        select(Response.id)
        .join(Scan, col(Scan.id) == col(Response.scan_id))
        .where(col(Scan.status) != "draft", col(Response.submitted_at).is_(None))
    )
    every = _per_key(session, col(Answer.question_id).in_(scales))
    less = _per_key(
        session, col(Answer.response_id).in_(unsubmitted), col(Answer.question_id).in_(scales)
    )
    counts: dict[tuple[str, bool, str], int] = {}
    for rows, sign in ((every, 1), (less, -1)):
        for key, focus, value, n in rows:
            if value is not None:
                counted = (key, bool(focus), value)
                counts[counted] = counts.get(counted, 0) + sign * int(n)
    return {counted: n for counted, n in counts.items() if n}


def _per_key(
    session: Session, *where: ColumnElement[bool]
) -> Sequence[tuple[str, bool, str | None, Any]]:
    """Answers per question key, focus flag and value: counted per question id first."""
    per_question = (
        select(Answer.question_id, Answer.value, func.count().label("answers"))
        .where(*where)
        .group_by(col(Answer.question_id), col(Answer.value))
        .subquery()
    )
    return session.exec(
        select(Question.key, Buurt.is_focus, per_question.c.value, func.sum(per_question.c.answers))
        .select_from(per_question)
        .join(Question, col(Question.id) == per_question.c.question_id)
        .join(Scan, col(Scan.id) == col(Question.scan_id))
        .join(Buurt, col(Buurt.id) == col(Scan.buurt_id))
        .group_by(col(Question.key), col(Buurt.is_focus), per_question.c.value)
    ).all()
