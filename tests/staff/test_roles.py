"""Every staff route against every role: what a role may not do is a 403 (or a login)."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.staff.helpers import log_in, make_user, post

ROLES = ["anonymous", "partner", "facilitator", "beheerder"]
# (method, path, expected status per role in ROLES order)
ROUTES = [
    ("GET", "/staff", [303, 200, 200, 200]),
    ("GET", "/staff/gebruikers", [303, 403, 403, 200]),
    ("GET", "/staff/audit", [303, 403, 403, 200]),
    ("POST", "/staff/gebruikers", [303, 403, 403, 422]),
    ("POST", "/staff/gebruikers/{other}/uitzetten", [303, 403, 403, 303]),
    ("POST", "/staff/gebruikers/999999/uitzetten", [303, 403, 403, 404]),
]


@pytest.mark.parametrize(("method", "path", "expected"), ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_roles_by_routes(
    client: TestClient, session: Session, role: str, method: str, path: str, expected: list[int]
) -> None:
    other = make_user(session, role="facilitator", email="ander@zwijndrecht.example")
    if role != "anonymous":
        log_in(client, make_user(session, role=role))
    url = path.format(other=other.id)
    response = client.get(url) if method == "GET" else post(client, url)
    assert response.status_code == expected[ROLES.index(role)]
