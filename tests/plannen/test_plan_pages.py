"""The plan's staff pages (roles, edits, 404s) and its public page (states, languages)."""

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.plannen import plan_queries, plan_service
from app.plannen.models import Measure, Plan, VoteRound
from app.scan.models import Scan
from app.staff.models import User
from tests.monitoring.factories import scan_id
from tests.plannen.plan_factories import (
    add_theme,
    measure_input,
    partner_ids,
    pijler_id,
    seed_results,
)
from tests.staff.helpers import csrf, log_in, make_user

HTMX = {"HX-Request": "true"}
ROLES = ["anonymous", "partner", "facilitator", "beheerder"]


def context(response: httpx.Response) -> dict[str, Any]:
    found: dict[str, Any] = response.context  # type: ignore[attr-defined]
    return found


def template(response: httpx.Response) -> str:
    name: str = response.template.name  # type: ignore[attr-defined]
    return name


def send(client: TestClient, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
    return client.post(path, data={**(data or {}), "csrf_token": csrf(client)})


@pytest.fixture
def themes(demo: None, session: Session) -> dict[str, int]:
    return seed_results(session, scan_id(session))


@pytest.fixture
def plan(session: Session, themes: dict[str, int]) -> Plan:
    author = make_user(session, role="facilitator", email="author@zwijndrecht.example")
    scan = session.get(Scan, scan_id(session))
    assert scan is not None
    return plan_service.draft_plan(session, actor=author, scan=scan, threshold=5)


def _as(client: TestClient, session: Session, role: str) -> User | None:
    if role == "anonymous":
        return None
    user = make_user(session, role=role)
    log_in(client, user)
    return user


def _measure_form(session: Session, theme_ids: list[int], **changes: Any) -> dict[str, Any]:
    return {
        "language": "nl",
        "title": "Speelplek bij de flats",
        "description": "Samen met bewoners inrichten.",
        "pijler": str(pijler_id(session, "veiligheid")),
        "themes": [str(t) for t in theme_ids],
        "trekker": str(partner_ids(session)[0]),
        "partners": [str(partner_ids(session)[1])],
        "role": "meebeslissen",
        "kernelement": "leefbaarheid",
        "starts_on": "2027-03-01",
        "ends_on": "2027-10-31",
        "cost": "15.000",
        **changes,
    }


# --- staff pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_plan(
    client: TestClient, session: Session, plan: Plan, role: str, htmx: bool
) -> None:
    _as(client, session, role)
    response = client.get(f"/staff/plannen/{plan.id}", headers=HTMX if htmx else {})
    if role == "anonymous":
        assert response.status_code == 303
        return
    assert response.status_code == 200
    assert template(response) == "plannen/plan_page.html"
    page = context(response)
    assert [b.key for b in page["blocks"]][:3] == ["veiligheid", "wonen", "leefomgeving"]
    assert page["can_edit"] is (role != "partner")
    assert [e.action for e, _ in page["history"]] == ["plan.draft"]


def test_a_partner_reads_but_cannot_edit(
    client: TestClient, session: Session, plan: Plan, themes: dict[str, int]
) -> None:
    _as(client, session, "partner")
    measure = plan_queries.plan_measures(session, plan.id or 0)[0]
    for path in (
        f"/staff/plannen/{plan.id}/maatregelen/nieuw",
        f"/staff/maatregelen/{measure.id}",
        f"/staff/plannen/{plan.id}/secties/leefbaarheid",
    ):
        assert client.get(path).status_code == 403
    for path, data in (
        (
            f"/staff/plannen/{plan.id}/maatregelen/nieuw",
            _measure_form(session, [themes["Verkeer"]]),
        ),
        (f"/staff/maatregelen/{measure.id}", _measure_form(session, [themes["Verkeer"]])),
        (f"/staff/maatregelen/{measure.id}/verwijderen", {}),
        (f"/staff/maatregelen/{measure.id}/verplaatsen", {"direction": "up"}),
        (f"/staff/plannen/{plan.id}/vaststellen", {}),
        (f"/staff/plannen/{plan.id}/openbaar", {"public": "on"}),
        (f"/staff/plannen/{plan.id}/nieuwe-versie", {}),
        (f"/staff/plannen/{plan.id}/secties/leefbaarheid", {"language": "nl", "text": "x"}),
        (f"/staff/scans/{plan.scan_id}/plan", {}),
    ):
        assert send(client, path, data).status_code == 403, path
    session.rollback()
    assert len(plan_queries.plan_measures(session, plan.id or 0)) == 3


def test_a_facilitator_adds_a_measure(
    client: TestClient, session: Session, plan: Plan, themes: dict[str, int]
) -> None:
    _as(client, session, "facilitator")
    form = client.get(f"/staff/plannen/{plan.id}/maatregelen/nieuw")
    assert form.status_code == 200
    assert template(form) == "plannen/plan_measure.html"
    response = send(
        client,
        f"/staff/plannen/{plan.id}/maatregelen/nieuw",
        _measure_form(session, [themes["Verkeer"], themes["Schimmel"]]),
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/staff/plannen/{plan.id}#measure-")
    session.rollback()
    added = session.exec(select(Measure).where(Measure.plan_id == plan.id)).all()[-1]
    assert added.title == {"nl": "Speelplek bij de flats"}
    assert added.cost_estimate == 15_000
    page = context(client.get(f"/staff/plannen/{plan.id}"))
    row = next(r for b in page["blocks"] for r in b.measures if r.view.measure.id == added.id)
    assert row.why.total.count == 11  # six remarks about Verkeer, five about Schimmel
    assert row.view.trekker.id == partner_ids(session)[0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"themes": []}, "themes"),
        ({"title": ""}, "title"),
        ({"title": "x" * 161}, "title"),
        ({"description": "x" * 4001}, "description"),
        ({"cost": "-5"}, "cost"),
        ({"cost": "12,50"}, "cost"),
        ({"cost": "12.5"}, "cost"),  # not 125 euros
        ({"cost": "1.25.000"}, "cost"),
        ({"cost": "100000001"}, "cost"),
        ({"ends_on": "2027-01-01"}, "ends_on"),
        ({"role": "beslissen"}, "role"),
        ({"pijler": "999999"}, "pijler"),
        ({"trekker": "999999"}, "trekker"),
    ],
)
def test_a_measure_form_with_errors(
    client: TestClient,
    session: Session,
    plan: Plan,
    themes: dict[str, int],
    changes: dict[str, Any],
    field: str,
) -> None:
    _as(client, session, "facilitator")
    data = _measure_form(session, [themes["Verkeer"]], **changes)
    response = send(client, f"/staff/plannen/{plan.id}/maatregelen/nieuw", data)
    assert response.status_code == 422
    assert template(response) == "plannen/plan_measure.html"
    assert field in context(response)["errors"]
    session.rollback()
    assert len(plan_queries.plan_measures(session, plan.id or 0)) == 3


def test_a_theme_of_another_scan_is_refused_by_the_form(
    client: TestClient, session: Session, plan: Plan, themes: dict[str, int]
) -> None:
    other = add_theme(
        session, scan_id(session, "leeuwerikplein"), "Elders", pijler=None, remarks=0,
        key="wonen.knelpunt",
    )  # fmt: skip
    _as(client, session, "facilitator")
    measure = plan_queries.plan_measures(session, plan.id or 0)[0]
    data = _measure_form(session, [themes["Verkeer"], other])
    response = send(client, f"/staff/maatregelen/{measure.id}", data)
    assert response.status_code == 422
    assert "themes" in context(response)["errors"]


def test_a_measure_is_edited_per_language(
    client: TestClient, session: Session, plan: Plan, themes: dict[str, int]
) -> None:
    _as(client, session, "facilitator")
    measure = plan_queries.plan_measures(session, plan.id or 0)[0]
    page = client.get(f"/staff/maatregelen/{measure.id}?taal=ar")
    assert page.status_code == 200
    assert context(page)["values"]["language"] == "ar"
    assert context(page)["values"]["themes"] == [str(themes["Verkeer"])]
    data = _measure_form(session, [themes["Verkeer"]], language="ar", title="ملعب", description="")
    assert send(client, f"/staff/maatregelen/{measure.id}", data).status_code == 303
    session.rollback()
    edited = session.get(Measure, measure.id, populate_existing=True)
    assert edited is not None
    assert edited.title == {"nl": "Voorstel: Verkeer", "ar": "ملعب"}


def test_sections_and_status_actions(
    client: TestClient, session: Session, plan: Plan, themes: dict[str, int]
) -> None:
    _as(client, session, "facilitator")
    section = f"/staff/plannen/{plan.id}/secties/leefbaarheid"
    assert client.get(section).status_code == 200
    too_long = send(client, section, {"language": "nl", "text": "x" * 8001})
    assert too_long.status_code == 422
    assert "text" in context(too_long)["form"].errors
    assert send(client, section, {"language": "nl", "text": "Schoon en heel."}).status_code == 303
    refused = send(client, f"/staff/plannen/{plan.id}/vaststellen")
    assert refused.status_code == 409
    assert context(refused)["refusal"]
    for measure in plan_queries.plan_measures(session, plan.id or 0):
        send(client, f"/staff/maatregelen/{measure.id}/verwijderen")
    send(
        client,
        f"/staff/plannen/{plan.id}/maatregelen/nieuw",
        _measure_form(session, [themes["Verkeer"]]),
    )
    assert send(client, f"/staff/plannen/{plan.id}/vaststellen").status_code == 303
    fixed = send(client, section, {"language": "nl", "text": "Anders."})
    assert fixed.status_code == 409
    assert template(fixed) == "plannen/plan_section.html"
    measure = plan_queries.plan_measures(session, plan.id or 0)[0]
    edit = send(
        client, f"/staff/maatregelen/{measure.id}", _measure_form(session, [themes["Verkeer"]])
    )
    assert edit.status_code == 409
    assert str(context(edit)["refusal"]) == str(plan_service.FIXED)
    # The forms of a fixed plan say so before anyone types, and offer no save button.
    for page in (client.get(section), client.get(f"/staff/maatregelen/{measure.id}")):
        assert page.status_code == 200
        assert str(context(page)["refusal"]) == str(plan_service.FIXED)
        assert 'id="refusal"' in page.text
        assert 'type="submit" class="button button-primary"' not in page.text
    copy = send(client, f"/staff/plannen/{plan.id}/nieuwe-versie")
    assert copy.status_code == 303
    session.rollback()
    newest = plan_queries.plan_of_scan(session, plan.scan_id)
    assert newest is not None
    assert newest.version == 2
    assert copy.headers["location"] == f"/staff/plannen/{newest.id}"
    assert (
        client.get(f"/staff/scans/{plan.scan_id}/plan").headers["location"]
        == copy.headers["location"]
    )
    actions = [e.action for e, _ in context(client.get(f"/staff/plannen/{plan.id}"))["history"]]
    assert actions[:2] == ["plan.fix", "measure.add"]
    assert "plan.section" in actions


def test_drafting_from_the_scan(
    client: TestClient, session: Session, themes: dict[str, int]
) -> None:
    _as(client, session, "facilitator")
    scan = scan_id(session)
    none = client.get(f"/staff/scans/{scan}/plan")
    assert none.status_code == 200
    assert template(none) == "plannen/plan_none.html"
    response = send(client, f"/staff/scans/{scan}/plan")
    assert response.status_code == 303
    session.rollback()
    plan = plan_queries.plan_of_scan(session, scan)
    assert plan is not None
    assert response.headers["location"] == f"/staff/plannen/{plan.id}"
    assert send(client, f"/staff/scans/{scan}/plan").status_code == 409


@pytest.mark.parametrize(
    "path",
    [
        "/staff/plannen/999999",
        "/staff/plannen/99999999999",
        "/staff/plannen/{plan}/secties/onbekend",
        "/staff/plannen/999999/maatregelen/nieuw",
        "/staff/maatregelen/999999",
        "/staff/maatregelen/99999999999",
        "/staff/scans/999999/plan",
    ],
)
def test_unknown_ids_are_404(client: TestClient, session: Session, plan: Plan, path: str) -> None:
    _as(client, session, "beheerder")
    assert client.get(path.format(plan=plan.id)).status_code == 404


def test_posts_to_unknown_ids_are_404(client: TestClient, session: Session, plan: Plan) -> None:
    _as(client, session, "facilitator")
    for path in ("/staff/maatregelen/999999/verwijderen", "/staff/plannen/999999/vaststellen"):
        assert send(client, path).status_code == 404


# --- the public page ------------------------------------------------------------------------------


def _public(client: TestClient, slug: str = "planetenbuurt") -> httpx.Response:
    return client.get(f"/s/{slug}/plan")


def test_an_unknown_buurt_has_no_plan_page(client: TestClient, demo: None) -> None:
    assert _public(client, "nergens").status_code == 404


def test_no_plan_yet_is_a_friendly_page(client: TestClient, session: Session, plan: Plan) -> None:
    response = _public(client)
    assert response.status_code == 200
    assert template(response) == "plannen/plan_public.html"
    assert context(response)["plan"] is None  # a concept that is not public
    assert _public(client, "leeuwerikplein").status_code == 200


@pytest.mark.parametrize(("status", "flag", "visible"), [
    ("concept", True, True), ("ter_stemming", False, True), ("vastgesteld", False, True),
    ("vervangen", True, False),
])  # fmt: skip
def test_the_public_page_shows_a_plan_by_its_status(
    client: TestClient, session: Session, plan: Plan, status: str, flag: bool, visible: bool
) -> None:
    plan.status, plan.is_public = status, flag
    session.add(plan)
    session.commit()
    page = context(_public(client))
    assert (page["plan"] is not None) is visible


def test_the_public_page_in_arabic(
    client: TestClient, session: Session, plan: Plan, themes: dict[str, int]
) -> None:
    user = make_user(session, role="facilitator")
    measures = plan_queries.plan_measures(session, plan.id or 0)
    evil = measures[0]
    evil.title = {"nl": "<script>alert(1)</script>", "ar": "ملعب <b>آمن</b>"}
    session.add(evil)
    session.commit()
    plan_service.set_public(session, actor=user, plan=plan, on=True)
    client.cookies.set("lang", "ar")
    response = _public(client)
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.text
    assert "ملعب &lt;b&gt;آمن&lt;/b&gt;" in response.text
    assert "<b>آمن</b>" not in response.text
    assert f'id="measure-{evil.id}-title" lang="ar"' in response.text
    other = measures[1]
    assert f'id="measure-{other.id}-title" lang="nl"' in response.text  # Dutch fallback
    client.cookies.set("lang", "nl")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _public(client).text


def test_the_public_page_counts_remarks_per_measure(
    client: TestClient, session: Session, plan: Plan, themes: dict[str, int]
) -> None:
    user = make_user(session, role="beheerder")
    measure = plan_queries.plan_measures(session, plan.id or 0)[0]
    plan_service.set_public(session, actor=user, plan=plan, on=True)
    rows = {r.view.measure.id: r for b in context(_public(client))["blocks"] for r in b.measures}
    assert rows[measure.id].why.total.count == 6
    # a measure answering a small theme: the small count is never shown, not even the sum
    kunst = pijler_id(session, "kunst-cultuur")
    data = measure_input(session, (themes["Bankjes"],), pijler_id=kunst)
    small = plan_service.add_measure(session, actor=user, plan=plan, data=data)
    rows = {r.view.measure.id: r for b in context(_public(client))["blocks"] for r in b.measures}
    assert rows[small.id].why.total.count is None


def _closed_round(session: Session, plan: Plan, ballots: int, eligibility: str = "codes") -> None:
    measures = plan_queries.plan_measures(session, plan.id or 0)
    plan.status = "vastgesteld"
    session.add(plan)
    session.add(
        VoteRound(
            plan_id=plan.id or 0, method="budget", eligibility=eligibility, status="closed",
            budget_amount=100,
            results={
                "method": "budget", "eligibility": eligibility, "ballots": ballots,
                "codes_issued": 200, "codes_used": ballots, "closed_on": "2027-02-01",
                "measures": [
                    {"measure_id": measures[0].id, "rank": 1, "total": 900, "supporters": 12,
                     "counts": True, "funded": True},
                    {"measure_id": measures[1].id, "rank": 2, "total": 150, "supporters": 3,
                     "counts": True, "funded": False},
                ],
            },
        )
    )  # fmt: skip
    session.commit()


def test_the_vote_results_on_the_public_page(
    client: TestClient, session: Session, plan: Plan
) -> None:
    _closed_round(session, plan, ballots=20)
    results = context(_public(client))["results"]
    measures = plan_queries.plan_measures(session, plan.id or 0)
    assert results is not None
    assert not results.too_few
    assert results.binding
    first, second = results.rows[measures[0].id], results.rows[measures[1].id]
    assert (first.rank, first.total.count, first.supporters.count) == (1, 900, 12)
    assert second.rank == 2
    assert second.total.count is None


def test_too_few_ballots_show_no_results(client: TestClient, session: Session, plan: Plan) -> None:
    _closed_round(session, plan, ballots=4, eligibility="open")
    response = _public(client)
    results = context(response)["results"]
    assert results.too_few
    assert not results.rows
    assert not results.binding
    assert 'id="vote-too-few"' in response.text


def test_the_plan_links_to_its_vote_round(client: TestClient, session: Session, plan: Plan) -> None:
    _as(client, session, "facilitator")
    page = client.get(f"/staff/plannen/{plan.id}")
    assert context(page)["round_new_link"]
    assert f'href="/staff/plannen/{plan.id}/stemronde/nieuw"' in page.text
    vote_round = VoteRound(plan_id=plan.id or 0, method="approval", max_choices=2)
    session.add(vote_round)
    session.commit()
    page = client.get(f"/staff/plannen/{plan.id}")
    assert not context(page)["round_new_link"]
    assert f'href="/staff/stemrondes/{vote_round.id}"' in page.text


def test_the_public_page_links_to_an_open_vote(
    client: TestClient, session: Session, plan: Plan
) -> None:
    plan.status = "ter_stemming"
    session.add(plan)
    session.add(VoteRound(plan_id=plan.id or 0, method="approval", max_choices=2, status="open"))
    session.commit()
    response = _public(client)
    assert context(response)["vote_open"]
    assert 'href="/s/planetenbuurt/stemmen"' in response.text
