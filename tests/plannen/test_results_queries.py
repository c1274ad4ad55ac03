"""The SQL side of results: counts grouped per question, value, group and buurt."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, insert
from sqlmodel import Session, col, select

from app.plannen import aggregation, queries
from app.plannen.models import Remark
from app.scan.models import Answer, Question, Scan
from app.scan.questionnaire import load_default
from tests.monitoring.factories import make_responses, scan_id
from tests.scan.resident import PAGES, Resident, answers_for

STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SUBMITTED = STARTED + timedelta(minutes=20)


def add_texts(session: Session, scan: int, responses: list[uuid.UUID], key: str) -> None:
    """A free-text answer to ``key`` for each of ``responses``."""
    question = session.exec(
        select(Question.id).where(Question.scan_id == scan, Question.key == key)
    ).one()
    session.execute(
        insert(Answer),
        [
            {"response_id": r, "question_id": question, "text": f"tekst {i}", "language": "nl"}
            for i, r in enumerate(responses)
        ],
    )
    session.commit()


def question_ids(session: Session, scan: int) -> dict[str, int]:
    rows = session.exec(select(Question.key, Question.id).where(Question.scan_id == scan)).all()
    return {key: question_id for key, question_id in rows if question_id is not None}


@pytest.fixture
def planetenbuurt(demo: None, session: Session) -> int:
    """Seven online and three paper responses submitted; two online ones not submitted."""
    scan = scan_id(session)
    online = make_responses(
        session,
        scan,
        7,
        started_at=STARTED,
        submitted_at=SUBMITTED,
        answers={
            "wonen.tevredenheid": ["4"],
            "wonen.helpen": ["misschien"],
            "prioriteiten.top3": ["wonen", "veiligheid"],
            "over-u.leeftijd": ["27-40"],
            "over-u.meedoen": ["meedenken", "meedoen"],
        },
    )
    make_responses(
        session,
        scan,
        3,
        started_at=STARTED,
        submitted_at=SUBMITTED,
        channel="paper",
        language="tr",
        answers={
            "wonen.tevredenheid": ["weet-niet"],
            "prioriteiten.top3": ["veiligheid", "wonen", "leefomgeving"],
        },
    )
    unsubmitted = make_responses(
        session,
        scan,
        2,
        started_at=STARTED,
        answers={"wonen.tevredenheid": ["1"], "over-u.leeftijd": ["18-26"]},
    )
    add_texts(session, scan, online[:5], "wonen.knelpunt")
    add_texts(session, scan, unsubmitted, "wonen.knelpunt")
    return scan


def test_counts_are_grouped_per_question_value_and_rank(
    session: Session, planetenbuurt: int
) -> None:
    scan = session.get(Scan, planetenbuurt)
    assert scan is not None
    data = queries.results_input(session, scan)
    ids = question_ids(session, planetenbuurt)
    assert data.submitted == {("online", "nl"): 7, ("paper", "tr"): 3}
    wonen, ranking, age = (
        ids["wonen.tevredenheid"],
        ids["prioriteiten.top3"],
        ids["over-u.leeftijd"],
    )
    assert data.values[(wonen, "4", 0)] == 7
    assert data.values[(wonen, "weet-niet", 0)] == 3
    assert (wonen, "1", 0) not in data.values  # only unsubmitted responses said 1
    assert data.values[(ids["wonen.helpen"], "misschien", 0)] == 7
    assert data.values[(ids["over-u.meedoen"], "meedenken", 0)] == 7  # positions added up
    assert data.values[(ids["over-u.meedoen"], "meedoen", 0)] == 7
    assert {k: n for k, n in data.values.items() if k[0] == ranking} == {
        (ranking, "wonen", 1): 7,  # the position is the rank, as the forms store it
        (ranking, "veiligheid", 2): 7,
        (ranking, "veiligheid", 1): 3,
        (ranking, "wonen", 2): 3,
        (ranking, "leefomgeving", 3): 3,
    }
    assert data.respondents == {ranking: 10}
    assert data.texts == {ids["wonen.knelpunt"]: 5}
    assert {k: n for k, n in data.values.items() if k[0] == age} == {(age, "27-40", 0): 7}
    assert {k: n for k, n in data.by_age.items() if k[0] == wonen} == {
        (wonen, "27-40", "4"): 7,
        (wonen, None, "weet-niet"): 3,
    }
    assert {k: n for k, n in data.by_channel.items() if k[0] == wonen} == {
        (wonen, "online", "4"): 7,
        (wonen, "paper", "weet-niet"): 3,
    }


def test_results_of_the_seeded_scan(session: Session, planetenbuurt: int) -> None:
    scan = session.get(Scan, planetenbuurt)
    assert scan is not None
    results = aggregation.build_results(
        queries.results_input(session, scan), threshold=5, exact=False
    )
    assert results.submitted.count == 10
    # wonen: 7 firsts and 3 seconds = 27 points; veiligheid: 3 firsts and 7 seconds = 23
    assert [(r.pijler.key, r.rank, r.rank_score) for r in results.pijlers[:2]] == [
        ("wonen", 1, 2.7),
        ("veiligheid", 2, 2.3),
    ]
    wonen = results.pijlers[0]
    assert wonen.satisfaction is not None
    assert wonen.satisfaction.mean == 4.0
    assert wonen.satisfaction.opt_out.count is None  # 3: too few
    assert wonen.remarks.count == 5
    assert wonen.helpers.count == 7


def test_municipality_and_focusbuurten_across_scans(session: Session, demo: None) -> None:
    here, focus, other, draft = (
        scan_id(session, slug)
        for slug in ("planetenbuurt", "pilotenbuurt", "kloosstraat", "schildersbuurt")
    )
    session.get(Scan, draft).status = "draft"  # type: ignore[union-attr]
    session.commit()
    satisfied = {"wonen.tevredenheid": ["4"]}
    make_responses(session, here, 6, started_at=STARTED, submitted_at=SUBMITTED, answers=satisfied)
    make_responses(
        session,
        focus,
        4,
        started_at=STARTED,
        submitted_at=SUBMITTED,
        answers={"wonen.tevredenheid": ["2"]},
    )
    make_responses(
        session,
        other,
        10,
        started_at=STARTED,
        submitted_at=SUBMITTED,
        answers={"wonen.tevredenheid": ["5"]},
    )
    make_responses(  # not submitted: not counted
        session, other, 3, started_at=STARTED, answers={"wonen.tevredenheid": ["1"]}
    )
    make_responses(  # a draft scan: not counted
        session,
        draft,
        5,
        started_at=STARTED,
        submitted_at=SUBMITTED,
        answers={"wonen.tevredenheid": ["1"]},
    )
    counts = queries.municipality_counts(session, {"wonen.tevredenheid", "wonen.groot-genoeg"})
    assert counts == {
        ("wonen.tevredenheid", True, "4"): 6,
        ("wonen.tevredenheid", True, "2"): 4,
        ("wonen.tevredenheid", False, "5"): 10,
    }
    scan = session.get(Scan, here)
    assert scan is not None
    results = aggregation.build_results(
        queries.results_input(session, scan), threshold=5, exact=False
    )
    wonen = next(r for r in results.pijlers if r.pijler.key == "wonen")
    assert wonen.comparison == aggregation.Comparison(
        buurt=4.0,
        focus=3.2,  # (6 * 4 + 4 * 2) / 10
        gemeente=4.1,  # (24 + 8 + 50) / 20
    )


def test_a_hidden_remark_is_not_counted(session: Session, planetenbuurt: int) -> None:
    scan = session.get(Scan, planetenbuurt)
    assert scan is not None
    knelpunt = question_ids(session, planetenbuurt)["wonen.knelpunt"]
    first = session.exec(
        select(Answer).where(Answer.question_id == knelpunt).order_by(col(Answer.id))
    ).first()  # a submitted response's: those were written first
    assert first is not None
    session.add(
        Remark(answer_id=first.id or 0, hidden_reason="Noemt een naam", hidden_at=SUBMITTED)
    )
    session.commit()
    assert queries.results_input(session, scan).texts == {knelpunt: 4}  # 5 written, 1 hidden


def test_a_scan_takes_a_constant_number_of_queries(session: Session, planetenbuurt: int) -> None:
    scan = session.get(Scan, planetenbuurt)
    assert scan is not None
    statements: list[str] = []

    def count(*args: object) -> None:
        if str(args[2]).lstrip().startswith("SELECT"):
            statements.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        queries.results_input(session, scan)
        few = len(statements)
        make_responses(
            session,
            planetenbuurt,
            40,
            started_at=STARTED,
            submitted_at=SUBMITTED,
            channel="conversation",
            answers={"veiligheid.tevredenheid": ["3"], "over-u.leeftijd": ["66-75"]},
        )
        statements.clear()
        queries.results_input(session, scan)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == few == 11
    assert all("GROUP BY" in s for s in statements if "count(" in s)


def test_priorities_read_what_the_online_form_stores(
    client: TestClient, session: Session, demo: None
) -> None:
    """End to end: a resident ranks three pijlers online; the results count those ranks."""
    resident = Resident(client)
    resident.start()
    for page in PAGES:
        assert resident.save(page, answers_for(page)).status_code == 303, page
    assert resident.post(resident.url("/verstuur")).status_code == 303
    session.rollback()
    scan = session.exec(select(Scan).where(Scan.slug == "planetenbuurt")).one()
    results = aggregation.build_results(
        queries.results_input(session, scan), threshold=5, exact=True
    )
    keys = [p["key"] for p in load_default()["pijlers"]]
    by_key = {p.pijler.key: p for p in results.pijlers}
    assert [by_key[key].top3.count for key in keys[1:4]] == [1, 1, 1]  # ranks 1, 2 and 3
    assert [by_key[key].rank_score for key in keys[1:4]] == [3.0, 2.0, 1.0]
    assert [p.pijler.key for p in results.pijlers[:3]] == keys[1:4]


def test_without_breakdowns_two_queries_fewer(session: Session, planetenbuurt: int) -> None:
    scan = session.get(Scan, planetenbuurt)
    assert scan is not None
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        data = queries.results_input(session, scan, breakdowns=False)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().startswith("SELECT")]) == 9
    assert (data.by_age, data.by_channel) == ({}, {})
    results = aggregation.build_results(data, threshold=5, exact=False)
    assert results.pijlers[0].pijler.key == "wonen"  # everything else is still there
