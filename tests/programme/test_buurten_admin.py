"""Buurten on the staff pages: the list, creating and editing, checked and audited."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.programme.models import Buurt
from app.programme.service import slugify
from app.staff.models import AuditEntry
from tests.conftest import make_client
from tests.staff.helpers import log_in, make_user, post

ROLES = ["anonymous", "partner", "facilitator", "beheerder"]
VALID = {"name": "Oostendam-Noord", "wijk": "Oostendam", "cbs_code": "bu06420101"}


@pytest.fixture
def buurt(session: Session) -> Buurt:
    found = Buurt(name="Walburg", slug="walburg", wijk="Walburg", cbs_code="BU06420201")
    session.add(found)
    session.commit()
    return found


def fresh(session: Session) -> None:
    session.rollback()
    session.expire_all()


def buurten(session: Session) -> list[Buurt]:
    fresh(session)
    return list(session.exec(select(Buurt).order_by(col(Buurt.id))).all())


def audit(session: Session) -> list[AuditEntry]:
    fresh(session)
    return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def facilitator(client: TestClient, session: Session) -> TestClient:
    log_in(client, make_user(session, role="facilitator"))
    return client


ROUTES: list[tuple[str, str, dict[str, str], list[int]]] = [
    ("GET", "/staff/buurten", {}, [303, 200, 200, 200]),
    ("GET", "/staff/buurten/nieuw", {}, [303, 403, 200, 200]),
    ("POST", "/staff/buurten/nieuw", VALID, [303, 403, 303, 303]),
    ("POST", "/staff/buurten/nieuw", {"name": ""}, [303, 403, 422, 422]),
    ("GET", "/staff/buurten/{buurt}", {}, [303, 403, 200, 200]),
    ("POST", "/staff/buurten/{buurt}", {"name": "Walburg-Zuid"}, [303, 403, 303, 303]),
    ("GET", "/staff/buurten/999999", {}, [303, 403, 404, 404]),
    ("POST", "/staff/buurten/999999", {"name": "Nergens"}, [303, 403, 404, 404]),
]


@pytest.mark.parametrize(("method", "path", "form", "expected"), ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_roles_by_routes(
    client: TestClient,
    session: Session,
    buurt: Buurt,
    role: str,
    method: str,
    path: str,
    form: dict[str, str],
    expected: list[int],
) -> None:
    if role != "anonymous":
        log_in(client, make_user(session, role=role))
    url = path.format(buurt=buurt.id)
    response = client.get(url) if method == "GET" else post(client, url, form)
    assert response.status_code == expected[ROLES.index(role)]
    if role == "anonymous":
        assert response.headers["location"] == "/staff/inloggen"


def test_the_list_shows_every_buurt_and_edit_links_only_to_those_who_may_edit(
    client: TestClient, session: Session, buurt: Buurt
) -> None:
    log_in(client, make_user(session, role="partner"))
    page = client.get("/staff/buurten")
    assert page.template.name == "staff/buurten.html"  # type: ignore[attr-defined]
    assert [b.name for b in page.context["buurten"]] == ["Walburg"]  # type: ignore[attr-defined]
    assert f'id="buurt-{buurt.id}"' in page.text
    assert f"/staff/buurten/{buurt.id}" not in page.text
    assert "/staff/buurten/nieuw" not in page.text
    other = make_client(client.app)  # type: ignore[arg-type]
    with other:
        facilitator(other, session)
        page = other.get("/staff/buurten")
        assert f'href="/staff/buurten/{buurt.id}"' in page.text
        assert 'href="/staff/buurten/nieuw"' in page.text


def test_a_new_buurt_gets_a_slug_from_its_name_and_is_audited(
    client: TestClient, session: Session
) -> None:
    facilitator(client, session)
    created = post(client, "/staff/buurten/nieuw", {**VALID, "is_focus": "1"})
    assert created.status_code == 303
    assert created.headers["location"] == "/staff/buurten"
    [new] = buurten(session)
    assert (new.name, new.slug, new.wijk, new.cbs_code) == (
        "Oostendam-Noord",
        "oostendam-noord",
        "Oostendam",
        "BU06420101",
    )
    assert (new.is_focus, new.first_wave) == (True, False)
    [entry] = [e for e in audit(session) if e.action == "buurt.create"]
    assert entry.target_type == "buurt"
    assert entry.target_id == str(new.id)
    assert entry.detail["slug"] == "oostendam-noord"


def test_optional_fields_may_stay_empty(client: TestClient, session: Session) -> None:
    facilitator(client, session)
    created = post(client, "/staff/buurten/nieuw", {"name": "  Kort   Ambacht ", "wijk": " "})
    assert created.status_code == 303
    [new] = buurten(session)
    assert (new.name, new.slug, new.wijk, new.cbs_code) == (
        "Kort Ambacht",
        "kort-ambacht",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "!!!"}, "name"),
        ({"name": "walburg"}, "name"),  # the same name in other letters
        ({"name": "Walburg!"}, "name"),  # another name, the same slug
        ({"name": "Nieuw", "wijk": "x" * 121}, "wijk"),
        ({"name": "Nieuw", "cbs_code": "BU123"}, "cbs_code"),
        ({"name": "Nieuw", "cbs_code": "WK06420101"}, "cbs_code"),
        ({"name": "Nieuw", "cbs_code": "BU0642010A"}, "cbs_code"),
        ({"name": "Nieuw", "cbs_code": "bu06420201"}, "cbs_code"),  # Walburg has it
    ],
)
def test_a_wrong_buurt_is_shown_again_with_the_message_at_the_field(
    client: TestClient, session: Session, buurt: Buurt, form: dict[str, str], field: str
) -> None:
    facilitator(client, session)
    page = post(client, "/staff/buurten/nieuw", form)
    assert page.status_code == 422
    assert page.template.name == "staff/buurt_form.html"  # type: ignore[attr-defined]
    assert list(page.context["errors"]) == [field]  # type: ignore[attr-defined]
    assert f'aria-describedby="buurt-{field}-error" aria-invalid="true"' in page.text or (
        f'buurt-{field}-hint buurt-{field}-error" aria-invalid="true"' in page.text
    )
    assert page.context["values"].name == form["name"][:300]  # type: ignore[attr-defined]
    assert len(buurten(session)) == 1
    assert not [e for e in audit(session) if e.action.startswith("buurt.")]


def test_editing_keeps_the_slug_and_audits_what_changed(
    client: TestClient, session: Session, buurt: Buurt
) -> None:
    facilitator(client, session)
    form = client.get(f"/staff/buurten/{buurt.id}")
    values: Any = form.context["values"]  # type: ignore[attr-defined]
    assert (values.name, values.cbs_code) == ("Walburg", "BU06420201")
    saved = post(
        client,
        f"/staff/buurten/{buurt.id}",
        {"name": "Walburg-Centrum", "wijk": "Walburg", "cbs_code": "BU06420201", "first_wave": "1"},
    )
    assert saved.status_code == 303
    [edited] = buurten(session)
    assert (edited.name, edited.slug, edited.first_wave, edited.is_focus) == (
        "Walburg-Centrum",
        "walburg",
        True,
        False,
    )
    [entry] = [e for e in audit(session) if e.action == "buurt.update"]
    assert entry.detail["changed"] == {
        "name": ["Walburg", "Walburg-Centrum"],
        "first_wave": [False, True],
    }


def test_editing_without_changes_writes_no_audit_entry(
    client: TestClient, session: Session, buurt: Buurt
) -> None:
    facilitator(client, session)
    same = {"name": "Walburg", "wijk": "Walburg", "cbs_code": "BU06420201"}
    assert post(client, f"/staff/buurten/{buurt.id}", same).status_code == 303
    assert not [e for e in audit(session) if e.action == "buurt.update"]


def test_an_edit_may_not_take_another_buurts_name_or_code(
    client: TestClient, session: Session, buurt: Buurt
) -> None:
    session.add(Buurt(name="Heer Oudelands Ambacht", slug="heer-oudelands-ambacht"))
    session.commit()
    facilitator(client, session)
    taken = post(client, f"/staff/buurten/{buurt.id}", {"name": "heer oudelands ambacht"})
    assert taken.status_code == 422
    assert list(taken.context["errors"]) == ["name"]  # type: ignore[attr-defined]
    fresh(session)
    other = session.exec(select(Buurt).where(Buurt.slug == "heer-oudelands-ambacht")).one()
    other_id = other.id
    code = post(
        client, f"/staff/buurten/{other_id}", {"name": other.name, "cbs_code": "BU06420201"}
    )
    assert code.status_code == 422
    assert list(code.context["errors"]) == ["cbs_code"]  # type: ignore[attr-defined]
    assert [b.name for b in buurten(session)] == ["Walburg", "Heer Oudelands Ambacht"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Oostendam-Noord", "oostendam-noord"),
        ("Heer Oudelands Ambacht", "heer-oudelands-ambacht"),
        ("Café 't Veer", "cafe-t-veer"),
        ("  Walburg  ", "walburg"),
        ("x" * 80, "x" * 60),
        ("!!!", ""),
    ],
)
def test_slugs(name: str, slug: str) -> None:
    assert slugify(name) == slug
