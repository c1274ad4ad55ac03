"""Staff accounts in tests: plain keyword factories and a logged-in browser."""

from datetime import timedelta

import httpx
import pyotp
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.programme.models import Partner
from app.security import csrf_token_for
from app.staff.models import User
from app.staff.passwords import hash_password
from tests.conftest import SECRET

PASSWORD = "Lange wandeling langs de Oude Maas"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def make_user(
    session: Session, *, role: str = "facilitator", email: str | None = None, totp: bool = False
) -> User:
    partner_id = None
    if role == "partner":
        partner_id = session.exec(select(Partner.id)).first()
        if partner_id is None:
            partner = Partner(name="Trivire", slug="trivire", kind="woningcorporatie")
            session.add(partner)
            session.flush()
            partner_id = partner.id
    user = User(
        email=email or f"{role}@zwijndrecht.example",
        name=role.title(),
        role=role,
        partner_id=partner_id,
        password_hash=hash_password(PASSWORD),
        totp_secret=TOTP_SECRET if totp or role == "beheerder" else None,
        totp_enabled=totp or role == "beheerder",
    )
    session.add(user)
    session.commit()
    return user


def csrf(client: TestClient) -> str:
    if "csrf" not in client.cookies:
        client.get("/staff/inloggen")
    return csrf_token_for(SECRET, client.cookies["csrf"])


def post(client: TestClient, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    return client.post(path, data={**(data or {}), "csrf_token": csrf(client)})


def log_in(client: TestClient, user: User, password: str = PASSWORD) -> httpx.Response:
    response = post(client, "/staff/inloggen", {"email": user.email, "password": password})
    if response.status_code == 303 and user.totp_enabled:
        code = pyotp.TOTP(TOTP_SECRET).now()
        second = post(client, "/staff/tweede-stap", {"code": code})
        assert second.status_code == 303, second.text
    return response


ONE_MINUTE = timedelta(minutes=1)
