"""Bad input never crashes a page or loses what a resident already saved."""

import threading
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import open_session, utcnow
from app.scan import service
from app.scan.models import Answer, Response, Scan
from tests.scan.resident import PAGES, Resident, answers_for

pytestmark = pytest.mark.usefixtures("demo")
FIRST = PAGES[0]
SATISFACTION = f"{FIRST}.tevredenheid"
KNELPUNT = f"{FIRST}.knelpunt"


@pytest.fixture
def resident(client: TestClient) -> Resident:
    resident = Resident(client)
    resident.start()
    resident.save(FIRST, answers_for(FIRST, "Eerste tekst"))
    return resident


def stored(session: Session, key_suffix: str) -> list[str | None]:
    session.rollback()  # ends the snapshot: see what the app wrote
    rows = session.exec(select(Answer)).all()
    from app.scan.models import Question

    ids = {q.id for q in session.exec(select(Question).where(Question.key == key_suffix))}
    return [a.value if a.value is not None else a.text for a in rows if a.question_id in ids]


def test_an_answer_that_is_not_an_option_is_refused_and_the_old_one_kept(
    resident: Resident, session: Session
) -> None:
    page = resident.save(FIRST, [(SATISFACTION, "7")])
    assert page.status_code == 422
    view = {q.key: q for q in page.context["questions"]}[SATISFACTION]
    assert view.error is not None
    assert "Kies een antwoord uit de lijst" in page.text
    assert 'id="error-summary"' in page.text
    assert stored(session, SATISFACTION) == ["4"]


def test_a_missing_required_answer_stops_next_but_not_back(client: TestClient) -> None:
    resident = Resident(client)
    resident.start()
    forward = resident.save(FIRST, [], nav="next")
    assert forward.status_code == 422
    assert {q.key for q in forward.context["questions"] if q.error} == {SATISFACTION}
    backward = resident.save(FIRST, [], nav="back")
    assert backward.status_code == 303


def test_an_unknown_question_key_is_a_clear_error(resident: Resident, session: Session) -> None:
    page = resident.save(FIRST, [*answers_for(FIRST, "Nieuw"), ("vraag.die-niet-bestaat", "1")])
    assert page.status_code == 422
    assert page.context["form_error"] is not None
    assert "vraag die wij niet kennen" in page.text


def test_text_over_2000_characters_is_refused_and_the_saved_text_kept(
    resident: Resident, session: Session
) -> None:
    page = resident.save(FIRST, [(SATISFACTION, "3"), (KNELPUNT, "x" * 2001)])
    assert page.status_code == 422
    assert "2000" in page.text
    assert stored(session, KNELPUNT) == ["Eerste tekst"]
    assert stored(session, SATISFACTION) == ["3"]  # the valid answer on the page is saved
    assert "x" * 2001 in page.text  # what was typed is shown again to shorten


def test_exactly_2000_characters_and_control_characters(
    resident: Resident, session: Session
) -> None:
    text = "é" * 1999 + "\x00"
    page = resident.save(FIRST, [(SATISFACTION, "3"), (KNELPUNT, text)])
    assert page.status_code == 303
    assert stored(session, KNELPUNT) == ["é" * 1999]


def test_a_huge_body_is_refused_with_413(resident: Resident) -> None:
    page = resident.save(FIRST, [(KNELPUNT, "x" * 300_000)])
    assert page.status_code == 413
    assert "te veel tekst" in page.text


def test_a_form_without_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    resident = Resident(client)
    resident.get(resident.url())
    forged = client.post(resident.url("/start"), data={"nav": "next"})
    assert forged.status_code == 403
    wrong = client.post(resident.url("/start"), data={"csrf_token": "0" * 64})
    assert wrong.status_code == 403
    cross = client.post(
        resident.url("/start"),
        data={"csrf_token": resident.csrf()},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    assert session.exec(select(Response)).all() == []


def test_a_post_without_a_deelname_cookie_says_how_to_continue(client: TestClient) -> None:
    resident = Resident(client)
    page = resident.save(FIRST, answers_for(FIRST))
    assert page.status_code == 409
    assert "code" in page.text


def test_a_tampered_deelname_cookie_is_not_trusted(resident: Resident) -> None:
    cookie = resident.client.cookies["deelname"]
    resident.replace_cookie("deelname", cookie[:-3] + ("AAA" if cookie[-3:] != "AAA" else "BBB"))
    assert resident.save(FIRST, answers_for(FIRST)).status_code == 409


def test_a_deelname_of_another_scan_does_not_open_this_one(resident: Resident) -> None:
    other = Resident(resident.client, slug="schildersbuurt")
    page = other.save(FIRST, answers_for(FIRST))
    assert page.status_code == 409


def test_an_unknown_page_is_404(resident: Resident) -> None:
    assert resident.get(resident.url("/stap/bestaat-niet")).status_code == 404
    assert resident.save("bestaat-niet", []).status_code == 404
    assert resident.get("/s/bestaat-niet").status_code == 404


def test_wrong_and_malformed_resume_codes(client: TestClient) -> None:
    resident = Resident(client)
    for typed in ("ABCD-EFGH", "abc", "", "<script>", "0" * 100):
        page = resident.post(resident.url("/verder"), {"code": typed})
        assert page.status_code == 422, typed
        assert page.template.name == "scan/resume.html"
        assert "code" in page.text.lower()


def test_a_used_resume_code_cannot_reopen_a_submitted_scan(resident: Resident, app: object) -> None:
    code = resident.get(resident.url(f"/stap/{PAGES[1]}")).context["resume_code"]
    for page in PAGES[1:]:
        resident.save(page, answers_for(page))
    assert resident.post(resident.url("/verstuur")).status_code == 303
    again = resident.post(resident.url("/verder"), {"code": code})
    assert again.status_code == 409
    assert "al verstuurd" in again.text


def test_a_replayed_submit_is_refused(resident: Resident, session: Session) -> None:
    for page in PAGES[1:]:
        resident.save(page, answers_for(page))
    first = resident.post(resident.url("/verstuur"))
    assert first.status_code == 303
    replay = resident.post(resident.url("/verstuur"))
    assert replay.status_code == 409
    assert len(session.exec(select(Response)).all()) == 1


def test_submit_with_missing_required_answers_shows_them(resident: Resident) -> None:
    page = resident.post(resident.url("/verstuur"))
    assert page.status_code == 422
    assert page.template.name == "scan/review.html"
    assert f"{PAGES[1]}.tevredenheid" in page.context["missing"]


def test_a_closed_scan_shows_a_friendly_page_and_takes_no_answers(
    resident: Resident, session: Session
) -> None:
    scan = session.exec(select(Scan).where(Scan.slug == resident.slug)).one()
    scan.status = "closed"
    session.add(scan)
    session.commit()
    intro = resident.get(resident.url())
    assert intro.status_code == 200
    assert "gesloten" in intro.text
    assert 'action="/s/planetenbuurt/start"' not in intro.text
    refused = resident.save(FIRST, answers_for(FIRST, "Te laat"))
    assert refused.status_code == 409
    assert "gesloten" in refused.text
    assert stored(session, KNELPUNT) == ["Eerste tekst"]


def test_a_scan_that_has_not_started_takes_no_answers(client: TestClient, session: Session) -> None:
    scan = session.exec(select(Scan).where(Scan.slug == "planetenbuurt")).one()
    scan.starts_on = (utcnow() + timedelta(days=3)).date()
    session.add(scan)
    session.commit()
    resident = Resident(client)
    intro = resident.get(resident.url())
    assert intro.status_code == 200
    assert "nog niet begonnen" in intro.text
    assert resident.post(resident.url("/start")).status_code == 409


def test_a_scan_with_codes_cannot_be_started_without_one(
    client: TestClient, session: Session
) -> None:
    scan = session.exec(select(Scan).where(Scan.slug == "planetenbuurt")).one()
    scan.access_mode = "codes"
    session.add(scan)
    session.commit()
    resident = Resident(client)
    assert resident.post(resident.url("/start")).status_code == 403
    assert session.exec(select(Response)).all() == []


def test_two_submits_at_once_count_once(app: object, resident: Resident) -> None:
    for page in PAGES[1:]:
        resident.save(page, answers_for(page))
    engine = app.state.engine  # type: ignore[attr-defined]
    with open_session(engine, write=False) as reader:
        response = reader.exec(select(Response)).one()
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def submit() -> None:
        barrier.wait()
        with open_session(engine, write=True) as own:
            try:
                service.submit_response(own, response, now=utcnow())
                outcomes.append("sent")
            except service.AlreadySubmitted:
                outcomes.append("refused")

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "sent"]


def test_contact_details_are_checked(resident: Resident) -> None:
    page = resident.post(resident.url("/contact"), {"email": "geen-adres", "nav": "next"})
    assert page.status_code == 422
    assert "e-mailadres" in page.text
    long_name = resident.post(resident.url("/contact"), {"name": "n" * 121, "nav": "next"})
    assert long_name.status_code == 422


def test_an_expired_deelname_cookie_asks_for_the_code(resident: Resident) -> None:
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    from app.scan.dependencies import COOKIE_SALT
    from tests.conftest import SECRET

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return super().get_timestamp() - 31 * 86400

    old = URLSafeTimedSerializer(SECRET, salt=COOKIE_SALT).loads(
        resident.client.cookies["deelname"]
    )
    expired = URLSafeTimedSerializer(SECRET, salt=COOKIE_SALT, signer=LongAgo).dumps(old)
    resident.replace_cookie("deelname", expired)
    page = resident.save(PAGES[1], answers_for(PAGES[1]))
    assert page.status_code == 409
    assert "code" in page.text


def test_a_file_instead_of_an_answer_is_refused(resident: Resident, session: Session) -> None:
    page = resident.client.post(
        resident.url(f"/stap/{FIRST}"),
        data={"csrf_token": resident.csrf(), "nav": "next"},
        files={SATISFACTION: ("a.txt", b"4", "text/plain")},
    )
    assert page.status_code == 422
    assert page.context["form_error"] is not None
    assert stored(session, SATISFACTION) == ["4"]


def test_a_json_body_is_refused_without_a_trace(resident: Resident) -> None:
    page = resident.client.post(resident.url(f"/stap/{FIRST}"), json={SATISFACTION: "4"})
    assert page.status_code == 403
    assert "Traceback" not in page.text


def test_the_intro_offers_to_continue_where_the_resident_stopped(resident: Resident) -> None:
    intro = resident.get(resident.url())
    assert intro.context["continue_url"] == resident.url(f"/stap/{PAGES[1]}")
    assert "Opnieuw beginnen" in intro.text
