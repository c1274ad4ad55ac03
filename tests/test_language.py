"""Choosing a language: cookie, Accept-Language, fallbacks, switching mid-scan."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.i18n import negotiate
from app.language import safe_next
from app.scan.models import Answer, Response
from tests.scan.resident import PAGES, Resident, answers_for


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "nl"),
        ("ar", "en", "ar"),
        ("xx", "tr", "tr"),
        (None, "tr-TR,tr;q=0.9,en;q=0.8", "tr"),
        (None, "de-DE,pl;q=0.5,uk;q=0.7", "uk"),
        (None, "en;q=0", "nl"),
        (None, "fr, de", "nl"),
        (None, "en;q=abc, pl", "pl"),
        (None, ";;;,,,q=1", "nl"),
        (None, "x" * 10_000, "nl"),
        (None, ",".join(["de"] * 5000) + ",ar", "nl"),  # only the first ranges are read
        ("", "AR", "ar"),
    ],
)
def test_negotiate(cookie: str | None, header: str | None, expected: str) -> None:
    assert negotiate(cookie, header, "nl") == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/s/planetenbuurt", "/s/planetenbuurt"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next_stays_on_this_site(typed: str | None, expected: str) -> None:
    assert safe_next(typed) == expected


@pytest.mark.usefixtures("demo")
class TestPages:
    def test_the_browser_language_is_offered_first(self, client: TestClient) -> None:
        page = client.get("/s/planetenbuurt", headers={"Accept-Language": "ar,en;q=0.5"})
        assert '<html lang="ar" dir="rtl">' in page.text

    def test_a_garbage_header_falls_back_to_dutch(self, client: TestClient) -> None:
        page = client.get("/", headers={"Accept-Language": "\x01" * 9000 + ";q=2"})
        assert page.status_code == 200
        assert '<html lang="nl" dir="ltr">' in page.text

    def test_every_page_has_the_switcher_named_in_each_language(self, client: TestClient) -> None:
        page = client.get("/s/planetenbuurt")
        for name in ("Nederlands", "English", "Türkçe", "العربية", "Polski", "Українська"):
            assert name in page.text
        assert 'href="/taal/ar?next=/s/planetenbuurt"' in page.text

    def test_choosing_a_language_is_remembered(self, client: TestClient) -> None:
        chosen = client.get("/taal/tr", params={"next": "/s/planetenbuurt"})
        assert chosen.status_code == 303
        assert chosen.headers["location"] == "/s/planetenbuurt"
        assert "lang=tr" in chosen.headers["set-cookie"]
        page = client.get("/s/planetenbuurt", headers={"Accept-Language": "pl"})
        assert '<html lang="tr" dir="ltr">' in page.text

    def test_an_unsupported_language_falls_back_without_an_error(self, client: TestClient) -> None:
        chosen = client.get("/taal/xx", params={"next": "//evil.example"})
        assert chosen.status_code == 303
        assert chosen.headers["location"] == "/"
        assert "set-cookie" not in chosen.headers or "lang=" not in chosen.headers["set-cookie"]
        client.cookies.set("lang", "klingon")
        assert '<html lang="nl"' in client.get("/").text

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_switching_mid_scan_saves_the_page_and_keeps_every_answer(
        self, client: TestClient, session: Session, htmx: bool
    ) -> None:
        resident = Resident(client, htmx=htmx)
        resident.start()
        resident.save(PAGES[0], answers_for(PAGES[0]))
        switched = resident.post(
            resident.url(f"/stap/{PAGES[1]}"),
            [(f"{PAGES[1]}.tevredenheid", "2"), ("switch_lang", "ar")],
        )
        here = resident.url(f"/stap/{PAGES[1]}")
        if htmx:
            assert switched.status_code == 200
            assert switched.headers["hx-redirect"] == here
        else:
            assert switched.status_code == 303
            assert switched.headers["location"] == here
        page = resident.get(here)
        assert '<html lang="ar" dir="rtl">' in page.text
        chosen = {q.key: q.chosen for q in page.context["questions"]}
        assert chosen[f"{PAGES[1]}.tevredenheid"] == ["2"]
        earlier = resident.get(resident.url(f"/stap/{PAGES[0]}"))
        assert {q.key: q.chosen for q in earlier.context["questions"]}[
            f"{PAGES[0]}.tevredenheid"
        ] == ["4"]
        assert session.exec(select(Response.language)).one() == "nl"  # answered in Dutch so far
        resident.save(PAGES[1], answers_for(PAGES[1]))
        session.rollback()  # ends the snapshot: see what the app wrote
        assert session.exec(select(Response.language)).one() == "ar"

    def test_free_text_records_the_language_it_was_written_in(
        self, client: TestClient, session: Session
    ) -> None:
        client.cookies.set("lang", "uk")
        resident = Resident(client)
        resident.start()
        resident.save(PAGES[0], answers_for(PAGES[0], "Мало світла на вулиці"))
        languages = set(session.exec(select(Answer.language).where(Answer.text.is_not(None))))  # type: ignore[union-attr]
        assert languages == {"uk"}

    def test_free_text_is_shown_with_its_own_direction(self, client: TestClient) -> None:
        resident = Resident(client)
        resident.start()
        resident.save(PAGES[0], answers_for(PAGES[0], "مرحبا"))
        page = resident.get(resident.url(f"/stap/{PAGES[0]}"))
        assert 'dir="auto"' in page.text
        assert "مرحبا</textarea>" in page.text
