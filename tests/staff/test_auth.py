"""Staff log in with a password and, for beheerders, a second factor."""

from datetime import timedelta

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.staff.models import AuditEntry, StaffSession, User
from app.staff.service import token_hash
from tests.conftest import make_client
from tests.staff.helpers import PASSWORD, TOTP_SECRET, log_in, make_user, post


def test_a_facilitator_logs_in_and_only_a_hash_of_the_token_is_stored(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    response = log_in(client, user)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("staff=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    token = client.cookies["staff"]
    stored = session.exec(select(StaffSession)).one()
    assert stored.token_hash == token_hash(token) != token
    home = client.get("/staff")
    assert home.status_code == 200
    assert home.template.name == "staff/home.html"


@pytest.mark.parametrize("email", ["facilitator@zwijndrecht.example", "niemand@example.org"])
def test_a_wrong_password_or_unknown_account_gets_the_same_answer(
    client: TestClient, session: Session, email: str
) -> None:
    make_user(session)
    response = post(client, "/staff/inloggen", {"email": email, "password": "niet het wachtwoord"})
    assert response.status_code == 401
    assert "e-mailadres of wachtwoord" in response.text
    assert client.get("/staff").status_code == 303


def test_logins_are_rate_limited(client: TestClient, session: Session) -> None:
    user = make_user(session)
    for _ in range(5):
        wrong = post(client, "/staff/inloggen", {"email": user.email, "password": "fout"})
        assert wrong.status_code == 401
    blocked = post(client, "/staff/inloggen", {"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


def test_a_beheerder_must_set_up_and_pass_a_second_factor(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, role="beheerder")
    user.totp_enabled, user.totp_secret = False, None
    session.add(user)
    session.commit()
    post(client, "/staff/inloggen", {"email": user.email, "password": PASSWORD})
    assert client.get("/staff").headers["location"] == "/staff/tweede-stap/instellen"
    setup = client.get("/staff/tweede-stap/instellen")
    assert setup.status_code == 200
    assert "<svg" in setup.text
    secret = setup.context["secret"]
    assert post(client, "/staff/tweede-stap/instellen", {"code": "000000"}).status_code == 422
    code = pyotp.TOTP(secret).now()
    assert post(client, "/staff/tweede-stap/instellen", {"code": code}).status_code == 303
    assert client.get("/staff").status_code == 200

    with make_client(client.app) as other:  # type: ignore[arg-type]
        post(other, "/staff/inloggen", {"email": user.email, "password": PASSWORD})
        assert other.get("/staff").headers["location"] == "/staff/tweede-stap"
        assert post(other, "/staff/tweede-stap", {"code": "123456"}).status_code == 401
        ok = post(other, "/staff/tweede-stap", {"code": pyotp.TOTP(secret).now()})
        assert ok.status_code == 303
        assert other.get("/staff").status_code == 200


def test_second_factor_codes_are_rate_limited(client: TestClient, session: Session) -> None:
    user = make_user(session, role="beheerder")
    post(client, "/staff/inloggen", {"email": user.email, "password": PASSWORD})
    for _ in range(5):
        assert post(client, "/staff/tweede-stap", {"code": "000000"}).status_code == 401
    right = post(client, "/staff/tweede-stap", {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert right.status_code == 429


def test_logout_revokes_the_session(client: TestClient, session: Session) -> None:
    user = make_user(session)
    log_in(client, user)
    token = client.cookies["staff"]
    assert post(client, "/staff/uitloggen").status_code == 303
    client.cookies.set("staff", token)
    assert client.get("/staff").headers["location"] == "/staff/inloggen"


def test_logging_in_again_rotates_the_token(client: TestClient, session: Session) -> None:
    user = make_user(session)
    log_in(client, user)
    first = client.cookies["staff"]
    log_in(client, user)
    second = client.cookies["staff"]
    assert first != second
    session.rollback()  # ends the snapshot: see what the app wrote
    old = session.exec(select(StaffSession).where(StaffSession.token_hash == token_hash(first)))
    assert old.one().revoked_at is not None


@pytest.mark.parametrize(
    ("field", "age", "still_in"),
    [
        ("last_seen_at", timedelta(minutes=29), True),
        ("last_seen_at", timedelta(minutes=31), False),
        ("created_at", timedelta(hours=13), False),
    ],
)
def test_sessions_time_out(
    client: TestClient, session: Session, field: str, age: timedelta, still_in: bool
) -> None:
    user = make_user(session)
    log_in(client, user)
    session.rollback()  # ends the snapshot: see what the app wrote
    stored = session.exec(select(StaffSession)).one()
    setattr(stored, field, getattr(stored, field) - age)
    if field == "created_at":
        stored.last_seen_at = stored.last_seen_at - timedelta(minutes=1)
    session.add(stored)
    session.commit()
    assert (client.get("/staff").status_code == 200) is still_in


def test_switching_off_a_user_ends_their_sessions_at_once(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    admin = make_user(session, role="beheerder")
    facilitator = make_user(session)
    with make_client(app) as their:
        log_in(their, facilitator)
        assert their.get("/staff").status_code == 200
        log_in(client, admin)
        off = post(client, f"/staff/gebruikers/{facilitator.id}/uitzetten")
        assert off.status_code == 303
        assert their.get("/staff").headers["location"] == "/staff/inloggen"
        again = post(their, "/staff/inloggen", {"email": facilitator.email, "password": PASSWORD})
        assert again.status_code == 401
    session.rollback()  # ends the snapshot: see what the app wrote
    actions = session.exec(select(AuditEntry.action)).all()
    assert "user.deactivate" in actions


def test_a_beheerder_creates_a_user_with_a_strong_password(
    client: TestClient, session: Session
) -> None:
    log_in(client, make_user(session, role="beheerder"))
    weak = post(
        client,
        "/staff/gebruikers",
        {
            "email": "nieuw@example.org",
            "name": "Nieuw",
            "role": "facilitator",
            "password": "password1234",
        },
    )
    assert weak.status_code == 422
    assert "password" in weak.context["errors"]
    partner_without_org = post(
        client,
        "/staff/gebruikers",
        {"email": "p@example.org", "name": "P", "role": "partner", "password": PASSWORD},
    )
    assert "partner_id" in partner_without_org.context["errors"]
    made = post(
        client,
        "/staff/gebruikers",
        {
            "email": "Nieuw@Example.org",
            "name": "Nieuw",
            "role": "facilitator",
            "password": PASSWORD,
        },
    )
    assert made.status_code == 303
    session.rollback()  # ends the snapshot: see what the app wrote
    assert session.exec(select(User).where(User.email == "nieuw@example.org")).one()
    assert "user.create" in session.exec(select(AuditEntry.action)).all()


def test_the_login_form_needs_its_csrf_token(client: TestClient, session: Session) -> None:
    user = make_user(session)
    forged = client.post("/staff/inloggen", data={"email": user.email, "password": PASSWORD})
    assert forged.status_code == 403


def test_a_facilitator_may_switch_on_a_second_factor(client: TestClient, session: Session) -> None:
    user = make_user(session)
    log_in(client, user)
    home = client.get("/staff")
    assert 'href="/staff/tweede-stap/instellen"' in home.text
    setup = client.get("/staff/tweede-stap/instellen")
    code = pyotp.TOTP(setup.context["secret"]).now()
    assert post(client, "/staff/tweede-stap/instellen", {"code": code}).status_code == 303
    session.rollback()  # ends the snapshot: see what the app wrote
    session.refresh(user)
    assert user.totp_enabled
    assert 'href="/staff/tweede-stap/instellen"' not in client.get("/staff").text
