"""Facilitators enter paper forms and door-to-door conversations; a household counts once."""

import threading
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.db import open_session, utcnow
from app.errors import Conflict
from app.scan import codes, queries, service
from app.scan.models import AccessCode, Answer, Question, Response, Scan
from app.staff.models import AuditEntry, User
from tests.conftest import SECRET, make_client
from tests.scan.resident import PAGES, Resident, answers_for
from tests.staff.helpers import csrf, log_in, make_user

pytestmark = pytest.mark.usefixtures("demo")
FIRST = PAGES[0]
KNELPUNT = f"{FIRST}.knelpunt"
SATISFACTION = f"{FIRST}.tevredenheid"
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def all_answers(free_text: str = "Te weinig licht op straat.") -> list[tuple[str, str]]:
    return [item for page in PAGES for item in answers_for(page, free_text)]


def the_scan(session: Session, slug: str = "planetenbuurt") -> Scan:
    session.rollback()  # ends the snapshot: see what the app wrote
    return session.exec(select(Scan).where(Scan.slug == slug)).one()


def entry_url(scan: Scan) -> str:
    return f"/staff/scans/{scan.id}/invoer"


def enter(client: TestClient, scan: Scan, items: list[tuple[str, str]]) -> httpx.Response:
    """Post an entry form as a browser would: repeated names for multi-valued answers."""
    data: dict[str, Any] = {}
    for name, value in [*items, ("csrf_token", csrf(client))]:
        data.setdefault(name, []).append(value)
    return client.post(entry_url(scan), data=data)


def responses(session: Session) -> list[Response]:
    session.rollback()
    return list(session.exec(select(Response)).all())


def answers_by_key(session: Session, response: Response) -> set[tuple[str, int, str | None, Any]]:
    keys = {q.id: q.key for q in session.exec(select(Question))}
    rows = session.exec(select(Answer).where(Answer.response_id == response.id)).all()
    return {(keys[a.question_id], a.position, a.value, a.text) for a in rows}


def set_scan(session: Session, **changes: Any) -> Scan:
    scan = the_scan(session)
    for name, value in changes.items():
        setattr(scan, name, value)
    session.add(scan)
    session.commit()
    return scan


def with_codes(session: Session, count: int = 2) -> tuple[Scan, list[str]]:
    scan = set_scan(session, access_mode="codes")
    plain = service.generate_codes(session, scan, count=count, secret_key=SECRET)
    session.commit()
    return scan, plain


def code_row(session: Session, code: str) -> AccessCode:
    scan = the_scan(session)
    found = queries.access_code(session, scan.id or 0, codes.hash_code(SECRET, code))
    assert found is not None
    return found


@pytest.fixture
def facilitator(client: TestClient, session: Session) -> TestClient:
    log_in(client, make_user(session, role="facilitator"))
    return client


ROLES = ["anonymous", "partner", "facilitator", "beheerder"]
# (method, expected status per role in ROLES order); an empty post is a 422 for those allowed.
ROUTES = [("GET", [303, 403, 200, 200]), ("POST", [303, 403, 422, 422])]


@pytest.mark.parametrize(("method", "expected"), ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_roles_by_routes(
    client: TestClient, session: Session, role: str, method: str, expected: list[int]
) -> None:
    scan = the_scan(session)
    if role != "anonymous":
        log_in(client, make_user(session, role=role))
    response = client.get(entry_url(scan)) if method == "GET" else enter(client, scan, [])
    assert response.status_code == expected[ROLES.index(role)]
    if role == "anonymous":
        assert response.headers["location"] == "/staff/inloggen"
    assert responses(session) == []


@pytest.mark.parametrize("headers", [{}, BOOSTED], ids=["plain", "htmx"])
def test_the_form_has_every_question_with_the_resident_field_names_in_order(
    facilitator: TestClient, app: FastAPI, session: Session, headers: dict[str, str]
) -> None:
    scan = the_scan(session)
    page = facilitator.get(entry_url(scan), headers=headers)
    assert page.status_code == 200
    assert page.template.name == "staff/paper.html"
    assert "<html" in page.text
    sections = page.context["sections"]
    assert [s.key for s in sections] == PAGES
    assert all(s.title and s.title != s.key for s in sections)
    on_paper = [name for s in sections for q in s.questions for name in q.field_names]

    online: list[str] = []
    with make_client(app) as other:
        resident = Resident(other)
        resident.start()
        for key in PAGES:
            step = resident.get(resident.url(f"/stap/{key}"))
            online.extend(name for q in step.context["questions"] for name in q.field_names)
    assert on_paper == online
    for name in online:
        assert f'name="{name}"' in page.text
    assert page.context["entry"].language == "nl"
    assert page.context["entry"].channel == ""
    assert page.context["needs_code"] is False
    assert 'name="code"' not in page.text
    assert 'id="entry-saved"' not in page.text


def test_a_full_paper_form_is_stored_like_an_online_deelname(
    facilitator: TestClient, app: FastAPI, session: Session
) -> None:
    with make_client(app) as other:
        resident = Resident(other)
        resident.start()
        for page in PAGES:
            assert resident.save(page, answers_for(page)).status_code == 303
        assert resident.post(resident.url("/verstuur")).status_code == 303

    scan = the_scan(session)
    at = utcnow()
    saved = enter(facilitator, scan, [("channel", "paper"), ("language", "tr"), *all_answers()])
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"{entry_url(scan)}?opgeslagen=1&kanaal=paper&taal=tr"

    online, paper = sorted(responses(session), key=lambda r: r.channel)
    assert (online.channel, paper.channel) == ("online", "paper")
    assert paper.language == "tr"
    assert paper.submitted_at is not None
    assert paper.submitted_at >= at
    assert paper.started_at == paper.submitted_at
    assert paper.resume_code_hash is None
    assert answers_by_key(session, paper) == answers_by_key(session, online)
    texts = session.exec(
        select(Answer.language).where(Answer.response_id == paper.id, col(Answer.text).is_not(None))
    ).all()
    assert texts
    assert set(texts) == {"tr"}

    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "response.enter")).one()
    assert audit.target_type == "response"
    assert audit.target_id == str(paper.id)
    assert audit.detail == {"scan_id": scan.id, "channel": "paper"}


def test_after_a_save_the_form_is_empty_and_says_so(
    facilitator: TestClient, session: Session
) -> None:
    scan = the_scan(session)
    saved = enter(facilitator, scan, [("channel", "paper"), ("language", "pl"), *all_answers()])
    page = facilitator.get(saved.headers["location"])
    assert page.status_code == 200
    assert page.context["saved"] is True
    assert 'id="entry-saved"' in page.text
    assert page.context["counts"] == {"paper": 1}
    assert page.context["entry"].channel == "paper"  # ready for the next one of the pile
    assert page.context["entry"].language == "pl"
    views = [q for s in page.context["sections"] for q in s.questions]
    assert not any(q.has_answer for q in views)
    assert "Te weinig licht op straat." not in page.text


def test_a_conversation_is_stored_with_its_channel(
    facilitator: TestClient, session: Session
) -> None:
    scan = the_scan(session)
    items = [("channel", "conversation"), ("language", "ar"), (KNELPUNT, "الإنارة ضعيفة")]
    assert enter(facilitator, scan, items).status_code == 303
    (response,) = responses(session)
    assert response.channel == "conversation"
    assert response.language == "ar"
    assert answers_by_key(session, response) == {(KNELPUNT, 0, None, "الإنارة ضعيفة")}
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "response.enter")).one()
    assert audit.detail["channel"] == "conversation"


def test_a_partial_paper_form_is_accepted(facilitator: TestClient, session: Session) -> None:
    scan = the_scan(session)
    items = [
        ("channel", "paper"),
        ("language", "nl"),
        (SATISFACTION, "2"),
        (KNELPUNT, "  "),  # an empty box on paper
        ("prioriteiten.top3.1", ""),
        ("prioriteiten.top3.2", "wonen"),  # only a second choice: it becomes the first
    ]
    saved = enter(facilitator, scan, items)
    assert saved.status_code == 303, saved.text
    (response,) = responses(session)
    assert response.submitted_at is not None
    assert answers_by_key(session, response) == {
        (SATISFACTION, 0, "2", None),
        ("prioriteiten.top3", 1, "wonen", None),
    }


@pytest.mark.parametrize(
    ("bad", "error_key"),
    [
        ((SATISFACTION, "11"), SATISFACTION),
        ((KNELPUNT, "x" * 2001), KNELPUNT),
    ],
    ids=["not-an-option", "too-long"],
)
def test_invalid_input_keeps_what_was_typed_and_stores_nothing(
    facilitator: TestClient, session: Session, bad: tuple[str, str], error_key: str
) -> None:
    scan = the_scan(session)
    idee = f"{FIRST}.idee"
    items = [("channel", "conversation"), ("language", "uk"), (idee, "Meer bankjes"), bad]
    page = enter(facilitator, scan, items)
    assert page.status_code == 422
    assert page.template.name == "staff/paper.html"
    views = {q.key: q for s in page.context["sections"] for q in s.questions}
    assert views[error_key].error
    assert [q.key for q in page.context["failing"]] == [error_key]
    assert views[idee].text_value == "Meer bankjes"
    assert views[idee].error is None
    if error_key == KNELPUNT:
        assert views[KNELPUNT].text_value == "x" * 2001
    else:
        assert views[SATISFACTION].chosen == ["11"]
    assert page.context["entry"].channel == "conversation"
    assert page.context["entry"].language == "uk"
    assert 'id="error-summary"' in page.text
    assert "Meer bankjes" in page.text
    assert responses(session) == []
    assert session.exec(select(func.count()).select_from(Answer)).one() == 0


@pytest.mark.parametrize(
    ("own", "error_field"),
    [
        ([("language", "nl")], "channel"),
        ([("channel", "online"), ("language", "nl")], "channel"),
        ([("channel", "paper"), ("language", "fr")], "language"),
    ],
    ids=["no-channel", "online-channel", "unknown-language"],
)
def test_channel_and_language_are_checked(
    facilitator: TestClient, session: Session, own: list[tuple[str, str]], error_field: str
) -> None:
    scan = the_scan(session)
    page = enter(facilitator, scan, [*own, (SATISFACTION, "3")])
    assert page.status_code == 422
    assert set(page.context["entry"].errors) == {error_field}
    assert f'href="#entry-{error_field}"' in page.text
    views = {q.key: q for s in page.context["sections"] for q in s.questions}
    assert views[SATISFACTION].chosen == ["3"]
    assert responses(session) == []


def test_an_unknown_field_is_refused(facilitator: TestClient, session: Session) -> None:
    scan = the_scan(session)
    page = enter(facilitator, scan, [("channel", "paper"), ("vraag-die-niet-bestaat", "1")])
    assert page.status_code == 422
    assert page.context["form_error"] is not None
    assert responses(session) == []


def test_in_code_mode_the_paper_code_is_used_up(facilitator: TestClient, session: Session) -> None:
    scan, (code, other) = with_codes(session)
    page = facilitator.get(entry_url(scan))
    assert page.context["needs_code"] is True
    assert 'name="code"' in page.text
    typed = f" {code[:4].lower()} {code[4:8]}-{code[8:]} "  # as read off a form
    saved = enter(facilitator, scan, [("channel", "paper"), ("code", typed), *all_answers()])
    assert saved.status_code == 303, saved.text
    used = code_row(session, code)
    assert used.used_channel == "paper"
    assert used.used_on is not None
    assert code_row(session, other).used_on is None
    (response,) = responses(session)
    assert response.channel == "paper"
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "response.enter")).one()
    assert code not in str(audit.detail)
    assert used.code_hash not in str(audit.detail)


def send_online_with_code(app: FastAPI, code: str) -> httpx.Response:
    """A resident enters the letter's code, answers every page and sends."""
    with make_client(app) as other:
        resident = Resident(other)
        entered = resident.post(resident.url("/code"), {"code": code})
        assert entered.status_code == 303, entered.text
        for page in PAGES:
            assert resident.save(page, answers_for(page)).status_code == 303
        return resident.post(resident.url("/verstuur"))


def test_a_code_used_on_paper_is_refused_online_at_submit(
    facilitator: TestClient, app: FastAPI, session: Session
) -> None:
    scan, (code, _other) = with_codes(session)
    # The resident has the letter's code in hand and starts online, but does not send yet.
    with make_client(app) as other:
        resident = Resident(other)
        assert resident.post(resident.url("/code"), {"code": code}).status_code == 303
        for page in PAGES:
            assert resident.save(page, answers_for(page)).status_code == 303
        # Meanwhile the household's paper form is entered with the same code.
        assert enter(facilitator, scan, [("channel", "paper"), ("code", code)]).status_code == 303
        refused = resident.post(resident.url("/verstuur"))
    assert refused.status_code == 409
    submitted = [r.channel for r in responses(session) if r.submitted_at is not None]
    assert submitted == ["paper"]
    assert code_row(session, code).used_channel == "paper"


def test_a_code_used_on_paper_cannot_start_online(
    facilitator: TestClient, app: FastAPI, session: Session
) -> None:
    scan, (code, _other) = with_codes(session)
    assert enter(facilitator, scan, [("channel", "paper"), ("code", code)]).status_code == 303
    with make_client(app) as other:
        resident = Resident(other)
        refused = resident.post(resident.url("/code"), {"code": code})
    assert refused.status_code == 409
    assert [r.channel for r in responses(session)] == ["paper"]


def test_a_code_used_online_is_refused_on_paper(
    facilitator: TestClient, app: FastAPI, session: Session
) -> None:
    scan, (code, _other) = with_codes(session)
    assert send_online_with_code(app, code).status_code == 303

    scan = the_scan(session)
    items = [("channel", "paper"), ("language", "nl"), ("code", code), (KNELPUNT, "Afval")]
    page = enter(facilitator, scan, items)
    assert page.status_code == 409
    assert page.template.name == "staff/paper.html"
    assert set(page.context["entry"].errors) == {"code"}
    assert page.context["entry"].code == code
    views = {q.key: q for s in page.context["sections"] for q in s.questions}
    assert views[KNELPUNT].text_value == "Afval"
    assert [r.channel for r in responses(session)] == ["online"]
    assert code_row(session, code).used_channel == "online"


def test_paper_and_online_with_one_code_at_once_count_once(app: FastAPI, session: Session) -> None:
    scan, (code,) = with_codes(session, count=1)
    staff_id = make_user(session, role="facilitator").id
    online, _resume = service.start_response(
        session, scan, language="nl", secret_key=SECRET, now=utcnow()
    )
    code_hash = service.find_unused_code(session, scan, code, secret_key=SECRET)
    engine = app.state.engine
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def on_paper() -> None:
        with open_session(engine) as own:
            own_scan = own.get(Scan, scan.id)
            assert own_scan is not None
            barrier.wait()
            try:
                service.enter_response(
                    own,
                    own_scan,
                    [],
                    {},
                    channel="paper",
                    language="nl",
                    code_hash=code_hash,
                    actor=own.get(User, staff_id),
                    now=utcnow(),
                )
                outcomes.append("paper")
            except service.AccessCodeUsed:
                outcomes.append("paper refused")

    def online_submit() -> None:
        with open_session(engine) as own:
            barrier.wait()
            try:
                service.submit_response(own, online, now=utcnow(), code_hash=code_hash)
                outcomes.append("online")
            except service.AccessCodeUsed:
                outcomes.append("online refused")

    threads = [threading.Thread(target=on_paper), threading.Thread(target=online_submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) in (["online", "paper refused"], ["online refused", "paper"])
    submitted = [r.channel for r in responses(session) if r.submitted_at is not None]
    assert len(submitted) == 1
    assert code_row(session, code).used_channel == submitted[0]


@pytest.mark.parametrize(
    "typed", ["", "ABCD-EFGH-JKMN", "not a code"], ids=["empty", "unknown", "malformed"]
)
def test_a_missing_or_unknown_code_is_refused(
    facilitator: TestClient, session: Session, typed: str
) -> None:
    scan, _plain = with_codes(session, count=1)
    page = enter(facilitator, scan, [("channel", "paper"), ("code", typed), (SATISFACTION, "5")])
    assert page.status_code == 422
    assert set(page.context["entry"].errors) == {"code"}
    assert 'aria-invalid="true"' in page.text
    assert responses(session) == []
    session.rollback()
    assert session.exec(select(AccessCode.used_on)).all() == [None]


def test_other_errors_come_first_and_leave_the_code_unused(
    facilitator: TestClient, session: Session
) -> None:
    scan, (code,) = with_codes(session, count=1)
    page = enter(facilitator, scan, [("channel", "paper"), ("code", code), (SATISFACTION, "9")])
    assert page.status_code == 422
    assert page.context["entry"].code == code
    assert code_row(session, code).used_on is None
    assert enter(facilitator, scan, [("channel", "paper"), ("code", code)]).status_code == 303


def test_a_draft_scan_takes_no_entries(facilitator: TestClient, session: Session) -> None:
    scan = set_scan(session, status="draft")
    assert facilitator.get(entry_url(scan)).status_code == 409
    refused = enter(facilitator, scan, [("channel", "paper"), (SATISFACTION, "4")])
    assert refused.status_code == 409
    assert refused.template.name == "errors/error.html"
    with pytest.raises(Conflict):  # the use-case keeps the rule too
        service.enter_response(
            session,
            the_scan(session),
            [],
            {},
            channel="paper",
            language="nl",
            code_hash=None,
            actor=make_user(session, role="beheerder"),
            now=utcnow(),
        )
    assert responses(session) == []


def test_a_closed_scan_still_takes_paper_collected_before(
    facilitator: TestClient, session: Session
) -> None:
    scan = set_scan(session, status="closed")
    page = facilitator.get(entry_url(scan))
    assert page.status_code == 200
    assert page.context["closed"] is True
    assert 'id="entry-closed"' in page.text
    assert enter(facilitator, scan, [("channel", "paper"), (SATISFACTION, "4")]).status_code == 303
    assert [r.channel for r in responses(session)] == ["paper"]


def test_an_unknown_scan_is_404(facilitator: TestClient) -> None:
    assert facilitator.get("/staff/scans/999999/invoer").status_code == 404


def test_a_post_without_csrf_token_is_refused(facilitator: TestClient, session: Session) -> None:
    scan = the_scan(session)
    refused = facilitator.post(entry_url(scan), data={"channel": "paper", SATISFACTION: "4"})
    assert refused.status_code == 403
    assert responses(session) == []
