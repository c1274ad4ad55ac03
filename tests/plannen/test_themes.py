"""Themes: create, rename, merge, delete, counts per theme; accepting and rejecting suggestions."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.plannen.models import RejectedSuggestion, Remark, Theme
from app.plannen.remark_queries import theme_counts
from app.programme.models import Pijler
from app.staff.models import AuditEntry
from tests.plannen.remark_factories import (
    HTMX,
    OTHER_SLUG,
    SUBMITTED,
    add_remark,
    add_theme,
    context,
    log_in_as,
    remark,
    scan_id,
    send,
    themes_url,
)

ROLES = ["anonymous", "partner", "facilitator", "beheerder"]


def theme_names(session: Session, scan: int) -> list[str]:
    session.rollback()
    return sorted(session.exec(select(Theme.name).where(Theme.scan_id == scan)).all())


def actions(session: Session) -> list[str]:
    session.rollback()
    return list(session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all())


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("scan", "expected"),
    [("planetenbuurt", [303, 403, 200, 200]), ("999999", [303, 403, 404, 404])],
)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_themes(
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
    response = client.get(themes_url(target), headers=HTMX if htmx else {})
    assert response.status_code == expected[ROLES.index(role)]
    if response.status_code == 200:
        assert response.template.name == "plannen/themes.html"  # type: ignore[attr-defined]


def test_create_and_rename(client: TestClient, session: Session, demo: None) -> None:
    scan = scan_id(session)
    wonen = session.exec(select(Pijler.id).where(Pijler.key == "wonen")).one()
    log_in_as(client, session, "facilitator")
    response = send(client, themes_url(scan), {"naam": "  Schimmel ", "pijler": str(wonen)})
    assert response.status_code == 303
    session.rollback()
    theme = session.exec(select(Theme).where(Theme.scan_id == scan)).one()
    assert (theme.name, theme.pijler_id) == ("Schimmel", wonen)
    assert response.headers["location"] == f"{themes_url(scan)}#theme-{theme.id}"
    response = send(client, f"{themes_url(scan)}/{theme.id}/hernoemen", {"naam": "Vocht"})
    assert response.status_code == 303
    assert theme_names(session, scan) == ["Vocht"]
    assert actions(session)[-2:] == ["theme.create", "theme.rename"]


@pytest.mark.parametrize(
    ("name", "field"), [("", "name"), ("   ", "name"), ("x" * 81, "name"), ("GROEN", "name")]
)
def test_names_are_1_to_80_characters_and_unique_per_scan(
    client: TestClient, session: Session, demo: None, name: str, field: str
) -> None:
    scan = scan_id(session)
    add_theme(session, scan, "Groen")
    log_in_as(client, session, "facilitator")
    response = send(client, themes_url(scan), {"naam": name})
    assert response.status_code == 422
    assert field in context(response)["errors"]["create"]
    assert 'id="create-name"' in response.text
    assert theme_names(session, scan) == ["Groen"]


def test_the_same_name_in_another_scan_is_fine(
    client: TestClient, session: Session, demo: None
) -> None:
    scan, other = scan_id(session), scan_id(session, OTHER_SLUG)
    add_theme(session, other, "Groen")
    log_in_as(client, session, "facilitator")
    assert send(client, themes_url(scan), {"naam": "Groen"}).status_code == 303
    assert theme_names(session, scan) == ["Groen"]


def test_rename_to_another_theme_s_name_is_refused(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    add_theme(session, scan, "Groen")
    verkeer = add_theme(session, scan, "Verkeer")
    log_in_as(client, session, "facilitator")
    response = send(client, f"{themes_url(scan)}/{verkeer}/hernoemen", {"naam": "groen"})
    assert response.status_code == 422
    assert "name" in context(response)["errors"][f"rename-{verkeer}"]
    # Its own name in another case is a rename, not a clash.
    assert (
        send(client, f"{themes_url(scan)}/{verkeer}/hernoemen", {"naam": "VERKEER"}).status_code
        == 303
    )
    assert theme_names(session, scan) == ["Groen", "VERKEER"]


def test_merge_moves_the_remarks_and_deletes_the_source(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    source, target = add_theme(session, scan, "Bankjes"), add_theme(session, scan, "Groen")
    ids = [add_remark(session, scan, f"Opmerking {n}") for n in range(3)]
    session.add_all(
        [
            Remark(answer_id=ids[0], theme_id=source),
            Remark(answer_id=ids[1], theme_id=source),
            Remark(answer_id=ids[2], theme_id=target),
        ]
    )
    session.commit()
    log_in_as(client, session, "facilitator")
    response = send(client, f"{themes_url(scan)}/{source}/samenvoegen", {"doel": str(target)})
    assert response.status_code == 303
    assert theme_names(session, scan) == ["Groen"]
    assert {remark(session, i).theme_id for i in ids} == {target}  # type: ignore[union-attr]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "theme.merge")).one()
    assert entry.detail["moved"] == 2
    assert entry.detail["into"] == target


@pytest.mark.parametrize("target", ["self", ""])
def test_merging_into_itself_or_nothing_is_refused(
    client: TestClient, session: Session, demo: None, target: str
) -> None:
    scan = scan_id(session)
    theme = add_theme(session, scan, "Groen")
    add_theme(session, scan, "Verkeer")
    log_in_as(client, session, "facilitator")
    doel = str(theme) if target == "self" else ""
    response = send(client, f"{themes_url(scan)}/{theme}/samenvoegen", {"doel": doel})
    assert response.status_code == 422
    error = str(context(response)["errors"][f"merge-{theme}"]["target"])
    assert "type the name" not in error  # the merge form has no field for a new name
    assert theme_names(session, scan) == ["Groen", "Verkeer"]


@pytest.mark.parametrize("action", ["hernoemen", "samenvoegen", "verwijderen"])
@pytest.mark.parametrize("which", ["other_scan", "unknown"])
def test_themes_of_other_scans_are_404(
    client: TestClient, session: Session, demo: None, action: str, which: str
) -> None:
    scan, other = scan_id(session), scan_id(session, OTHER_SLUG)
    mine = add_theme(session, scan, "Groen")
    theirs = add_theme(session, other, "Elders") if which == "other_scan" else 987654
    log_in_as(client, session, "facilitator")
    response = send(
        client, f"{themes_url(scan)}/{theirs}/{action}", {"naam": "Nieuw", "doel": str(mine)}
    )
    assert response.status_code == 404
    # ... also as the target of a merge.
    response = send(client, f"{themes_url(scan)}/{mine}/samenvoegen", {"doel": str(theirs)})
    assert response.status_code == 404
    assert theme_names(session, scan) == ["Groen"]
    if which == "other_scan":
        assert theme_names(session, other) == ["Elders"]


def test_delete_unassigns_its_remarks(client: TestClient, session: Session, demo: None) -> None:
    scan = scan_id(session)
    theme = add_theme(session, scan, "Groen")
    answer = add_remark(session, scan, "Meer bomen")
    session.add(Remark(answer_id=answer, theme_id=theme, is_quote=True))
    session.commit()
    log_in_as(client, session, "facilitator")
    assert send(client, f"{themes_url(scan)}/{theme}/verwijderen").status_code == 303
    assert theme_names(session, scan) == []
    left = remark(session, answer)
    assert left is not None
    assert (left.theme_id, left.is_quote) == (None, True)
    assert "theme.delete" in actions(session)


def test_partner_cannot_change_themes(client: TestClient, session: Session, demo: None) -> None:
    scan = scan_id(session)
    theme = add_theme(session, scan, "Groen")
    log_in_as(client, session, "partner")
    assert send(client, themes_url(scan), {"naam": "Nieuw"}).status_code == 403
    assert send(client, f"{themes_url(scan)}/{theme}/verwijderen").status_code == 403
    assert theme_names(session, scan) == ["Groen"]


def test_counts_are_of_visible_remarks_per_theme_and_pijler(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    pijlers = dict(session.exec(select(Pijler.key, Pijler.id)).all())
    groen, verkeer = add_theme(session, scan, "Groen"), add_theme(session, scan, "Verkeer")
    empty = add_theme(session, scan, "Leeg")
    rows = [
        (add_remark(session, scan, "a", key="leefomgeving.knelpunt"), groen, None),
        (add_remark(session, scan, "b", key="leefomgeving.idee"), groen, None),
        (add_remark(session, scan, "c", key="wonen.idee"), groen, None),
        (add_remark(session, scan, "d", key="leefomgeving.knelpunt"), groen, "privé"),
        (add_remark(session, scan, "e", key="veiligheid.knelpunt"), verkeer, None),
        (
            add_remark(session, scan, "f", key="veiligheid.knelpunt", submitted_at=None),
            verkeer,
            None,
        ),
    ]
    for answer, theme, hidden in rows:
        session.add(
            Remark(
                answer_id=answer,
                theme_id=theme,
                hidden_reason=hidden,
                hidden_at=SUBMITTED if hidden else None,
            )
        )
    session.commit()
    counts = theme_counts(session, scan)
    assert [(c.theme.id, c.count) for c in counts] == [(groen, 3), (verkeer, 1), (empty, 0)]
    assert counts[0].by_pijler == {pijlers["leefomgeving"]: 2, pijlers["wonen"]: 1}
    log_in_as(client, session, "facilitator")
    page = client.get(themes_url(scan))
    assert [c.count for c in context(page)["counts"]] == [3, 1, 0]
    assert context(page)["unassigned"] == 0


# --- suggestions -------------------------------------------------------------------------------


def keyword(session: Session, stem: str = "speeltuin") -> str:
    """Suggestions are per pijler: the playground remarks answer the wonen pijler's question."""
    pijler = session.exec(select(Pijler.id).where(Pijler.key == "wonen")).one()
    return f"{pijler}:{stem}"


@pytest.fixture
def playgrounds(session: Session, demo: None) -> tuple[int, list[int]]:
    scan = scan_id(session)
    ids = [
        add_remark(session, scan, text)
        for text in (
            "De speeltuin is kapot",
            "Meer speeltuinen voor kinderen",
            "Speeltuin vol glas",
            "Een speeltuin bij de school",
        )
    ]
    add_remark(session, scan, "Te veel auto's")
    return scan, ids


def test_a_suggestion_is_shown_but_assigns_nothing(
    client: TestClient, session: Session, playgrounds: tuple[int, list[int]]
) -> None:
    scan, ids = playgrounds
    log_in_as(client, session, "facilitator")
    response = client.get(themes_url(scan))
    [suggestion] = context(response)["suggestions"]
    assert suggestion.keyword == keyword(session)
    assert list(suggestion.answer_ids) == ids
    assert all(remark(session, i) is None for i in ids)
    assert theme_names(session, scan) == []


def test_accepting_assigns_only_the_chosen_unassigned_remarks(
    client: TestClient, session: Session, playgrounds: tuple[int, list[int]]
) -> None:
    scan, ids = playgrounds
    elders = add_remark(session, scan_id(session, OTHER_SLUG), "Speeltuin elders")
    other_theme = add_theme(session, scan, "Al ingedeeld")
    session.add(Remark(answer_id=ids[2], theme_id=other_theme))
    session.commit()
    log_in_as(client, session, "facilitator")
    chosen = [str(ids[0]), str(ids[1]), str(ids[2]), str(elders)]  # not ids[3]
    response = send(
        client,
        f"/staff/scans/{scan}/suggesties/aannemen",
        {"trefwoord": keyword(session), "naam": "Speeltuinen", "answer": chosen},
    )
    assert response.status_code == 303
    session.rollback()
    theme = session.exec(select(Theme).where(Theme.name == "Speeltuinen")).one()
    assert response.headers["location"] == f"{themes_url(scan)}#theme-{theme.id}"
    assert remark(session, ids[0]).theme_id == theme.id  # type: ignore[union-attr]
    assert remark(session, ids[1]).theme_id == theme.id  # type: ignore[union-attr]
    assert remark(session, ids[2]).theme_id == other_theme  # type: ignore[union-attr]
    assert remark(session, ids[3]) is None
    assert remark(session, elders) is None
    assert theme.pijler_id == session.exec(select(Pijler.id).where(Pijler.key == "wonen")).one()
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "suggestion.accept")).one()
    assert entry.detail["answer_ids"] == [ids[0], ids[1]]


def test_accepting_under_an_existing_name_uses_that_theme(
    client: TestClient, session: Session, playgrounds: tuple[int, list[int]]
) -> None:
    scan, ids = playgrounds
    existing = add_theme(session, scan, "Speeltuinen")
    log_in_as(client, session, "facilitator")
    response = send(
        client,
        f"/staff/scans/{scan}/suggesties/aannemen",
        {"trefwoord": keyword(session), "naam": "speeltuinen", "answer": [str(i) for i in ids]},
    )
    assert response.status_code == 303
    assert theme_names(session, scan) == ["Speeltuinen"]
    assert {remark(session, i).theme_id for i in ids} == {existing}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"naam": "", "answer": "{first}"}, "name"),
        ({"naam": "x" * 81, "answer": "{first}"}, "name"),
        ({"naam": "Speeltuinen"}, "answers"),
        ({"naam": "Speeltuinen", "answer": "nonsense"}, "answers"),
    ],
)
def test_accepting_with_bad_input_is_422(
    client: TestClient,
    session: Session,
    playgrounds: tuple[int, list[int]],
    data: dict[str, str],
    field: str,
) -> None:
    scan, ids = playgrounds
    log_in_as(client, session, "facilitator")
    filled = {k: v.format(first=ids[0]) for k, v in data.items()}
    response = send(
        client,
        f"/staff/scans/{scan}/suggesties/aannemen",
        {"trefwoord": keyword(session), **filled},
    )
    assert response.status_code == 422
    assert field in context(response)["errors"][f"s-{keyword(session)}"]
    assert theme_names(session, scan) == []
    assert all(remark(session, i) is None for i in ids)


def test_rejecting_persists(
    client: TestClient, session: Session, playgrounds: tuple[int, list[int]]
) -> None:
    scan, ids = playgrounds
    log_in_as(client, session, "facilitator")
    path = f"/staff/scans/{scan}/suggesties/afwijzen"
    assert send(client, path, {"trefwoord": keyword(session)}).status_code == 303
    assert (
        send(client, path, {"trefwoord": keyword(session)}).status_code == 303
    )  # twice is harmless
    session.rollback()
    rejected = session.exec(
        select(RejectedSuggestion.keyword).where(RejectedSuggestion.scan_id == scan)
    )
    assert list(rejected) == [keyword(session)]
    assert context(client.get(themes_url(scan)))["suggestions"] == []
    assert all(remark(session, i) is None for i in ids)
    assert actions(session).count("suggestion.reject") == 2
    other = scan_id(session, OTHER_SLUG)
    for text in ("Speeltuin a", "Speeltuin b", "Speeltuin c"):
        add_remark(session, other, text)
    assert [s.keyword for s in context(client.get(themes_url(other)))["suggestions"]] == [
        keyword(session)
    ]
