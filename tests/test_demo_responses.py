"""Synthetic demo responses: reproducible, plausible, valid, and never contact details."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.db import utcnow
from app.demo_responses import add_demo_responses, add_responses, buurt_moods, default_count
from app.programme.models import Buurt, Pijler
from app.scan import queries as scan_queries
from app.scan import rules
from app.scan.models import Answer, Contact, Question, Response, Scan

pytestmark = pytest.mark.usefixtures("demo")
NOW = utcnow()


def scan_by_slug(session: Session, slug: str = "planetenbuurt") -> Scan:
    scan = session.exec(select(Scan).where(Scan.slug == slug)).one()
    return scan


def answer_counts(session: Session, scan: Scan) -> Counter[tuple[str, str | None, str | None]]:
    rows = session.exec(
        select(Question.key, Answer.value, Answer.text, func.count())
        .join(Question, col(Question.id) == col(Answer.question_id))
        .where(Question.scan_id == scan.id)
        .group_by(col(Question.key), col(Answer.value), col(Answer.text))
    ).all()
    return Counter({(key, value, text): n for key, value, text, n in rows})


def remove_responses(session: Session, scan: Scan) -> None:
    ids = select(Response.id).where(Response.scan_id == scan.id)
    session.exec(delete(Answer).where(col(Answer.response_id).in_(ids)))
    session.exec(delete(Response).where(col(Response.scan_id) == scan.id))
    session.commit()


def responses_of(session: Session, scan: Scan) -> list[Response]:
    return list(session.exec(select(Response).where(Response.scan_id == scan.id)).all())


def answers_with_questions(session: Session, scan: Scan) -> list[tuple[Answer, Question]]:
    rows = session.exec(
        select(Answer, Question)
        .join(Question, col(Question.id) == col(Answer.question_id))
        .where(Question.scan_id == scan.id)
    ).all()
    return [(answer, question) for answer, question in rows]


def test_the_same_seed_gives_the_same_answers_and_another_seed_others(session: Session) -> None:
    scan = scan_by_slug(session)
    add_responses(session, scan, 120, seed=7, now=NOW)
    first = answer_counts(session, scan)
    remove_responses(session, scan)
    add_responses(session, scan, 120, seed=7, now=NOW)
    again = answer_counts(session, scan)
    remove_responses(session, scan)
    add_responses(session, scan, 120, seed=8, now=NOW)
    other = answer_counts(session, scan)
    assert first
    assert first == again
    assert other != first


def test_the_amount_is_a_parameter(session: Session) -> None:
    scan = scan_by_slug(session)
    assert add_responses(session, scan, 0, seed=1, now=NOW) == 0
    assert add_responses(session, scan, 37, seed=1, now=NOW) == 37
    assert add_responses(session, scan, 5, seed=1, now=NOW) == 5
    assert len(responses_of(session, scan)) == 42


def test_responses_come_through_every_channel_and_in_several_languages(session: Session) -> None:
    scan = scan_by_slug(session)
    add_responses(session, scan, 300, seed=3, now=NOW)
    rows = responses_of(session, scan)
    assert {r.channel for r in rows} == {"online", "paper", "conversation"}
    languages = Counter(r.language for r in rows)
    assert len(languages) >= 4
    assert languages.most_common(1)[0][0] == "nl"


def test_free_text_is_written_in_several_languages_with_its_language(session: Session) -> None:
    scan = scan_by_slug(session)
    add_responses(session, scan, 300, seed=3, now=NOW)
    texts = [
        (answer, question)
        for answer, question in answers_with_questions(session, scan)
        if question.kind in ("knelpunt", "idee")
    ]
    assert texts
    assert all(a.text and a.value is None and a.language for a, _ in texts)
    languages = {a.language for a, _ in texts}
    assert len(languages) >= 3
    assert "ar" in languages
    arabic = next(a.text for a, _ in texts if a.language == "ar")
    assert arabic
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic)
    assert {q.kind for _, q in texts} == {"knelpunt", "idee"}


def test_unsubmitted_responses_have_no_answers_from_their_last_page_on(session: Session) -> None:
    scan = scan_by_slug(session)
    add_responses(session, scan, 300, seed=5, now=NOW)
    assert scan.id is not None
    steps = [step.key for step in rules.steps(scan_queries.page_keys(session, scan.id))]
    rows = responses_of(session, scan)
    unsubmitted = [r for r in rows if r.submitted_at is None]
    assert 0 < len(unsubmitted) < len(rows) / 3
    pages_answered: dict[object, set[str]] = {}
    for answer, question in answers_with_questions(session, scan):
        pages_answered.setdefault(answer.response_id, set()).add(question.page)
    for response in unsubmitted:
        assert response.last_page in steps
        stop = steps.index(response.last_page)
        assert all(steps.index(page) < stop for page in pages_answered.get(response.id, set()))
    assert any(pages_answered.get(r.id) for r in unsubmitted)


def test_timestamps_fall_between_the_scan_start_and_now(session: Session) -> None:
    scan = scan_by_slug(session)
    add_responses(session, scan, 100, seed=5, now=NOW)
    assert scan.starts_on is not None
    for response in responses_of(session, scan):
        assert rules.local_date(response.started_at) >= scan.starts_on
        assert response.started_at <= response.updated_at <= NOW
        if response.submitted_at is not None:
            took = response.submitted_at - response.started_at
            assert timedelta(minutes=5) <= took <= timedelta(minutes=40)


def test_no_contact_details_are_made(session: Session) -> None:
    add_responses(session, scan_by_slug(session), 200, seed=2, now=NOW)
    assert session.exec(select(func.count()).select_from(Contact)).one() == 0


def test_priorities_are_three_distinct_pijlers_ranked_1_to_3(session: Session) -> None:
    scan = scan_by_slug(session)
    add_responses(session, scan, 200, seed=4, now=NOW)
    pijler_keys = set(session.exec(select(Pijler.key)).all())
    ranked: dict[object, list[tuple[int, str | None]]] = {}
    for answer, question in answers_with_questions(session, scan):
        if question.kind == "ranking":
            ranked.setdefault(answer.response_id, []).append((answer.position, answer.value))
    assert ranked
    for rows in ranked.values():
        assert sorted(position for position, _ in rows) == [1, 2, 3]
        values = [value for _, value in rows]
        assert len(set(values)) == 3
        assert set(values) <= pijler_keys


def test_every_value_is_an_option_of_its_question(session: Session) -> None:
    scan = scan_by_slug(session)
    add_responses(session, scan, 300, seed=6, now=NOW)
    checked = 0
    for answer, question in answers_with_questions(session, scan):
        if question.kind in ("knelpunt", "idee"):
            continue
        assert answer.value in {o["value"] for o in question.options}, question.key
        assert answer.text is None
        checked += 1
    assert checked > 300 * 20


def test_the_weakest_pijler_of_a_buurt_scores_lower_and_ranks_higher(session: Session) -> None:
    scan = scan_by_slug(session)
    moods = buurt_moods(scan.slug, list(session.exec(select(Pijler.key)).all()))
    weakest, strongest = min(moods, key=moods.__getitem__), max(moods, key=moods.__getitem__)
    add_responses(session, scan, 200, seed=9, now=NOW)
    counts = answer_counts(session, scan)

    def mean(pijler: str) -> float:
        scores = Counter(
            {
                int(value): n
                for (key, value, _), n in counts.items()
                if key == f"{pijler}.tevredenheid" and value and value.isdigit()
            }
        )
        return sum(v * n for v, n in scores.items()) / sum(scores.values())

    assert mean(weakest) < mean(strongest) - 0.5
    firsts = Counter(
        answer.value
        for answer, question in answers_with_questions(session, scan)
        if question.kind == "ranking" and answer.position == 1
    )
    assert firsts[weakest] > firsts[strongest]


def test_the_demo_run_fills_every_demo_scan_once(session: Session) -> None:
    added = add_demo_responses(session, now=NOW, count=3)
    scans = session.exec(select(Scan)).all()
    assert set(added) == {s.slug for s in scans}
    assert set(added.values()) == {3}
    assert add_demo_responses(session, now=NOW, count=3) == {}
    assert add_demo_responses(session, now=NOW) == {}
    total = session.exec(select(func.count()).select_from(Response)).one()
    assert total == 3 * len(scans)


def test_an_explicit_amount_for_one_scan_is_added_even_when_it_has_responses(
    session: Session,
) -> None:
    add_demo_responses(session, now=NOW, count=2)
    added = add_demo_responses(session, now=NOW, count=11, scan_slug="kloosstraat")
    assert added == {"kloosstraat": 11}
    assert len(responses_of(session, scan_by_slug(session, "kloosstraat"))) == 13
    assert add_demo_responses(session, now=NOW, scan_slug="kloosstraat") == {}
    with pytest.raises(LookupError):
        add_demo_responses(session, now=NOW, count=1, scan_slug="nergens")


def test_default_amounts_vary_by_buurt_and_the_first_wave_has_more(session: Session) -> None:
    buurten = session.exec(select(Buurt)).all()
    amounts = {b.slug: default_count(b) for b in buurten}
    first_wave = [amounts[b.slug] for b in buurten if b.first_wave]
    others = [amounts[b.slug] for b in buurten if not b.first_wave]
    assert len(set(others)) > 3
    assert all(40 <= n <= 160 for n in others)
    assert min(first_wave) > max(others)


def test_the_demo_command_adds_responses_once_and_more_on_request(session: Session) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--responses", "4"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(cli, ["demo", "--responses", "4"])
    assert again.exit_code == 0, again.output
    more = runner.invoke(cli, ["demo", "--scan", "planetenbuurt", "--responses", "6"])
    assert more.exit_code == 0, more.output
    unknown = runner.invoke(cli, ["demo", "--scan", "nergens", "--responses", "6"])
    assert unknown.exit_code != 0
    session.rollback()
    counts = dict(
        session.exec(
            select(Scan.slug, func.count())
            .join(Response, col(Response.scan_id) == col(Scan.id))
            .group_by(col(Scan.slug))
        ).all()
    )
    assert counts["planetenbuurt"] == 10
    assert {n for slug, n in counts.items() if slug != "planetenbuurt"} == {4}


def test_the_demo_command_with_no_responses_adds_none(session: Session) -> None:
    result = CliRunner().invoke(cli, ["demo", "--responses", "0"])
    assert result.exit_code == 0, result.output
    session.rollback()
    assert session.exec(select(func.count()).select_from(Response)).one() == 0
