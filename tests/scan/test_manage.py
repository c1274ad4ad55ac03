"""Scan management by staff: set-up, questions, texts per language, preview, honest changes."""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.db import utcnow
from app.i18n import LANGUAGES
from app.programme.models import Buurt, Pijler
from app.scan import changes, questionnaire, rules, service
from app.scan.changes import Change
from app.scan.models import Answer, Question, Response, Scan
from app.staff.models import AuditEntry
from tests.scan.resident import Resident
from tests.staff.helpers import log_in, make_user, post

ROLES = ["anonymous", "partner", "facilitator", "beheerder"]
SLUG = "planetenbuurt"


@dataclass
class Setup:
    buurt: Buurt
    scan: Scan

    @property
    def scan_id(self) -> int:
        assert self.scan.id is not None
        return self.scan.id


def make_scan(session: Session, *, slug: str = SLUG, access_mode: str = "open") -> Setup:
    """The pijlers, a buurt and an open scan with the default questionnaire."""
    data = questionnaire.load_default()
    if session.exec(select(func.count()).select_from(Pijler)).one() == 0:
        session.add_all(questionnaire.pijler_rows(data))
    buurt = Buurt(name=slug.title(), slug=slug)
    session.add(buurt)
    session.flush()
    today = rules.local_date(utcnow())
    scan = service.build_scan(
        session,
        buurt,
        slug=slug,
        title={"nl": f"Buurtscan {buurt.name}"},
        status="open",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
    )
    scan.access_mode = access_mode
    session.add(scan)
    session.commit()
    return Setup(buurt, scan)


@pytest.fixture
def setup(session: Session) -> Setup:
    return make_scan(session)


def fresh(session: Session) -> None:
    """Forget what this session read, so the app's writes are seen."""
    session.rollback()
    session.expire_all()


def question(session: Session, scan_id: int, key: str) -> Question:
    fresh(session)
    found = session.exec(
        select(Question).where(Question.scan_id == scan_id, Question.key == key)
    ).one()
    return found


def page_keys(session: Session, scan_id: int, page: str) -> list[str]:
    fresh(session)
    rows = session.exec(
        select(Question.key)
        .where(Question.scan_id == scan_id, Question.page == page)
        .order_by(col(Question.position))
    ).all()
    return list(rows)


def all_positions(session: Session, scan_id: int) -> list[tuple[str, int]]:
    fresh(session)
    rows = session.exec(
        select(Question.key, Question.position)
        .where(Question.scan_id == scan_id)
        .order_by(col(Question.position))
    ).all()
    return [(key, position) for key, position in rows]


def audit_actions(session: Session) -> list[str]:
    fresh(session)
    return list(session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all())


def count(session: Session, model: Any) -> int:
    fresh(session)
    return session.exec(select(func.count()).select_from(model)).one()


def staff_client(client: TestClient, session: Session, role: str = "facilitator") -> TestClient:
    log_in(client, make_user(session, role=role))
    return client


def submit_response(session: Session, scan_id: int, answers: dict[int, str]) -> None:
    """A submitted deelname answering the given questions (id → value)."""
    now = utcnow()
    response = Response(scan_id=scan_id, language="nl", submitted_at=now)
    session.add(response)
    session.flush()
    session.add_all(
        Answer(response_id=response.id, question_id=question_id, value=value)
        for question_id, value in answers.items()
    )
    session.commit()


# --- roles by routes ---------------------------------------------------------------------------

# (method, path, form, expected status per role in ROLES order)
ROUTES: list[tuple[str, str, dict[str, str], list[int]]] = [
    ("GET", "/staff", {}, [303, 200, 200, 200]),
    ("GET", "/staff/scans/nieuw?buurt={buurt}", {}, [303, 403, 200, 200]),
    (
        "POST",
        "/staff/scans/nieuw",
        {"buurt": "{buurt}", "title": "Buurtscan 2027", "slug": "planetenbuurt-2027"},
        [303, 403, 303, 303],
    ),
    ("GET", "/staff/scans/{scan}", {}, [303, 200, 200, 200]),
    ("GET", "/staff/scans/999999", {}, [303, 404, 404, 404]),
    (
        "POST",
        "/staff/scans/{scan}/instellingen",
        {"title": "Buurtscan", "status": "open", "access_mode": "open"},
        [303, 403, 303, 303],
    ),
    (
        "POST",
        "/staff/scans/{scan}/vragen/{question}/verplaatsen",
        {"direction": "down"},
        [303, 403, 303, 303],
    ),
    ("POST", "/staff/scans/{scan}/vragen/{question}/verwijderen", {}, [303, 403, 303, 303]),
    (
        "POST",
        "/staff/scans/{scan}/stellingen/wonen",
        {"text_nl": "Er zijn genoeg huizen voor jonge mensen."},
        [303, 403, 303, 303],
    ),
    ("GET", "/staff/scans/{scan}/teksten/ar", {}, [303, 403, 200, 200]),
    ("GET", "/staff/scans/{scan}/teksten/xx", {}, [303, 403, 404, 404]),
    ("POST", "/staff/scans/{scan}/teksten/ar", {}, [303, 403, 303, 303]),
    ("GET", "/staff/scans/{scan}/voorbeeld/wonen?taal=ar", {}, [303, 200, 200, 200]),
    ("GET", "/staff/scans/{scan}/voorbeeld/controle", {}, [303, 404, 404, 404]),
]


@pytest.mark.parametrize(("method", "path", "form", "expected"), ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_roles_by_routes(
    client: TestClient,
    session: Session,
    setup: Setup,
    role: str,
    method: str,
    path: str,
    form: dict[str, str],
    expected: list[int],
) -> None:
    if role != "anonymous":
        log_in(client, make_user(session, role=role))
    first = question(session, setup.scan_id, "wonen.tevredenheid")
    values = {"buurt": setup.buurt.id, "scan": setup.scan_id, "question": first.id}
    url = path.format(**values)
    if method == "GET":
        response = client.get(url)
    else:
        response = post(client, url, {k: v.format(**values) for k, v in form.items()})
    assert response.status_code == expected[ROLES.index(role)], response.text[:500]
    if expected[ROLES.index(role)] == 303 and role == "anonymous":
        assert response.headers["location"] == "/staff/inloggen"


def test_a_partner_reads_the_scan_page_without_any_form_to_change_it(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session, "partner")
    page = client.get(f"/staff/scans/{setup.scan_id}")
    assert page.status_code == 200
    assert page.context["can_manage"] is False  # type: ignore[attr-defined]
    assert 'id="settings-form"' not in page.text
    assert "/verwijderen" not in page.text
    assert "/teksten/" not in page.text
    assert f"/staff/scans/{setup.scan_id}/voorbeeld/wonen?taal=ar" in page.text


# --- the overview --------------------------------------------------------------------------------


def test_the_overview_links_every_scan_and_offers_a_new_scan_per_buurt(
    client: TestClient, session: Session, setup: Setup
) -> None:
    empty = Buurt(name="Kort Ambacht", slug="kort-ambacht")
    session.add(empty)
    session.commit()
    staff_client(client, session)
    page = client.get("/staff")
    assert page.status_code == 200
    assert f'href="/staff/scans/{setup.scan_id}"' in page.text
    assert 'href="/staff/buurten"' in page.text
    for buurt_id in (setup.buurt.id, empty.id):
        assert f'href="/staff/scans/nieuw?buurt={buurt_id}"' in page.text
    rows = page.context["rows"]  # type: ignore[attr-defined]
    assert [(b.slug, s.slug if s else None) for b, s in rows] == [
        ("kort-ambacht", None),
        (SLUG, SLUG),
    ]


def test_a_partner_sees_no_new_scan_action(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session, "partner")
    page = client.get("/staff")
    assert page.status_code == 200
    assert "/staff/scans/nieuw" not in page.text
    assert f'href="/staff/scans/{setup.scan_id}"' in page.text


# --- creating a scan ---------------------------------------------------------------------------


def test_a_new_scan_is_a_draft_with_the_default_questionnaire(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    form = client.get(f"/staff/scans/nieuw?buurt={setup.buurt.id}")
    values = form.context["values"]  # type: ignore[attr-defined]
    assert values == {"title": "Buurtscan Planetenbuurt", "slug": "planetenbuurt-2"}
    created = post(client, "/staff/scans/nieuw", {"buurt": str(setup.buurt.id), **values})
    assert created.status_code == 303
    fresh(session)
    scan = session.exec(select(Scan).where(Scan.slug == "planetenbuurt-2")).one()
    assert created.headers["location"] == f"/staff/scans/{scan.id}"
    assert scan.status == "draft"
    assert scan.access_mode == "open"
    assert scan.title == {"nl": "Buurtscan Planetenbuurt"}
    assert scan.buurt_id == setup.buurt.id
    keys = [q["key"] for q in questionnaire.load_default()["questions"]]
    assert [k for k, _ in all_positions(session, scan.id or 0)] == keys
    assert audit_actions(session)[-1] == "scan.create"
    assert client.get(f"/staff/scans/{scan.id}").status_code == 200


@pytest.mark.parametrize(
    ("title", "slug", "field"),
    [
        ("", "nieuwe-scan", "title"),
        ("x" * 121, "nieuwe-scan", "title"),
        ("Buurtscan", SLUG, "slug"),
        ("Buurtscan", "Met Spaties", "slug"),
        ("Buurtscan", "-rand-", "slug"),
        ("Buurtscan", "a" * 61, "slug"),
    ],
)
def test_a_new_scan_needs_a_title_and_a_free_web_address(
    client: TestClient, session: Session, setup: Setup, title: str, slug: str, field: str
) -> None:
    staff_client(client, session)
    scans = count(session, Scan)
    page = post(
        client, "/staff/scans/nieuw", {"buurt": str(setup.buurt.id), "title": title, "slug": slug}
    )
    assert page.status_code == 422
    assert page.template.name == "staff/scan_new.html"  # type: ignore[attr-defined]
    assert list(page.context["errors"]) == [field]  # type: ignore[attr-defined]
    assert f'id="scan-{field}"' in page.text
    assert count(session, Scan) == scans


def test_a_new_scan_for_an_unknown_buurt_is_not_found(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    assert client.get("/staff/scans/nieuw?buurt=999999").status_code == 404
    assert client.get("/staff/scans/nieuw?buurt=abc").status_code == 404
    created = post(client, "/staff/scans/nieuw", {"buurt": "999999", "title": "x", "slug": "x"})
    assert created.status_code == 404


# --- settings ----------------------------------------------------------------------------------


def test_settings_are_saved_and_audited(client: TestClient, session: Session, setup: Setup) -> None:
    staff_client(client, session)
    saved = post(
        client,
        f"/staff/scans/{setup.scan_id}/instellingen",
        {
            "title": "Buurtscan Planetenbuurt 2026",
            "starts_on": "2026-03-01",
            "ends_on": "2026-05-31",
            "status": "closed",
            "access_mode": "codes",
        },
    )
    assert saved.status_code == 303
    fresh(session)
    scan = session.get(Scan, setup.scan_id)
    assert scan is not None
    assert scan.title["nl"] == "Buurtscan Planetenbuurt 2026"
    assert (scan.starts_on.isoformat(), scan.ends_on.isoformat()) == ("2026-03-01", "2026-05-31")  # type: ignore[union-attr]
    assert (scan.status, scan.access_mode) == ("closed", "codes")
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "scan.settings_update")
    ).one()
    assert entry.target_id == str(setup.scan_id)
    assert entry.detail["changed"]["status"] == ["open", "closed"]
    assert entry.detail["changed"]["ends_on"][1] == "2026-05-31"


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        ({"starts_on": "2026-05-01", "ends_on": "2026-04-30"}, "ends_on"),
        ({"starts_on": "1 mei"}, "starts_on"),
        ({"ends_on": "2026-02-30"}, "ends_on"),
        ({"status": "archived"}, "status"),
        ({"access_mode": "everyone"}, "access_mode"),
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
    ],
)
def test_settings_with_an_error_are_shown_again_with_the_message_at_the_field(
    client: TestClient, session: Session, setup: Setup, changed: dict[str, str], field: str
) -> None:
    staff_client(client, session)
    form = {"title": "Buurtscan", "status": "open", "access_mode": "open", **changed}
    page = post(client, f"/staff/scans/{setup.scan_id}/instellingen", form)
    assert page.status_code == 422
    assert page.template.name == "staff/scan_page.html"  # type: ignore[attr-defined]
    assert list(page.context["settings_errors"]) == [field]  # type: ignore[attr-defined]
    assert f'id="settings-{field}-error"' in page.text
    fresh(session)
    scan = session.get(Scan, setup.scan_id)
    assert scan is not None
    assert scan.status == "open"
    assert "scan.settings_update" not in audit_actions(session)


def test_an_end_date_equal_to_the_start_date_is_one_day(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    form = {"title": "Buurtscan", "status": "open", "access_mode": "open"}
    one_day = {**form, "starts_on": "2026-04-01", "ends_on": "2026-04-01"}
    assert post(client, f"/staff/scans/{setup.scan_id}/instellingen", one_day).status_code == 303


# --- questions ---------------------------------------------------------------------------------


def test_questions_move_up_and_down_within_their_page(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    before = page_keys(session, setup.scan_id, "wonen")
    pages_before = [k.split(".")[0] for k, _ in all_positions(session, setup.scan_id)]
    second = question(session, setup.scan_id, before[1])
    moved = post(
        client,
        f"/staff/scans/{setup.scan_id}/vragen/{second.id}/verplaatsen",
        {"direction": "up"},
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/staff/scans/{setup.scan_id}#page-wonen"
    after_up = page_keys(session, setup.scan_id, "wonen")
    assert after_up == [before[1], before[0], *before[2:]]
    post(
        client,
        f"/staff/scans/{setup.scan_id}/vragen/{second.id}/verplaatsen",
        {"direction": "down"},
    )
    assert page_keys(session, setup.scan_id, "wonen") == before
    # The last of a page does not move onto the next page, and the pages keep their order.
    last = question(session, setup.scan_id, before[-1])
    post(
        client, f"/staff/scans/{setup.scan_id}/vragen/{last.id}/verplaatsen", {"direction": "down"}
    )
    assert page_keys(session, setup.scan_id, "wonen") == before
    assert [k.split(".")[0] for k, _ in all_positions(session, setup.scan_id)] == pages_before
    assert audit_actions(session).count("question.move") == 2


def test_a_question_is_removed_and_the_resident_no_longer_sees_it(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    target = question(session, setup.scan_id, "wonen.knelpunt")
    removed = post(client, f"/staff/scans/{setup.scan_id}/vragen/{target.id}/verwijderen")
    assert removed.status_code == 303
    assert "wonen.knelpunt" not in page_keys(session, setup.scan_id, "wonen")
    entry = audit_actions(session)[-1]
    assert entry == "question.remove"
    preview = client.get(f"/staff/scans/{setup.scan_id}/voorbeeld/wonen")
    keys = [q.key for q in preview.context["questions"]]  # type: ignore[attr-defined]
    assert "wonen.knelpunt" not in keys
    assert (
        post(client, f"/staff/scans/{setup.scan_id}/vragen/999999/verwijderen").status_code == 404
    )


def test_a_question_of_another_scan_cannot_be_touched(
    client: TestClient, session: Session, setup: Setup
) -> None:
    other = make_scan(session, slug="bomenbuurt")
    foreign = question(session, other.scan_id, "wonen.knelpunt")
    staff_client(client, session)
    path = f"/staff/scans/{setup.scan_id}/vragen/{foreign.id}/verwijderen"
    assert post(client, path).status_code == 404
    assert "wonen.knelpunt" in page_keys(session, other.scan_id, "wonen")


def test_a_statement_is_added_after_the_pages_statements_on_the_agree_scale(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    before = page_keys(session, setup.scan_id, "wonen")
    positions_before = all_positions(session, setup.scan_id)
    added = post(
        client,
        f"/staff/scans/{setup.scan_id}/stellingen/wonen",
        {"text_nl": "Er zijn genoeg huizen voor jonge mensen.", "text_ar": "توجد بيوت كافية."},
    )
    assert added.status_code == 303
    after = page_keys(session, setup.scan_id, "wonen")
    last_statement = max(i for i, k in enumerate(before) if k.split(".")[1] != "tevredenheid"
                         and question(session, setup.scan_id, k).kind == "scale")  # fmt: skip
    assert after == [
        *before[: last_statement + 1],
        "wonen.stelling-1",
        *before[last_statement + 1 :],
    ]
    new = question(session, setup.scan_id, "wonen.stelling-1")
    assert new.kind == "scale"
    assert new.required is False
    assert new.texts == {
        "nl": {"text": "Er zijn genoeg huizen voor jonge mensen."},
        "ar": {"text": "توجد بيوت كافية."},
    }
    scale = questionnaire.load_default()["scales"]["eens"]
    assert [o["value"] for o in new.options] == [
        *(p["value"] for p in scale["points"]),
        scale["opt_out"]["value"],
    ]
    assert new.options[-1]["opt_out"] is True
    assert new.options[0]["labels"]["ar"] == scale["points"][0]["label"]["ar"]
    # Every later question moved one place on; the order of all others is unchanged.
    positions = all_positions(session, setup.scan_id)
    assert [k for k, _ in positions if k != new.key] == [k for k, _ in positions_before]
    assert len({p for _, p in positions}) == len(positions)
    assert audit_actions(session)[-1] == "question.add"
    # A second one gets the next key, and the resident page shows it.
    post(client, f"/staff/scans/{setup.scan_id}/stellingen/wonen", {"text_nl": "Nog een."})
    assert "wonen.stelling-2" in page_keys(session, setup.scan_id, "wonen")


@pytest.mark.parametrize(
    ("page", "form", "status", "field"),
    [
        ("wonen", {"text_nl": ""}, 422, "nl"),
        ("wonen", {"text_nl": "   ", "text_en": "Enough houses."}, 422, "nl"),
        ("wonen", {"text_nl": "x" * 301}, 422, "nl"),
        ("wonen", {"text_nl": "Goed.", "text_tr": "x" * 301}, 422, "tr"),
        ("over-u", {"text_nl": "Ik woon hier graag."}, 409, None),
        ("bestaat-niet", {"text_nl": "Ik woon hier graag."}, 409, None),
    ],
)
def test_a_statement_needs_dutch_text_and_a_pijler_page(
    client: TestClient,
    session: Session,
    setup: Setup,
    page: str,
    form: dict[str, str],
    status: int,
    field: str | None,
) -> None:
    staff_client(client, session)
    questions = count(session, Question)
    response = post(client, f"/staff/scans/{setup.scan_id}/stellingen/{page}", form)
    assert response.status_code == status
    assert response.template.name == "staff/scan_page.html"  # type: ignore[attr-defined]
    if field:
        assert list(response.context["statement_errors"]) == [field]  # type: ignore[attr-defined]
        assert f'id="statement-{page}-{field}-error"' in response.text
    assert count(session, Question) == questions


# --- texts per language ------------------------------------------------------------------------


def expected_total() -> int:
    """Texts residents read, counted straight from the questionnaire file (with Dutch)."""
    data = questionnaire.load_default()
    total = sum(len(data[section]) for section in ("intro", "thanks"))
    total += sum(len(texts) for texts in data["pages"].values())
    for q in data["questions"]:
        total += 1 + (1 if q.get("help", {}).get("nl") else 0)
        if q["kind"] == "scale":
            scale = data["scales"][q["scale"]]
            total += len(scale["points"]) + (1 if scale.get("opt_out") else 0)
        elif q.get("options_from") == "pijlers":
            total += len(data["pijlers"])
        else:
            total += len(q.get("options", []))
    return total


def test_every_language_of_the_default_questionnaire_is_complete(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    page = client.get(f"/staff/scans/{setup.scan_id}")
    total = expected_total()
    assert page.context["completeness"] == {  # type: ignore[attr-defined]
        code: (total, total) for code in LANGUAGES
    }
    assert f'id="completeness-ar" data-complete="{total}" data-total="{total}"' in page.text


def test_a_statement_in_dutch_only_shows_up_as_missing_in_the_other_languages(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    post(client, f"/staff/scans/{setup.scan_id}/stellingen/wonen", {"text_nl": "Goede huizen."})
    post(
        client,
        f"/staff/scans/{setup.scan_id}/stellingen/veiligheid",
        {"text_nl": "Veilig op straat.", "text_ar": "آمن في الشارع.", "text_en": "Safe."},
    )
    total = expected_total() + 2 * 7  # a statement: its text and the agree scale's 6 labels
    figures = client.get(f"/staff/scans/{setup.scan_id}").context["completeness"]  # type: ignore[attr-defined]
    assert figures == {
        "nl": (total, total),
        "en": (total - 1, total),
        "ar": (total - 1, total),
        "tr": (total - 2, total),
        "pl": (total - 2, total),
        "uk": (total - 2, total),
    }
    # Removing a Turkish text of the default questionnaire counts too.
    satisfaction = question(session, setup.scan_id, "wonen.tevredenheid")
    post(client, f"/staff/scans/{setup.scan_id}/teksten/tr", {f"q{satisfaction.id}.help": ""})
    figures = client.get(f"/staff/scans/{setup.scan_id}").context["completeness"]  # type: ignore[attr-defined]
    assert figures["tr"] == (total - 3, total)


def test_the_text_editor_saves_arabic_and_the_resident_page_shows_it(
    client: TestClient, app: Any, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    target = question(session, setup.scan_id, "wonen.tevredenheid")
    original = copy.deepcopy((target.texts, target.options))
    editor = client.get(f"/staff/scans/{setup.scan_id}/teksten/ar")
    assert editor.status_code == 200
    assert editor.template.name == "staff/scan_texts.html"  # type: ignore[attr-defined]
    assert f'id="text-q{target.id}.text"' in editor.text
    assert 'lang="ar" dir="rtl"' in editor.text
    new_text = "ما رأيك في البيوت في حيّك؟ (نص جديد)"
    saved = post(
        client,
        f"/staff/scans/{setup.scan_id}/teksten/ar",
        {f"q{target.id}.text": new_text, "intro.title": "مرحبًا بك في الاستبيان"},
    )
    assert saved.status_code == 303
    fresh(session)
    stored = session.get(Question, target.id)
    assert stored is not None
    assert stored.texts["ar"]["text"] == new_text
    assert stored.texts["nl"] == original[0]["nl"]  # Dutch untouched
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "scan.texts_update")).one()
    assert entry.detail == {"language": "ar", "texts": ["intro.title", f"q{target.id}.text"]}
    with TestClient(app, follow_redirects=False) as browser:
        browser.cookies.set("lang", "ar")
        resident = Resident(browser, SLUG)
        intro = resident.get(resident.url())
        assert "مرحبًا بك في الاستبيان" in intro.text
        resident.start()
        page = resident.get(resident.url("/stap/wonen"))
        assert page.status_code == 200
        assert '<html lang="ar" dir="rtl">' in page.text
        assert new_text in page.text
        assert page.context["questions"][0].text == new_text  # type: ignore[attr-defined]


def test_an_empty_translation_falls_back_to_dutch(
    client: TestClient, app: Any, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    target = question(session, setup.scan_id, "wonen.tevredenheid")
    saved = post(client, f"/staff/scans/{setup.scan_id}/teksten/ar", {f"q{target.id}.text": ""})
    assert saved.status_code == 303
    stored = question(session, setup.scan_id, "wonen.tevredenheid")
    assert "text" not in stored.texts["ar"]
    preview = client.get(f"/staff/scans/{setup.scan_id}/voorbeeld/wonen?taal=ar")
    assert preview.context["questions"][0].text == target.texts["nl"]["text"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("lang", "name", "value"),
    [
        ("nl", "q{id}.text", ""),
        ("nl", "intro.title", "  "),
        ("nl", "q{id}.opt.1", ""),
        ("en", "q{id}.text", "x" * 301),
        ("en", "q{id}.help", "x" * 501),
        ("ar", "title", "x" * 121),
    ],
)
def test_the_text_editor_shows_errors_at_the_fields_and_saves_nothing(
    client: TestClient, session: Session, setup: Setup, lang: str, name: str, value: str
) -> None:
    staff_client(client, session)
    target = question(session, setup.scan_id, "wonen.tevredenheid")
    original = copy.deepcopy((target.texts, target.options))
    field = name.format(id=target.id)
    ok_field = f"q{target.id}.help"
    page = post(
        client,
        f"/staff/scans/{setup.scan_id}/teksten/{lang}",
        {field: value, **({ok_field: "Nieuwe hulp."} if field != ok_field else {})},
    )
    assert page.status_code == 422
    assert page.template.name == "staff/scan_texts.html"  # type: ignore[attr-defined]
    assert f'id="text-{field}" ' in page.text
    assert 'aria-invalid="true"' in page.text
    stored = question(session, setup.scan_id, "wonen.tevredenheid")
    assert stored.texts == original[0]
    assert "scan.texts_update" not in audit_actions(session)


def test_dutch_texts_can_change_while_nothing_is_answered(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    target = question(session, setup.scan_id, "wonen.tevredenheid")
    original = copy.deepcopy((target.texts, target.options))
    saved = post(
        client,
        f"/staff/scans/{setup.scan_id}/teksten/nl",
        {f"q{target.id}.text": "Hoe vindt u de huizen?", f"q{target.id}.opt.1": "Heel erg slecht"},
    )
    assert saved.status_code == 303
    stored = question(session, setup.scan_id, "wonen.tevredenheid")
    assert stored.texts["nl"]["text"] == "Hoe vindt u de huizen?"
    assert stored.options[0]["labels"]["nl"] == "Heel erg slecht"
    assert stored.options[0]["labels"]["ar"] == original[1][0]["labels"]["ar"]
    # Another scan from the same questionnaire keeps its own texts.
    other = make_scan(session, slug="bomenbuurt")
    assert question(session, other.scan_id, "wonen.tevredenheid").texts == original[0]


# --- preview -----------------------------------------------------------------------------------


def test_the_preview_in_arabic_is_the_resident_page_right_to_left_and_saves_nothing(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    answers, responses = count(session, Answer), count(session, Response)
    url = f"/staff/scans/{setup.scan_id}/voorbeeld/wonen"
    page = client.get(f"{url}?taal=ar")
    assert page.status_code == 200
    assert page.template.name == "scan/step_questions.html"  # type: ignore[attr-defined]
    assert '<html lang="ar" dir="rtl">' in page.text
    assert page.context["preview"] is True  # type: ignore[attr-defined]
    assert 'id="preview-banner" lang="nl" dir="ltr"' in page.text
    satisfaction = question(session, setup.scan_id, "wonen.tevredenheid")
    assert page.context["questions"][0].text == satisfaction.texts["ar"]["text"]  # type: ignore[attr-defined]
    assert f'<form method="get" action="{url}" id="page-form"' in page.text
    assert "/autosave" not in page.text
    assert f"/s/{SLUG}/stap/" not in page.text
    # Posting to it does nothing: there is no such route.
    answered = post(client, url, {"wonen.tevredenheid": "4", "nav": "next"})
    assert answered.status_code == 405
    # Its buttons lead through the preview, never to the resident pages.
    following = client.get(url, params={"taal": "ar", "wonen.tevredenheid": "4", "nav": "next"})
    assert following.status_code == 303
    assert following.headers["location"] == (
        f"/staff/scans/{setup.scan_id}/voorbeeld/leefomgeving?taal=ar"
    )
    switched = client.get(url, params={"taal": "ar", "switch_lang": "en"})
    assert switched.headers["location"] == f"{url}?taal=en"
    assert count(session, Answer) == answers
    assert count(session, Response) == responses


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_preview_works_for_a_draft_scan_in_every_language(
    client: TestClient, session: Session, setup: Setup, lang: str
) -> None:
    staff_client(client, session)
    post(
        client,
        f"/staff/scans/{setup.scan_id}/instellingen",
        {"title": "Buurtscan", "status": "draft", "access_mode": "open"},
    )
    assert client.get(f"/s/{SLUG}/stap/wonen").status_code == 409  # residents: not open
    page = client.get(f"/staff/scans/{setup.scan_id}/voorbeeld/over-u?taal={lang}")
    assert page.status_code == 200
    rtl = "rtl" if LANGUAGES[lang].rtl else "ltr"
    assert f'<html lang="{lang}" dir="{rtl}">' in page.text


def test_an_unknown_preview_language_shows_dutch(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    page = client.get(f"/staff/scans/{setup.scan_id}/voorbeeld/wonen?taal=xx")
    assert page.status_code == 200
    assert '<html lang="nl" dir="ltr">' in page.text


# --- honest changes once residents answered ----------------------------------------------------

ANSWERED = "wonen.tevredenheid"
UNANSWERED = "wonen.knelpunt"
UNANSWERED_SCALE = "veiligheid.tevredenheid"

Sender = Callable[[TestClient, int, dict[str, int]], httpx.Response]


def _texts(lang: str, name: str, value: str) -> Sender:
    def send(client: TestClient, scan_id: int, ids: dict[str, int]) -> httpx.Response:
        return post(client, f"/staff/scans/{scan_id}/teksten/{lang}", {name.format(**ids): value})

    return send


def _settings(**changed: str) -> Sender:
    def send(client: TestClient, scan_id: int, ids: dict[str, int]) -> httpx.Response:
        form = {"title": "Buurtscan Planetenbuurt", "status": "open", "access_mode": "open"}
        return post(client, f"/staff/scans/{scan_id}/instellingen", {**form, **changed})

    return send


def _question(action: str, key: str, **form: str) -> Sender:
    def send(client: TestClient, scan_id: int, ids: dict[str, int]) -> httpx.Response:
        return post(client, f"/staff/scans/{scan_id}/vragen/{ids[key]}/{action}", form)

    return send


def _statement(client: TestClient, scan_id: int, ids: dict[str, int]) -> httpx.Response:
    return post(client, f"/staff/scans/{scan_id}/stellingen/wonen", {"text_nl": "Nieuw."})


HONESTY = [
    ("remove an answered question", _question("verwijderen", ANSWERED), 409),
    ("remove an unanswered question", _question("verwijderen", UNANSWERED), 303),
    ("change an answered question's Dutch text", _texts("nl", "q{a}.text", "Anders?"), 409),
    ("change an answered question's Dutch help", _texts("nl", "q{a}.help", "Anders."), 409),
    ("change an answered question's option label", _texts("nl", "q{a}.opt.1", "Slecht!"), 409),
    ("change an unanswered question's options", _texts("nl", "q{s}.opt.1", "Slecht!"), 409),
    ("change an unanswered question's Dutch text", _texts("nl", "q{u}.text", "Wat?"), 303),
    ("change an answered question's Arabic text", _texts("ar", "q{a}.text", "نص"), 303),
    ("change an answered question's Arabic option", _texts("ar", "q{a}.opt.1", "سيئ"), 303),
    ("change the Dutch intro", _texts("nl", "intro.title", "Praat mee!"), 303),
    ("change the Dutch thank-you text", _texts("nl", "thanks.title", "Dank!"), 303),
    ("change the dates", _settings(starts_on="2026-01-01", ends_on="2026-12-31"), 303),
    ("close the scan", _settings(status="closed"), 303),
    ("switch from open to codes", _settings(access_mode="codes"), 409),
    ("move an answered question", _question("verplaatsen", ANSWERED, direction="down"), 303),
    ("add a statement", _statement, 303),
]


@pytest.mark.parametrize(("change", "send", "status"), HONESTY, ids=[h[0] for h in HONESTY])
def test_once_answered_only_changes_that_keep_the_results_honest_are_made(
    client: TestClient, session: Session, setup: Setup, change: str, send: Sender, status: int
) -> None:
    ids = {
        "a": question(session, setup.scan_id, ANSWERED).id or 0,
        "u": question(session, setup.scan_id, UNANSWERED).id or 0,
        "s": question(session, setup.scan_id, UNANSWERED_SCALE).id or 0,
    }
    ids.update({ANSWERED: ids["a"], UNANSWERED: ids["u"]})
    submit_response(session, setup.scan_id, {ids["a"]: "4"})
    staff_client(client, session)
    before = [(q.key, q.position, q.texts, q.options) for q in all_questions(session, setup)]
    audit = audit_actions(session)
    response = send(client, setup.scan_id, ids)
    assert response.status_code == status, change
    if status == 409:
        assert response.context["refusal"]  # type: ignore[attr-defined]
        assert 'id="refusal"' in response.text
        after = [(q.key, q.position, q.texts, q.options) for q in all_questions(session, setup)]
        assert after == before
        assert audit_actions(session) == audit
    else:
        assert len(audit_actions(session)) == len(audit) + 1


def all_questions(session: Session, setup: Setup) -> list[Question]:
    fresh(session)
    return list(
        session.exec(
            select(Question)
            .where(Question.scan_id == setup.scan_id)
            .order_by(col(Question.position))
        ).all()
    )


def test_a_scan_with_codes_may_open_up_after_responses(
    client: TestClient, session: Session
) -> None:
    setup = make_scan(session, access_mode="codes")
    submit_response(session, setup.scan_id, {})
    staff_client(client, session)
    opened = _settings(access_mode="open")(client, setup.scan_id, {})
    assert opened.status_code == 303
    back = _settings(access_mode="codes")(client, setup.scan_id, {})
    assert back.status_code == 409


def test_an_answer_still_in_progress_protects_its_question(
    client: TestClient, session: Session, setup: Setup
) -> None:
    staff_client(client, session)
    resident = Resident(client, SLUG)
    resident.start()
    resident.save("wonen", [("wonen.tevredenheid", "2")])
    target = question(session, setup.scan_id, ANSWERED)
    removed = post(client, f"/staff/scans/{setup.scan_id}/vragen/{target.id}/verwijderen")
    assert removed.status_code == 409
    assert ANSWERED in page_keys(session, setup.scan_id, "wonen")


def test_the_dutch_editor_marks_answered_questions_read_only(
    client: TestClient, session: Session, setup: Setup
) -> None:
    target = question(session, setup.scan_id, ANSWERED)
    submit_response(session, setup.scan_id, {target.id or 0: "4"})
    staff_client(client, session)
    editor = client.get(f"/staff/scans/{setup.scan_id}/teksten/nl")
    assert f'id="text-q{target.id}.text-locked"' in editor.text
    # Posting the Dutch form unchanged is fine: nothing changes, nothing is refused.
    fields = {
        f.name: f.value
        for section in editor.context["sections"]  # type: ignore[attr-defined]
        for f in section.fields
    }
    assert post(client, f"/staff/scans/{setup.scan_id}/teksten/nl", fields).status_code == 303
    assert "scan.texts_update" not in audit_actions(session)


# Refused? in four situations: (no responses, nothing answered), (no responses, answered by a
# resident still in progress), (responses, this question unanswered), (responses, answered).
SITUATIONS = [(False, False), (False, True), (True, False), (True, True)]
REFUSED = {
    Change.DATES: (False, False, False, False),
    Change.STATUS: (False, False, False, False),
    Change.TITLE: (False, False, False, False),
    Change.ACCESS_TO_OPEN: (False, False, False, False),
    Change.ACCESS_TO_CODES: (False, False, True, True),
    Change.REORDER: (False, False, False, False),
    Change.ADD_QUESTION: (False, False, False, False),
    Change.REMOVE_QUESTION: (False, True, False, True),
    Change.OPTIONS: (False, True, True, True),
    Change.DUTCH_TEXT: (False, True, False, True),
    Change.TRANSLATION: (False, False, False, False),
    Change.SCAN_TEXT: (False, False, False, False),
}


@pytest.mark.parametrize(
    ("change", "has_responses", "answered", "refused"),
    [
        (change, has_responses, answered, refused)
        for change, cases in REFUSED.items()
        for (has_responses, answered), refused in zip(SITUATIONS, cases, strict=True)
    ],
)
def test_the_honesty_rule_as_a_table(
    change: Change, has_responses: bool, answered: bool, refused: bool
) -> None:
    reason = changes.refusal(change, scan_has_responses=has_responses, question_answered=answered)
    assert (reason is not None) is refused
    if refused:
        assert str(reason)


def test_every_kind_of_change_is_in_the_table() -> None:
    assert set(REFUSED) == set(Change)


@pytest.mark.parametrize(
    ("part", "language", "change"),
    [
        ("title", "nl", Change.TITLE),
        ("scan", "nl", Change.SCAN_TEXT),
        ("page", "ar", Change.SCAN_TEXT),
        ("text", "nl", Change.DUTCH_TEXT),
        ("help", "nl", Change.DUTCH_TEXT),
        ("option", "nl", Change.OPTIONS),
        ("text", "ar", Change.TRANSLATION),
        ("help", "en", Change.TRANSLATION),
        ("option", "uk", Change.TRANSLATION),
    ],
)
def test_what_editing_a_text_amounts_to(part: str, language: str, change: Change) -> None:
    slot = changes.TextSlot(
        "x", {"nl": "tekst"}, 1 if part in ("text", "help", "option") else None, part
    )
    assert changes.change_of_slot(slot, language) is change
