"""A resident completes a whole buurtscan, with and without htmx, and resumes elsewhere."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.scan.models import Answer, Contact, Response
from tests.conftest import make_client
from tests.scan.resident import PAGES, Resident, answers_for

pytestmark = pytest.mark.usefixtures("demo")
NASTY = "<script>alert('x')</script> مرحبا بالجيران 👋🏽"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_resident_completes_a_scan(client: TestClient, session: Session, htmx: bool) -> None:
    resident = Resident(client, htmx=htmx)
    home = resident.get("/")
    assert home.status_code == 200
    assert home.template.name == "home/index.html"
    assert "/s/planetenbuurt" in home.text

    intro = resident.get(resident.url())
    assert intro.status_code == 200
    assert intro.template.name == "scan/intro.html"
    assert "Zwijndrecht" in intro.text

    started = resident.start()
    assert started.headers["location"] == resident.url(f"/stap/{PAGES[0]}")

    for number, page in enumerate(PAGES, start=1):
        shown = resident.get(resident.url(f"/stap/{page}"))
        assert shown.status_code == 200
        assert shown.template.name == "scan/step_questions.html"
        assert shown.context["step"].number == number
        assert "<html" in shown.text  # boosted requests get the whole page
        text = NASTY if page == "wonen" else "Te weinig licht op straat."
        saved = resident.save(page, answers_for(page, text))
        assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == resident.url("/contact")

    contact = resident.post(
        resident.url("/contact"),
        {"name": "Demo Bewoner", "email": "bewoner@example.org", "nav": "next"},
    )
    assert contact.status_code == 303
    assert contact.headers["location"] == resident.url("/controle")

    review = resident.get(resident.url("/controle"))
    assert review.status_code == 200
    assert review.template.name == "scan/review.html"
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in review.text
    assert "<script>alert" not in review.text
    assert "مرحبا بالجيران 👋🏽" in review.text

    sent = resident.post(resident.url("/verstuur"))
    assert sent.status_code == 303
    assert sent.headers["location"] == resident.url("/bedankt")
    thanks = resident.get(sent.headers["location"])
    assert thanks.status_code == 200
    assert thanks.template.name == "scan/thanks.html"

    response = session.exec(select(Response)).one()
    assert response.submitted_at is not None
    assert response.channel == "online"
    assert response.language == "nl"
    stored = session.exec(select(Answer.text).where(Answer.text == NASTY)).all()
    assert len(stored) == 2  # knelpunt and idee on the wonen page, stored as typed
    assert session.exec(select(func.count()).select_from(Contact)).one() == 1


def test_htmx_fragment_request_gets_only_the_main_block(client: TestClient) -> None:
    resident = Resident(client)
    resident.start()
    fragment = resident.get(resident.url(f"/stap/{PAGES[0]}"), **{"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'name="csrf_token"' in fragment.text
    assert fragment.headers["vary"] == "HX-Request"


def test_back_and_next_keep_answers(client: TestClient) -> None:
    resident = Resident(client)
    resident.start()
    resident.save(PAGES[0], answers_for(PAGES[0]))
    back = resident.save(PAGES[1], [(f"{PAGES[1]}.tevredenheid", "2")], nav="back")
    assert back.status_code == 303
    assert back.headers["location"] == resident.url(f"/stap/{PAGES[0]}")
    again = resident.get(resident.url(f"/stap/{PAGES[1]}"))
    chosen = {q.key: q.chosen for q in again.context["questions"]}
    assert chosen[f"{PAGES[1]}.tevredenheid"] == ["2"]
    first = resident.get(resident.url(f"/stap/{PAGES[0]}"))
    assert {q.key: q.chosen for q in first.context["questions"]}[f"{PAGES[0]}.tevredenheid"] == [
        "4"
    ]


def test_autosave_saves_without_leaving_the_page(client: TestClient, session: Session) -> None:
    resident = Resident(client)
    resident.start()
    key = f"{PAGES[0]}.tevredenheid"
    saved = resident.post(
        resident.url(f"/stap/{PAGES[0]}/autosave"), {key: "5"}, **{"HX-Request": "true"}
    )
    assert saved.status_code == 200
    assert saved.template.name == "scan/autosave.html"
    assert "Bewaard om" in saved.text
    assert 'hx-swap-oob="true"' in saved.text
    assert session.exec(select(Answer.value)).all() == ["5"]


def test_resume_code_is_shown_after_the_first_save(client: TestClient) -> None:
    resident = Resident(client)
    resident.start()
    before = resident.get(resident.url(f"/stap/{PAGES[0]}"))
    assert before.context["resume_code"] is None
    resident.save(PAGES[0], answers_for(PAGES[0]))
    after = resident.get(resident.url(f"/stap/{PAGES[1]}"))
    code = after.context["resume_code"]
    assert code is not None
    assert len(code) == 9
    assert code[4] == "-"
    assert code in after.text


def test_resume_on_a_second_device(app: FastAPI, client: TestClient) -> None:
    phone = Resident(client)
    phone.start()
    phone.save(PAGES[0], answers_for(PAGES[0]))
    phone.save(PAGES[1], answers_for(PAGES[1]))
    code = phone.get(phone.url(f"/stap/{PAGES[2]}")).context["resume_code"]

    with make_client(app) as other_client:
        laptop = Resident(other_client)
        laptop.get(laptop.url("/verder"))
        resumed = laptop.post(laptop.url("/verder"), {"code": code.lower().replace("-", " ")})
        assert resumed.status_code == 303
        # Back where the resident was: the page after the last one sent with "next".
        assert resumed.headers["location"] == laptop.url(f"/stap/{PAGES[2]}")
        earlier = laptop.get(laptop.url(f"/stap/{PAGES[1]}"))
        chosen = {q.key: q.chosen for q in earlier.context["questions"]}
        assert chosen[f"{PAGES[1]}.tevredenheid"] == ["4"]
        for page_key in PAGES[2:]:
            assert laptop.save(page_key, answers_for(page_key)).status_code == 303
        assert laptop.post(laptop.url("/verstuur")).status_code == 303

    # The first device cannot change or send the submitted response any more.
    late = phone.save(PAGES[2], answers_for(PAGES[2]))
    assert late.status_code == 409
    assert "al verstuurd" in late.text
