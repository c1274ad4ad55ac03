"""The free-text inbox: who may see it, its filters and search, paging, and assigning remarks."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.plannen.models import Remark, Theme
from app.plannen.remark_queries import PAGE_SIZE, InboxPage
from app.programme.models import Pijler
from app.scan.models import Answer
from app.staff.models import AuditEntry
from tests.plannen.remark_factories import (
    HTMX,
    OTHER_SLUG,
    SUBMITTED,
    add_remark,
    add_theme,
    context,
    inbox_url,
    log_in_as,
    remark,
    scan_id,
    send,
)

ROLES = ["anonymous", "partner", "facilitator", "beheerder"]


def shown(response: Any) -> list[int]:
    page: InboxPage = context(response)["page"]
    return [row.answer_id for row in page.rows]


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("scan", "expected"),
    [("planetenbuurt", [303, 403, 200, 200]), ("999999", [303, 403, 404, 404])],
)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_inbox(
    client: TestClient,
    session: Session,
    demo: None,
    role: str,
    scan: str,
    expected: list[int],
    htmx: bool,
) -> None:
    log_in_as(client, session, role)
    target = scan_id(session, scan) if scan == "planetenbuurt" else scan
    response = client.get(inbox_url(target), headers=HTMX if htmx else {})
    assert response.status_code == expected[ROLES.index(role)]
    if role == "anonymous":
        assert response.headers["location"] == "/staff/inloggen"


@pytest.mark.parametrize("htmx", [False, True])
def test_htmx_gets_only_the_result_list(
    client: TestClient, session: Session, demo: None, htmx: bool
) -> None:
    scan = scan_id(session)
    add_remark(session, scan, "Te weinig bankjes")
    log_in_as(client, session, "facilitator")
    response = client.get(inbox_url(scan), headers=HTMX if htmx else {})
    assert response.status_code == 200
    assert response.template.name == "plannen/inbox.html"  # type: ignore[attr-defined]
    assert response.headers["vary"] == "HX-Request"
    assert ("<html" in response.text) is not htmx
    assert 'id="inbox-results"' in response.text
    assert "Te weinig bankjes" in response.text


def test_every_remark_of_submitted_responses_with_pijler_language_and_date(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    knelpunt = add_remark(session, scan, "Schimmel in de badkamer", key="wonen.knelpunt")
    idee = add_remark(session, scan, "More trees", key="leefomgeving.idee", language="en")
    add_remark(session, scan, "Not sent yet", submitted_at=None)
    add_remark(session, scan_id(session, OTHER_SLUG), "Another buurt")
    log_in_as(client, session, "facilitator")
    response = client.get(inbox_url(scan))
    page: InboxPage = context(response)["page"]
    assert page.total == 2
    rows = {row.answer_id: row for row in page.rows}
    assert set(rows) == {knelpunt, idee}
    assert rows[knelpunt].kind == "knelpunt"
    assert rows[knelpunt].pijler_key == "wonen"
    assert rows[idee].pijler_key == "leefomgeving"
    assert rows[idee].language == "en"
    assert rows[idee].submitted_on.isoformat() == "2026-11-20"
    assert "Not sent yet" not in response.text


def test_the_day_is_the_municipality_s(client: TestClient, session: Session, demo: None) -> None:
    scan = scan_id(session)
    late = SUBMITTED.replace(hour=23, minute=30)  # 00:30 the next day in Amsterdam (CET)
    add_remark(session, scan, "Na middernacht", submitted_at=late)
    log_in_as(client, session, "facilitator")
    page: InboxPage = context(client.get(inbox_url(scan)))["page"]
    assert page.rows[0].submitted_on.isoformat() == "2026-11-21"


@pytest.fixture
def varied(session: Session, demo: None) -> dict[str, int]:
    """Remarks that differ in one respect each, plus a theme, a quote and a hidden one."""
    scan = scan_id(session)
    ids = {
        "wonen": add_remark(session, scan, "Tocht door de ramen", key="wonen.knelpunt"),
        "idee": add_remark(session, scan, "Een moestuin", key="leefomgeving.idee"),
        "english": add_remark(session, scan, "Broken lifts", language="en"),
        "helper": add_remark(
            session, scan, "Vuil op straat", key="leefomgeving.knelpunt", helpen="ja"
        ),
        "maybe": add_remark(
            session, scan, "Meer groen", key="leefomgeving.idee", helpen="misschien"
        ),
        "no": add_remark(session, scan, "Hondenpoep", key="leefomgeving.knelpunt", helpen="nee"),
    }
    theme = add_theme(session, scan, "Groen")
    session.add(Remark(answer_id=ids["idee"], theme_id=theme))
    session.add(Remark(answer_id=ids["english"], is_quote=True))
    session.add(Remark(answer_id=ids["no"], hidden_reason="naam genoemd", hidden_at=SUBMITTED))
    session.commit()
    ids["scan"] = scan
    ids["theme"] = theme
    return ids


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?pijler=wonen", ["wonen", "english"]),
        ("?soort=idee", ["idee", "maybe"]),
        ("?taal=en", ["english"]),
        ("?helpen=1", ["helper", "maybe"]),
        ("?thema={theme}", ["idee"]),
        ("?thema=none", ["wonen", "english", "helper", "maybe", "no"]),
        ("?citaten=1", ["english"]),
        ("?zichtbaar=hidden", ["no"]),
        ("?zichtbaar=visible", ["wonen", "idee", "english", "helper", "maybe"]),
        ("?pijler=leefomgeving&soort=knelpunt&zichtbaar=visible", ["helper"]),
        ("", ["wonen", "idee", "english", "helper", "maybe", "no"]),
        ("?pijler=onbekend", []),
        ("?thema=99999", []),
        (
            "?soort=<b>&taal=x'y&zichtbaar=all'--",
            ["wonen", "idee", "english", "helper", "maybe", "no"],
        ),
    ],
)
def test_filters(
    client: TestClient, session: Session, varied: dict[str, int], query: str, expected: list[str]
) -> None:
    log_in_as(client, session, "facilitator")
    response = client.get(inbox_url(varied["scan"], query.format(theme=varied["theme"])))
    assert response.status_code == 200
    assert sorted(shown(response)) == sorted(varied[name] for name in expected)
    assert context(response)["page"].total == len(expected)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("speeltuin", ["plain", "upper"]),
        ("100%", ["percent"]),
        ("%", ["percent"]),
        ("a_b", ["underscore"]),
        ("_", ["underscore"]),
        ("<script>", ["script"]),
        ("حديقة", ["arabic"]),
        ("x" * 10_000, []),
        ("'; DROP TABLE answer; --", []),
    ],
)
def test_search_is_a_safe_case_insensitive_substring(
    client: TestClient, session: Session, demo: None, search: str, expected: list[str]
) -> None:
    scan = scan_id(session)
    ids = {
        "plain": add_remark(session, scan, "De speeltuin is kapot"),
        "upper": add_remark(session, scan, "SPEELTUIN te klein"),
        "percent": add_remark(session, scan, "Huur 100% omhoog"),
        "underscore": add_remark(session, scan, "Code a_b op de deur"),
        "script": add_remark(session, scan, "<script>alert(1)</script> graffiti"),
        "arabic": add_remark(session, scan, "الحديقة حديقة جميلة", language="ar"),
        "other": add_remark(session, scan, "Niets bijzonders, abcd"),
    }
    log_in_as(client, session, "facilitator")
    response = client.get(inbox_url(scan), params={"q": search})
    assert response.status_code == 200
    assert sorted(shown(response)) == sorted(ids[name] for name in expected)
    assert len(context(response)["filters"].q) <= 200
    assert "<script>alert(1)</script>" not in response.text


def test_resident_text_is_escaped_and_marked_with_its_language(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    add_remark(session, scan, "<script>alert(1)</script> الحديقة", language="ar")
    log_in_as(client, session, "facilitator")
    response = client.get(inbox_url(scan))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; الحديقة" in response.text
    assert 'dir="auto" lang="ar"' in response.text


def test_newest_first_fifty_a_page(client: TestClient, session: Session, demo: None) -> None:
    scan = scan_id(session)
    ids = [
        add_remark(session, scan, f"Opmerking {n}", submitted_at=SUBMITTED + timedelta(minutes=n))
        for n in range(PAGE_SIZE + 3)
    ]
    log_in_as(client, session, "facilitator")
    first = client.get(inbox_url(scan))
    page: InboxPage = context(first)["page"]
    assert (page.total, page.page, page.pages) == (PAGE_SIZE + 3, 1, 2)
    assert shown(first) == list(reversed(ids))[:PAGE_SIZE]
    second = client.get(inbox_url(scan, "?pagina=2"))
    assert shown(second) == list(reversed(ids))[PAGE_SIZE:]
    beyond = client.get(inbox_url(scan, "?pagina=999999"))
    assert context(beyond)["page"].page == 2


def test_bulk_assign_puts_every_ticked_remark_in_the_theme(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    ids = [add_remark(session, scan, f"Opmerking {n}") for n in range(3)]
    theme = add_theme(session, scan, "Onderhoud")
    log_in_as(client, session, "facilitator")
    response = send(
        client,
        f"{inbox_url(scan)}/indelen",
        {
            "answer": [str(i) for i in ids[:2]],
            "thema": str(theme),
            "terug": "?soort=knelpunt&q=x y",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == inbox_url(scan, "?soort=knelpunt&q=x+y")
    assert [remark(session, i) and remark(session, i).theme_id for i in ids] == [theme, theme, None]  # type: ignore[union-attr]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "remarks.assign")).one()
    assert entry.detail == {"answer_ids": ids[:2], "theme_id": theme}


def pijler_of(session: Session, key: str) -> int | None:
    return session.exec(select(Pijler.id).where(Pijler.key == key)).one()


def test_a_new_theme_over_remarks_of_two_pijlers_has_none(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    ids = [
        add_remark(session, scan, "Schimmel", key="wonen.knelpunt"),
        add_remark(session, scan, "Donker pad", key="veiligheid.knelpunt"),
    ]
    log_in_as(client, session, "facilitator")
    send(client, f"{inbox_url(scan)}/indelen", {"answer": [str(i) for i in ids], "nieuw": "Mix"})
    session.rollback()
    assert session.exec(select(Theme.pijler_id).where(Theme.scan_id == scan)).one() is None


def test_bulk_assign_to_a_new_theme_and_back_to_none(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    ids = [add_remark(session, scan, f"Opmerking {n}") for n in range(2)]
    log_in_as(client, session, "facilitator")
    path = f"{inbox_url(scan)}/indelen"
    response = send(client, path, {"answer": [str(i) for i in ids], "nieuw": "  Verlichting "})
    assert response.status_code == 303
    session.rollback()
    theme = session.exec(select(Theme).where(Theme.scan_id == scan)).one()
    assert theme.name == "Verlichting"
    assert theme.pijler_id == pijler_of(session, "wonen")  # all its remarks are about wonen
    assert {remark(session, i).theme_id for i in ids} == {theme.id}  # type: ignore[union-attr]
    response = send(client, path, {"answer": [str(ids[0])], "thema": "none"})
    assert response.status_code == 303
    assert remark(session, ids[0]).theme_id is None  # type: ignore[union-attr]


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"thema": "{theme}"}, "answers"),
        ({"answer": ["{answer}"]}, "theme"),
        ({"answer": ["abc"], "thema": "{theme}"}, "answers"),
        ({"answer": ["{answer}"], "nieuw": "x" * 81}, "new"),
        ({"answer": ["{answer}"], "nieuw": "onderhoud"}, "new"),
    ],
)
def test_bulk_assign_bad_input_is_422_next_to_the_field(
    client: TestClient,
    session: Session,
    demo: None,
    data: dict[str, Any],
    field: str,
    htmx: bool,
) -> None:
    scan = scan_id(session)
    answer = add_remark(session, scan, "Opmerking")
    theme = add_theme(session, scan, "Onderhoud")
    log_in_as(client, session, "facilitator")
    filled = {
        k: [v.format(answer=answer) for v in value]
        if isinstance(value, list)
        else value.format(theme=theme)
        for k, value in data.items()
    }
    response = send(client, f"{inbox_url(scan)}/indelen", filled, htmx=htmx)
    assert response.status_code == 422
    assert field in context(response)["bulk_errors"]
    assert ("<html" in response.text) is not htmx
    assert remark(session, answer) is None
    assert session.exec(select(Theme).where(Theme.scan_id == scan)).all()[0].name == "Onderhoud"


@pytest.mark.parametrize(
    "which", ["other_scan_answer", "unknown_answer", "other_scan_theme", "unknown_theme"]
)
def test_bulk_assign_outside_the_scan_is_404_and_changes_nothing(
    client: TestClient, session: Session, demo: None, which: str
) -> None:
    scan, other = scan_id(session), scan_id(session, OTHER_SLUG)
    mine = add_remark(session, scan, "Mijn buurt")
    ids = {
        "answer": [str(mine)],
        "thema": str(add_theme(session, scan, "Onderhoud")),
    }
    if which == "other_scan_answer":
        ids["answer"].append(str(add_remark(session, other, "Andere buurt")))
    elif which == "unknown_answer":
        ids["answer"].append("987654")
    elif which == "other_scan_theme":
        ids["thema"] = str(add_theme(session, other, "Elders"))
    else:
        ids["thema"] = "987654"
    log_in_as(client, session, "facilitator")
    response = send(client, f"{inbox_url(scan)}/indelen", ids)  # type: ignore[arg-type]
    assert response.status_code == 404
    assert remark(session, mine) is None


@pytest.mark.parametrize("htmx", [False, True])
def test_assign_one_remark_swaps_its_row(
    client: TestClient, session: Session, demo: None, htmx: bool
) -> None:
    scan = scan_id(session)
    answer = add_remark(session, scan, "Losse tegels")
    theme = add_theme(session, scan, "Stoep")
    log_in_as(client, session, "facilitator")
    path = f"{inbox_url(scan)}/{answer}/thema"
    response = send(client, path, {"thema": str(theme), "terug": "?thema=none"}, htmx=htmx)
    if htmx:
        assert response.status_code == 200
        assert response.text.lstrip().startswith(f'<li class="remark" id="remark-{answer}"')
        assert context(response)["row"].theme_name == "Stoep"
    else:
        assert response.status_code == 303
        assert response.headers["location"] == inbox_url(scan, f"?thema=none#remark-{answer}")
    assert remark(session, answer).theme_id == theme  # type: ignore[union-attr]
    assert send(client, path, {"thema": "nonsense"}, htmx=htmx).status_code == 422


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 303), ("partner", 403), ("facilitator", 303), ("beheerder", 303)],
)
def test_who_may_assign(
    client: TestClient, session: Session, demo: None, role: str, expected: int
) -> None:
    scan = scan_id(session)
    answer = add_remark(session, scan, "Losse tegels")
    theme = add_theme(session, scan, "Stoep")
    log_in_as(client, session, role)
    response = send(client, f"{inbox_url(scan)}/{answer}/thema", {"thema": str(theme)})
    assert response.status_code == expected
    assigned = remark(session, answer)
    assert (assigned is not None and assigned.theme_id == theme) is (
        role in ("facilitator", "beheerder")
    )


def test_answers_of_other_kinds_are_no_remarks(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    add_remark(session, scan, "Losse tegels", helpen="ja")
    helpen = session.exec(select(Answer.id).where(col(Answer.value) == "ja")).one()
    log_in_as(client, session, "facilitator")
    response = send(client, f"{inbox_url(scan)}/{helpen}/thema", {"thema": ""})
    assert response.status_code == 404


@pytest.mark.parametrize("odd", ["²", "١", "-1", "1.5", "x" * 500])
def test_odd_page_and_theme_numbers_are_ignored(
    client: TestClient, session: Session, demo: None, odd: str
) -> None:
    """A superscript two is a digit to ``str.isdigit`` but not a number to ``int``."""
    scan = scan_id(session)
    add_remark(session, scan, "De speeltuin is kapot")
    log_in_as(client, session, "facilitator")
    response = client.get(inbox_url(scan), params={"pagina": odd, "thema": odd})
    assert response.status_code == 200
    assert len(shown(response)) == 1


@pytest.mark.parametrize("path", ["/staff/scans/abc/inbreng", "/staff/scans/1.5/themas"])
def test_a_malformed_address_is_not_found(
    client: TestClient, session: Session, demo: None, path: str
) -> None:
    log_in_as(client, session, "facilitator")
    response = client.get(path)
    assert response.status_code == 404
    assert response.template.name == "errors/error.html"  # type: ignore[attr-defined]
