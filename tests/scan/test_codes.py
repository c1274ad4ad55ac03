"""Access codes: the code rules, batches for staff (a CSV once, hashes only), and residents
entering a code, sending once with it, and never being linked to it."""

import csv
import io
import math
import re
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from app.db import metadata, utcnow
from app.scan import codes, rules, service
from app.scan.models import AccessCode, Answer, Response, Scan
from app.staff.models import AuditEntry
from tests.conftest import SECRET, make_client
from tests.scan.resident import PAGES, Resident, answers_for
from tests.staff.helpers import log_in, make_user, post

pytestmark = pytest.mark.usefixtures("demo")
SLUG = "planetenbuurt"
SHOWN = re.compile(r"^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$")


def the_scan(session: Session, slug: str = SLUG) -> Scan:
    session.rollback()  # ends the snapshot: see what the app wrote
    return session.exec(select(Scan).where(Scan.slug == slug)).one()


def with_codes(session: Session, count: int = 3, slug: str = SLUG) -> list[str]:
    """Switch the scan to codes and make ``count`` codes; returns them as printed."""
    scan = the_scan(session, slug)
    scan.access_mode = "codes"
    session.add(scan)
    session.commit()
    plain = service.generate_codes(session, scan, count=count, secret_key=SECRET)
    session.commit()
    return [codes.format_code(c) for c in plain]


def code_row(session: Session, shown: str) -> AccessCode:
    session.rollback()
    code = codes.normalize_code(shown)
    assert code is not None
    return session.exec(
        select(AccessCode).where(AccessCode.code_hash == codes.hash_code(SECRET, code))
    ).one()


def responses(session: Session) -> list[Response]:
    session.rollback()
    return list(session.exec(select(Response)).all())


def fill_in(resident: Resident) -> None:
    for page in PAGES:
        saved = resident.save(page, answers_for(page))
        assert saved.status_code == 303, saved.text


def enter(resident: Resident, typed: str) -> httpx.Response:
    return resident.post(resident.url("/code"), {"code": typed})


# --- the code rules -------------------------------------------------------------------------


def test_codes_use_an_alphabet_without_look_alikes_and_carry_over_50_bits() -> None:
    alphabet = codes.CODE_ALPHABET
    assert len(set(alphabet)) == len(alphabet)
    assert not set(alphabet) & set("0O1IL")
    assert all(ch.isascii() and (ch.isupper() or ch.isdigit()) for ch in alphabet)
    assert codes.CODE_LENGTH * math.log2(len(alphabet)) >= 50
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    assert all(len(c) == codes.CODE_LENGTH and set(c) <= set(alphabet) for c in made)


def test_a_code_is_printed_in_groups_of_four() -> None:
    code = codes.new_code()
    shown = codes.format_code(code)
    assert SHOWN.match(shown)
    assert shown.replace("-", "") == code


@pytest.mark.parametrize(
    "typed",
    ["ABCD-EFGH-JKMN", "abcd-efgh-jkmn", "abcd efgh jkmn", "  AbCdEfGhJkMn  ", "ABCD–EFGH–JKMN"],
)
def test_what_a_resident_types_is_normalized(typed: str) -> None:
    assert codes.normalize_code(typed) == "ABCDEFGHJKMN"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "ABCD-EFGH",
        "ABCD-EFGH-JKMN-P",
        "ABCD-EFGH-JKM0",  # zero is not in the alphabet
        "ABCD-EFGH-JKMO",  # nor the letter O
        "abcd-efgh-jkml",  # nor L, I or 1
        "ÄBCD-EFGH-JKMN",
        "<script>",
        "A" * 100,
    ],
)
def test_anything_else_is_not_a_code(typed: str) -> None:
    assert codes.normalize_code(typed) is None


def test_the_stored_hash_is_keyed_and_reveals_nothing() -> None:
    code = codes.new_code()
    stored = codes.hash_code(SECRET, code)
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert stored != codes.hash_code("another-secret-key-0123456789", code)
    assert code not in stored


# --- staff: batches and the CSV -------------------------------------------------------------


def ask_codes(session: Session, slug: str = SLUG) -> None:
    """Set the scan's access to 'with codes': only then are codes made."""
    scan = the_scan(session, slug)
    scan.access_mode = "codes"
    session.add(scan)
    session.commit()


@pytest.fixture
def facilitator(client: TestClient, session: Session) -> TestClient:
    ask_codes(session)
    log_in(client, make_user(session, role="facilitator"))
    return client


def test_a_scan_open_to_everyone_gets_no_codes(client: TestClient, session: Session) -> None:
    log_in(client, make_user(session, role="facilitator"))
    for output in ("csv", "pdf"):
        refused = post(client, codes_path(session), {"count": "5", "format": output})
        assert refused.status_code == 409
        assert refused.template.name == "staff/codes.html"  # type: ignore[attr-defined]
        assert "Stel de toegang eerst in op" in refused.text
    session.rollback()
    assert session.exec(select(AccessCode)).all() == []


def codes_path(session: Session, slug: str = SLUG) -> str:
    return f"/staff/scans/{the_scan(session, slug).id}/codes"


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))


def database_text(session: Session) -> str:
    """Every value in every table, as text."""
    session.rollback()
    values: list[str] = []
    for table in metadata.sorted_tables:
        rows = session.connection().execute(table.select()).all()
        values.extend(str(value) for row in rows for value in row)
    return "\n".join(values)


def test_generating_codes_answers_the_csv_once_and_stores_only_hashes(
    facilitator: TestClient, session: Session
) -> None:
    answer = post(facilitator, codes_path(session), {"count": "25"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="codes-{SLUG}-batch1.csv"'
    )
    assert answer.headers["cache-control"] == "no-store"
    header, *rows = read_csv(answer.content)
    assert header == ["code", "link"]
    assert len(rows) == 25
    shown = [code for code, _ in rows]
    assert len(set(shown)) == 25
    for code, link in rows:
        assert SHOWN.match(code)
        assert link == f"http://testserver/s/{SLUG}/code#{code}"
        parts = urlsplit(link)  # the code is in the fragment only, never sent to the server
        assert (parts.path, parts.query, parts.fragment) == (f"/s/{SLUG}/code", "", code)

    session.rollback()  # ends the snapshot: see what the app wrote
    stored = session.exec(select(AccessCode)).all()
    assert len(stored) == 25
    assert {(c.batch, c.exported, c.used_on) for c in stored} == {(1, True, None)}
    expected = {codes.hash_code(SECRET, code.replace("-", "")) for code in shown}
    assert {c.code_hash for c in stored} == expected
    everything = database_text(session)
    for code in shown:
        assert code not in everything
        assert code.replace("-", "") not in everything
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "codes.generate")).one()
    assert audit.target_type == "scan"
    assert audit.target_id == str(the_scan(session).id)
    assert audit.detail == {"count": 25, "batch": 1}


def test_each_generation_is_a_new_batch(facilitator: TestClient, session: Session) -> None:
    first = post(facilitator, codes_path(session), {"count": "2"})
    second = post(facilitator, codes_path(session), {"count": "3"})
    assert second.headers["content-disposition"].endswith('batch2.csv"')
    assert len(read_csv(second.content)) == 4
    assert set(map(tuple, read_csv(first.content)[1:])).isdisjoint(
        map(tuple, read_csv(second.content)[1:])
    )
    session.rollback()
    batches = sorted(c.batch for c in session.exec(select(AccessCode)).all())
    assert batches == [1, 1, 2, 2, 2]


def test_the_codes_page_counts_issued_used_by_channel_and_unused(
    facilitator: TestClient, session: Session
) -> None:
    empty = facilitator.get(codes_path(session))
    assert empty.status_code == 200
    assert empty.template.name == "staff/codes.html"
    assert empty.context["batches"] == []
    assert 'id="no-codes"' in empty.text

    post(facilitator, codes_path(session), {"count": "4"})
    post(facilitator, codes_path(session), {"count": "2"})
    scan = the_scan(session)  # (rolls back: sees the new codes)
    first_batch = [c for c in session.exec(select(AccessCode)).all() if c.batch == 1]
    for row, channel in zip(first_batch, ["online", "online", "paper"], strict=False):
        service.consume_code(session, scan.id or 0, row.code_hash, channel=channel, now=utcnow())
    session.commit()

    page = facilitator.get(codes_path(session))
    assert page.status_code == 200
    one, two = page.context["batches"]
    assert (one.number, one.issued, one.used, one.unused) == (
        1,
        4,
        {"online": 2, "paper": 1, "conversation": 0},
        1,
    )
    assert (two.number, two.issued, two.used_total, two.unused) == (2, 2, 0, 2)
    total = page.context["total"]
    assert (total.issued, total.used_total, total.unused) == (6, 3, 3)
    assert 'id="batch-1"' in page.text
    assert 'id="batch-total"' in page.text
    assert 'name="count"' in page.text
    assert 'id="codes-not-asked"' not in page.text  # the scan asks for codes now


@pytest.mark.parametrize("typed", ["", "0", "-1", "20001", "20.001", "abc", "1.5", "1e3", "٣", " "])
def test_a_wrong_number_of_codes_is_refused_next_to_the_field(
    facilitator: TestClient, session: Session, typed: str
) -> None:
    page = post(facilitator, codes_path(session), {"count": typed})
    assert page.status_code == 422
    assert page.template.name == "staff/codes.html"
    assert page.context["error"]
    assert page.context["typed"] == typed
    assert 'aria-invalid="true"' in page.text
    assert 'href="#codes-count"' in page.text
    session.rollback()
    assert session.exec(select(AccessCode)).all() == []
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "codes.generate")).all() == []


def test_the_largest_batch_is_allowed_also_written_the_dutch_way(
    facilitator: TestClient, session: Session
) -> None:
    assert codes.MAX_BATCH == 20_000
    answer = post(facilitator, codes_path(session), {"count": "20.000"})
    assert answer.status_code == 200
    assert answer.content.count(b"\r\n") == codes.MAX_BATCH + 1
    session.rollback()
    count = session.exec(text("SELECT count(*) FROM access_code")).one()[0]
    assert count == codes.MAX_BATCH


@pytest.mark.parametrize("scan_id", ["999999", "0", "-3", "99999999999999999999"])
def test_codes_of_an_unknown_scan_are_404(facilitator: TestClient, scan_id: str) -> None:
    assert facilitator.get(f"/staff/scans/{scan_id}/codes").status_code == 404
    assert post(facilitator, f"/staff/scans/{scan_id}/codes", {"count": "1"}).status_code == 404


ROLES = ["anonymous", "partner", "facilitator", "beheerder"]
ROUTES = [
    ("GET", "/staff/scans/{scan}/codes", [303, 403, 200, 200]),
    ("POST", "/staff/scans/{scan}/codes", [303, 403, 200, 200]),
    ("GET", "/staff/scans/999999/codes", [303, 403, 404, 404]),
    ("POST", "/staff/scans/999999/codes", [303, 403, 404, 404]),
]


@pytest.mark.parametrize(("method", "path", "expected"), ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_roles_by_code_routes(
    client: TestClient, session: Session, role: str, method: str, path: str, expected: list[int]
) -> None:
    ask_codes(session)
    if role != "anonymous":
        log_in(client, make_user(session, role=role))
    url = path.format(scan=the_scan(session).id)
    response = client.get(url) if method == "GET" else post(client, url, {"count": "1"})
    assert response.status_code == expected[ROLES.index(role)]
    if response.status_code == 303:
        assert response.headers["location"] == "/staff/inloggen"
    session.rollback()
    made = session.exec(select(AccessCode)).all()
    assert len(made) == (1 if method == "POST" and response.status_code == 200 else 0)


# --- residents: the code page ---------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_in_code_mode_the_intro_leads_to_the_code_page(
    client: TestClient, session: Session, htmx: bool
) -> None:
    with_codes(session)
    resident = Resident(client, htmx=htmx)
    intro = resident.get(resident.url())
    assert intro.status_code == 200
    assert 'id="enter-access-code"' in intro.text
    assert f'href="/s/{SLUG}/code"' in intro.text
    assert f'action="/s/{SLUG}/start"' not in intro.text
    assert resident.post(resident.url("/start")).status_code == 403

    page = resident.get(resident.url("/code"))
    assert page.status_code == 200
    assert page.template.name == "scan/code.html"
    field = re.search(r"<input[^>]*id=\"access-code-input\"[^>]*>", page.text)
    assert field is not None
    for attribute in ('name="code"', 'autocomplete="off"', "data-code-from-hash"):
        assert attribute in field.group(0)
    assert 'aria-describedby="access-code-help access-code-error"' in field.group(0)
    assert page.text.count('name="code"') == 1


def test_an_open_scan_sends_the_code_page_to_its_start(client: TestClient) -> None:
    resident = Resident(client)
    assert resident.get(resident.url("/code")).headers["location"] == resident.url()
    assert enter(resident, "ABCD-EFGH-JKMN").headers["location"] == resident.url()


@pytest.mark.parametrize("how", ["as printed", "lower case with spaces"])
def test_a_good_code_starts_a_deelname_without_using_the_code_up(
    client: TestClient, session: Session, how: str
) -> None:
    shown = with_codes(session)[0]
    typed = shown if how == "as printed" else " " + shown.lower().replace("-", " ") + " "
    resident = Resident(client)
    started = enter(resident, typed)
    assert started.status_code == 303
    assert started.headers["location"] == resident.url(f"/stap/{PAGES[0]}")
    assert resident.get(resident.url(f"/stap/{PAGES[0]}")).status_code == 200
    assert len(responses(session)) == 1
    assert code_row(session, shown).used_on is None
    assert "deelname-code" in client.cookies


def test_entering_the_same_code_again_on_the_same_device_continues(
    client: TestClient, session: Session
) -> None:
    shown = with_codes(session)[0]
    resident = Resident(client)
    enter(resident, shown)
    resident.save(PAGES[0], answers_for(PAGES[0]))
    again = enter(resident, shown.lower())
    assert again.headers["location"] == resident.url(f"/stap/{PAGES[1]}")
    assert len(responses(session)) == 1


@pytest.mark.parametrize(
    "typed", ["", "ABCD-EFGH", "ABCD-EFGH-JKMN", "ABCD-EFGH-JKM0", "<script>", "9" * 100]
)
def test_unknown_and_malformed_codes_are_refused(
    client: TestClient, session: Session, typed: str
) -> None:
    with_codes(session)
    resident = Resident(client)
    page = enter(resident, typed)
    assert page.status_code == 422
    assert page.template.name == "scan/code.html"
    assert page.context["error"]
    assert 'aria-invalid="true"' in page.text
    assert "<script>" not in page.text.split("<body", 1)[1]
    assert responses(session) == []


def test_a_used_code_is_refused_at_entry(client: TestClient, session: Session) -> None:
    shown = with_codes(session)[0]
    scan = the_scan(session)
    service.consume_code(
        session, scan.id or 0, code_row(session, shown).code_hash, channel="paper", now=utcnow()
    )
    session.commit()
    page = enter(Resident(client), shown)
    assert page.status_code == 409
    assert page.template.name == "scan/code.html"
    assert responses(session) == []


def test_guessing_codes_is_rate_limited(client: TestClient, session: Session) -> None:
    good = with_codes(session)[0]
    resident = Resident(client)
    for attempt in range(service.CODE_ENTRY_LIMIT):
        page = enter(resident, "ABCD-EFGH-JKMN")
        assert page.status_code == 422, attempt
    blocked = enter(resident, good)  # even the right code waits now
    assert blocked.status_code == 429
    wait = int(blocked.headers["retry-after"])
    assert 0 < wait <= service.CODE_ENTRY_WINDOW_MINUTES * 60
    assert responses(session) == []
    # Another household, on another connection, is not held up.
    with TestClient(client.app, follow_redirects=False, client=("198.51.100.7", 50000)) as other:
        assert enter(Resident(other), good).status_code == 303


def test_right_codes_from_one_address_are_not_limited(client: TestClient, session: Session) -> None:
    """A community centre on one wifi: every household there types its own right code."""
    good = with_codes(session, count=service.CODE_ENTRY_LIMIT + 2)
    for code in good:
        client.cookies.clear()
        assert enter(Resident(client), code).status_code == 303
    assert enter(Resident(client), "ABCD-EFGH-JKMN").status_code == 422  # still counted
    session.rollback()
    assert len(responses(session)) == len(good)


def test_the_limit_counts_tries_not_empty_forms(client: TestClient, session: Session) -> None:
    good = with_codes(session)[0]
    resident = Resident(client)
    for _ in range(service.CODE_ENTRY_LIMIT + 3):
        assert enter(resident, "  ").status_code == 422
    assert enter(resident, good).status_code == 303


def test_a_closed_scan_refuses_codes_kindly(client: TestClient, session: Session) -> None:
    shown = with_codes(session)[0]
    scan = the_scan(session)
    scan.status = "closed"
    session.add(scan)
    session.commit()
    resident = Resident(client)
    assert resident.get(resident.url("/code")).status_code == 409
    assert enter(resident, shown).status_code == 409
    assert responses(session) == []


# --- residents: sending with a code ---------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_code_mode_journey_uses_the_code_up_without_linking_it(
    client: TestClient, session: Session, htmx: bool
) -> None:
    shown = with_codes(session)[0]
    resident = Resident(client, htmx=htmx)
    assert enter(resident, shown).status_code == 303
    fill_in(resident)
    contact = resident.post(
        resident.url("/contact"),
        {"name": "Demo Bewoner", "email": "bewoner@example.org", "nav": "next"},
    )
    assert contact.status_code == 303  # the deelname cookie is rewritten; the code stays
    review = resident.get(resident.url("/controle"))
    assert review.status_code == 200
    assert review.context["needs_code"] is False
    assert 'name="access_code"' not in review.text

    sent = resident.post(resident.url("/verstuur"))
    assert sent.status_code == 303
    assert sent.headers["location"] == resident.url("/bedankt")

    row = code_row(session, shown)
    assert row.used_on == rules.local_date(utcnow())
    assert row.used_channel == "online"
    (response,) = responses(session)
    assert response.submitted_at is not None
    # Nothing ties the code to the response: no key, no shared value, no time of day.
    access_code = metadata.tables["access_code"]
    assert "response" not in {fk.column.table.name for fk in access_code.foreign_keys}
    assert {c.name for c in inspect(AccessCode).columns} == {
        "id",
        "scan_id",
        "code_hash",
        "batch",
        "exported",
        "used_on",
        "used_channel",
    }
    assert str(response.id) not in {str(v) for v in row.model_dump().values()}
    assert row.code_hash not in {str(v) for v in response.model_dump().values()}
    assert row.code_hash not in database_text(session).replace(row.code_hash, "", 1)


def test_a_second_resident_with_the_same_code_gets_409_and_keeps_the_answers(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    shown = with_codes(session)[0]
    first = Resident(client)
    with make_client(app) as other_browser:
        second = Resident(other_browser)
        for resident in (first, second):
            assert enter(resident, shown).status_code == 303
            fill_in(resident)
        assert first.post(first.url("/verstuur")).status_code == 303
        refused = second.post(second.url("/verstuur"))
        assert refused.status_code == 409
        assert refused.context["link"][1] == second.url("/controle")
        still = second.get(second.url("/controle"))
        assert still.status_code == 200
    sent, kept = sorted(responses(session), key=lambda r: r.submitted_at is None)
    assert sent.submitted_at is not None
    assert kept.submitted_at is None
    session.rollback()
    answers = session.exec(select(Answer).where(Answer.response_id == kept.id)).all()
    assert len(answers) == len(
        session.exec(select(Answer).where(Answer.response_id == sent.id)).all()
    )
    assert code_row(session, shown).used_channel == "online"


def test_a_deelname_resumed_elsewhere_asks_for_the_code_to_send(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    shown, other_code = with_codes(session, count=2)[:2]
    phone = Resident(client)
    enter(phone, shown)
    fill_in(phone)
    resume_code = phone.get(phone.url(f"/stap/{PAGES[1]}")).context["resume_code"]
    with make_client(app) as laptop_browser:
        laptop = Resident(laptop_browser)
        assert laptop.post(laptop.url("/verder"), {"code": resume_code}).status_code == 303
        review = laptop.get(laptop.url("/controle"))
        assert review.context["needs_code"] is True
        field = re.search(r"<input[^>]*name=\"access_code\"[^>]*>", review.text)
        assert field is not None
        assert "required" in field.group(0)
        assert 'autocomplete="off"' in field.group(0)

        empty = laptop.post(laptop.url("/verstuur"))
        assert empty.status_code == 422
        assert empty.context["code_error"]
        wrong = laptop.post(laptop.url("/verstuur"), {"access_code": "ABCD-EFGH-JKMN"})
        assert wrong.status_code == 422
        assert wrong.context["code_typed"] == "ABCD-EFGH-JKMN"
        assert 'href="#access-code-input"' in wrong.text
        sent = laptop.post(laptop.url("/verstuur"), {"access_code": shown.lower()})
        assert sent.status_code == 303
    assert code_row(session, shown).used_on is not None
    assert code_row(session, other_code).used_on is None
    assert responses(session)[0].submitted_at is not None


def test_a_wrong_code_typed_on_the_review_page_counts_as_a_try(
    client: TestClient, session: Session
) -> None:
    shown = with_codes(session)[0]
    phone = Resident(client)
    enter(phone, shown)  # right: not a wrong try
    fill_in(phone)
    client.cookies.delete("deelname-code")  # as if resumed here from another device
    assert phone.get(phone.url("/controle")).context["needs_code"] is True
    for _ in range(service.CODE_ENTRY_LIMIT):
        wrong = phone.post(phone.url("/verstuur"), {"access_code": "ABCD-EFGH-JKMN"})
        assert wrong.status_code == 422
    blocked = phone.post(phone.url("/verstuur"), {"access_code": shown})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert code_row(session, shown).used_on is None
    assert [r.submitted_at for r in responses(session)] == [None]
