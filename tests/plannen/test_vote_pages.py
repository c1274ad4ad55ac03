"""The resident's vote in the browser: code, ballot, thanks and results; every bad ballot is
refused with a 4xx in the resident's language and counts nothing."""

import math
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from app.plannen import vote_service
from app.plannen.models import Ballot, Measure, VoteCode, VoteRound
from tests.plannen.vote_factories import SLUG, make_codes, make_plan, make_round
from tests.scan.resident import Resident
from tests.staff.helpers import make_user

pytestmark = pytest.mark.usefixtures("demo")
START = f"/s/{SLUG}/stemmen"
BALLOT = f"{START}/stembiljet"


def html_lang(response: object) -> tuple[str, str]:
    match = re.search(r'<html lang="([a-z]+)" dir="(ltr|rtl)"', response.text)  # type: ignore[attr-defined]
    assert match is not None
    return match.group(1), match.group(2)


def counted(session: Session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(Ballot)).one()


def resident(client: TestClient, language: str = "nl") -> Resident:
    client.cookies.set("lang", language)
    return Resident(client, SLUG)


@pytest.mark.parametrize(("language", "direction"), [("nl", "ltr"), ("ar", "rtl")])
def test_journey_with_a_code(
    client: TestClient, session: Session, language: str, direction: str
) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, min_supporters=1)
    (code,) = make_codes(session, vote_round)
    me = resident(client, language)
    start = me.get(START)
    assert start.status_code == 200
    assert start.template.name == "plannen/vote_start.html"  # type: ignore[attr-defined]
    assert html_lang(start) == (language, direction)
    assert "data-code-from-hash" in start.text  # the letter's link fills in the code
    entered = me.post(f"{START}/code", {"code": code})
    assert entered.status_code == 303
    assert entered.headers["location"] == BALLOT
    assert code.replace("-", "") not in entered.headers.get("set-cookie", "").upper()
    ballot = me.get(BALLOT)
    assert ballot.status_code == 200
    assert ballot.template.name == "plannen/vote_ballot.html"  # type: ignore[attr-defined]
    assert html_lang(ballot) == (language, direction)
    assert [row.id for row in ballot.context["measures"]] == [m.id for m in measures]  # type: ignore[attr-defined]
    if language == "nl":
        assert "€\u00a02.500" in ballot.text  # a cost as money, written the Dutch way
    if language == "ar":
        assert "إجراء 1" in ballot.text
    sent = me.post(BALLOT, {f"m-{measures[0].id}": "600", f"m-{measures[2].id}": " 400 "})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{START}/bedankt"
    thanks = me.get(f"{START}/bedankt")
    assert thanks.status_code == 200
    assert html_lang(thanks) == (language, direction)
    assert counted(session) == 1
    assert session.exec(select(Ballot.language)).one() == language
    again = me.post(BALLOT, {f"m-{measures[0].id}": "1"})  # the same browser, the same code
    assert again.status_code == 409
    assert html_lang(again) == (language, direction)
    assert me.get(BALLOT).status_code == 409
    assert counted(session) == 1


def _ready(
    client: TestClient, session: Session, **round_settings: object
) -> tuple[Resident, list[Measure], VoteRound]:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, **round_settings)  # type: ignore[arg-type]
    (code,) = make_codes(session, vote_round)
    me = resident(client, "ar")
    assert me.post(f"{START}/code", {"code": code}).status_code == 303
    return me, measures, vote_round


BAD_BALLOTS = [
    ("approval", lambda m: {f"m-{m[0]}": "1", f"m-{m[1]}": "1", f"m-{m[2]}": "1"}),  # 3 of 2
    ("points", lambda m: {f"m-{m[0]}": "5", f"m-{m[1]}": "5", f"m-{m[2]}": "1"}),  # 11 of 10
    ("points", lambda m: {f"m-{m[0]}": "6"}),  # 6, at most 5 on one
    ("budget", lambda m: {f"m-{m[0]}": "800", f"m-{m[1]}": "201"}),  # 1001 of 1000
    ("budget", lambda m: {f"m-{m[2]}": "401"}),  # above its cost
    ("budget", lambda m: {f"m-{m[0]}": "-5"}),
    ("budget", lambda m: {f"m-{m[0]}": "2.5"}),
    ("budget", lambda m: {f"m-{m[0]}": "1e3"}),
    ("budget", lambda m: {f"m-{m[0]}": "\u0663"}),
    ("budget", lambda m: {f"m-{m[0]}": ""}),  # empty ballot
    ("budget", lambda m: {"m-999999": "10"}),  # unknown measure
    ("budget", lambda m: {f"m-{m[0]}": "10", "amount": "10"}),  # unknown field
]


@pytest.mark.parametrize(("method", "fields"), BAD_BALLOTS)
def test_bad_ballots_are_refused_and_count_nothing(
    client: TestClient, session: Session, method: str, fields: object
) -> None:
    me, measures, _ = _ready(client, session, method=method)
    ids = [m.id for m in measures]
    refused = me.post(BALLOT, fields(ids))  # type: ignore[operator]
    assert refused.status_code == 422
    assert refused.template.name == "plannen/vote_ballot.html"  # type: ignore[attr-defined]
    assert refused.context["errors"]  # type: ignore[attr-defined]
    assert 'id="error-summary"' in refused.text
    assert html_lang(refused) == ("ar", "rtl")
    assert counted(session) == 0
    assert session.exec(select(VoteCode.used_on)).one() is None


def test_a_measure_of_another_plan_is_refused(client: TestClient, session: Session) -> None:
    me, measures, _ = _ready(client, session)
    _, foreign = make_plan(session, "planetenbuurt")
    refused = me.post(BALLOT, {f"m-{measures[0].id}": "10", f"m-{foreign[0].id}": "10"})
    assert refused.status_code == 422
    assert counted(session) == 0


def test_a_replayed_ballot_counts_once(client: TestClient, session: Session) -> None:
    me, measures, _ = _ready(client, session)
    saved = dict(client.cookies)
    assert me.post(BALLOT, {f"m-{measures[0].id}": "10"}).status_code == 303
    client.cookies.clear()
    for name, value in saved.items():
        client.cookies.set(name, value)
    replay = me.post(BALLOT, {f"m-{measures[0].id}": "10"})
    assert replay.status_code == 409
    assert counted(session) == 1


def test_a_vote_after_closing_is_refused(client: TestClient, session: Session) -> None:
    me, measures, vote_round = _ready(client, session)
    vote_service.close_round(
        session, actor=make_user(session), vote_round=vote_round, now=datetime.now(UTC)
    )
    late = me.post(BALLOT, {f"m-{measures[0].id}": "10"})
    assert late.status_code == 409
    assert html_lang(late) == ("ar", "rtl")
    assert counted(session) == 0
    closed = me.get(START)
    assert closed.status_code == 200
    assert closed.context["state"] == "closed"  # type: ignore[attr-defined]


def test_a_code_of_another_round_is_refused(client: TestClient, session: Session) -> None:
    plan, _ = make_plan(session)
    make_round(session, plan)
    other_plan, _ = make_plan(session, "planetenbuurt")
    (other_code,) = make_codes(session, make_round(session, other_plan))
    me = resident(client, "ar")
    refused = me.post(f"{START}/code", {"code": other_code})
    assert refused.status_code == 422
    assert refused.context["error"]  # type: ignore[attr-defined]
    assert html_lang(refused) == ("ar", "rtl")
    assert me.get(BALLOT).status_code == 303  # no code cookie: back to the code form


def test_guessing_codes_at_speed_is_slowed_down(client: TestClient, session: Session) -> None:
    plan, _ = make_plan(session)
    vote_round = make_round(session, plan)
    (code,) = make_codes(session, vote_round)
    me = resident(client)
    statuses = [
        me.post(f"{START}/code", {"code": f"AAAA-BBBB-CC{n:02d}"}).status_code
        for n in range(vote_service.CODE_ENTRY_LIMIT)
    ]
    assert statuses == [422] * vote_service.CODE_ENTRY_LIMIT
    blocked = me.post(f"{START}/code", {"code": code})  # even the right one, for now
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    session.rollback()
    assert session.exec(select(VoteCode.used_on)).one() is None


def test_right_codes_from_one_address_are_not_limited(client: TestClient, session: Session) -> None:
    """A voting evening in a community centre: one address, many households, right codes."""
    plan, _ = make_plan(session)
    vote_round = make_round(session, plan)
    for code in make_codes(session, vote_round, vote_service.CODE_ENTRY_LIMIT + 2):
        client.cookies.clear()
        entered = resident(client).post(f"{START}/code", {"code": code})
        assert entered.status_code == 303
        assert entered.headers["location"] == BALLOT


def test_the_wait_is_said_in_minutes(client: TestClient, session: Session) -> None:
    plan, _ = make_plan(session)
    make_round(session, plan)
    me = resident(client)
    for n in range(vote_service.CODE_ENTRY_LIMIT):
        assert me.post(f"{START}/code", {"code": f"AAAA-BBBB-CC{n:02d}"}).status_code == 422
    blocked = me.post(f"{START}/code", {"code": "AAAA-BBBB-CCXX"})
    assert blocked.status_code == 429
    minutes = math.ceil(int(blocked.headers["retry-after"]) / 60)
    assert minutes in (14, 15)
    assert f"Wacht {minutes} minuten en probeer het opnieuw." in blocked.text


def test_an_open_poll_is_one_per_browser(client: TestClient, session: Session) -> None:
    plan, measures = make_plan(session)
    make_round(session, plan, method="approval", eligibility="open")
    me = resident(client)
    start = me.get(START)
    assert 'class="notice vote-poll"' in start.text  # clearly a non-binding poll
    assert me.get(BALLOT).status_code == 200
    assert me.post(BALLOT, {f"m-{measures[0].id}": "1"}).status_code == 303
    assert me.get(BALLOT).status_code == 409
    assert me.post(BALLOT, {f"m-{measures[1].id}": "1"}).status_code == 409
    assert counted(session) == 1


def test_pages_without_an_open_round(client: TestClient, session: Session) -> None:
    assert client.get("/s/no-such-buurt/stemmen").status_code == 404
    none = client.get(START)
    assert none.status_code == 200
    assert none.context["state"] == "none"  # type: ignore[attr-defined]
    assert client.get(BALLOT).status_code == 409
    plan, _ = make_plan(session)
    make_round(session, plan, status="draft")
    assert client.get(START).context["state"] == "none"  # type: ignore[attr-defined]
    assert client.get(f"{START}/uitslag").context["state"] == "none"  # type: ignore[attr-defined]


def _vote(
    session: Session, vote_round: VoteRound, choices: dict[int, int], language: str, count: int
) -> None:
    for code in make_codes(session, vote_round, count):
        vote_service.cast_ballot(
            session,
            vote_round=vote_round,
            choices=choices,
            code=code,
            channel="online",
            language=language,
            today=datetime.now(UTC).date(),
            secret_key="test-secret-key-0123456789abcdef",
        )


def test_results_after_closing(client: TestClient, session: Session) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, min_supporters=2)
    ids = [m.id or 0 for m in measures]
    _vote(session, vote_round, {ids[0]: 500, ids[2]: 400}, "nl", 6)
    _vote(session, vote_round, {ids[1]: 1000}, "ar", 1)
    assert client.get(f"{START}/uitslag").context["state"] == "open"  # type: ignore[attr-defined]
    vote_service.close_round(
        session, actor=make_user(session), vote_round=vote_round, now=datetime.now(UTC)
    )
    client.cookies.set("lang", "ar")
    page = client.get(f"{START}/uitslag")
    assert page.status_code == 200
    assert page.template.name == "plannen/vote_results.html"  # type: ignore[attr-defined]
    assert html_lang(page) == ("ar", "rtl")
    rows = page.context["rows"]  # type: ignore[attr-defined]
    assert [(r.rank, r.total.count, r.supporters.count, r.counts, r.funded) for r in rows] == [
        (1, 3000, 6, True, True),
        (2, 2400, 6, True, True),
        (3, None, None, False, False),  # one household: below K = 2, and too few to show
    ]
    # Hidden on the page: the third measure's euros and households, the two language cells.
    assert page.text.count('class="vote-too-few"') == 4
    languages = dict(page.context["by_language"])  # type: ignore[attr-defined]
    assert languages["ar"].count is None  # 1 ballot in Arabic: too few to show
    assert languages["nl"].count is None  # ... and its complement
    assert page.context["too_few"] is False  # type: ignore[attr-defined]


def test_results_with_too_few_ballots_show_no_figures(client: TestClient, session: Session) -> None:
    plan, measures = make_plan(session)
    vote_round = make_round(session, plan, method="approval", eligibility="open")
    _vote_open = vote_service.cast_ballot
    for _ in range(2):
        _vote_open(
            session,
            vote_round=vote_round,
            choices={measures[0].id or 0: 1},
            code=None,
            channel="online",
            language="nl",
            today=datetime.now(UTC).date(),
            secret_key="x",
        )
    vote_service.close_round(
        session, actor=make_user(session), vote_round=vote_round, now=datetime.now(UTC)
    )
    page = client.get(f"{START}/uitslag")
    assert page.status_code == 200
    assert page.context["too_few"] is True  # type: ignore[attr-defined]
    assert "vote-table" not in page.text
    assert 'class="notice vote-poll"' in page.text
