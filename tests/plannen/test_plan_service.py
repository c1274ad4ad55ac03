"""Drafting a plan from the results, measures that trace back to themes, the life cycle."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, col, select

from app.errors import AppError
from app.plannen import plan_queries, plan_service
from app.plannen.models import (
    KERNELEMENTEN,
    Measure,
    MeasurePartner,
    MeasureTheme,
    Plan,
    PlanSection,
    Theme,
)
from app.plannen.plan_forms import HISTORY_LABELS
from app.programme.models import Pijler
from app.scan.models import Scan
from app.staff.models import AuditEntry, User
from tests.monitoring.factories import scan_id
from tests.plannen.plan_factories import measure_input, partner_ids, pijler_id, seed_results
from tests.staff.helpers import make_user

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def seeded(demo: None, session: Session) -> dict[str, int]:
    return seed_results(session, scan_id(session))


@pytest.fixture
def facilitator(session: Session) -> User:
    return make_user(session, role="facilitator")


def _scan(session: Session) -> Scan:
    found = session.get(Scan, scan_id(session))
    assert found is not None
    return found


def _draft(session: Session, user: User) -> Plan:
    return plan_service.draft_plan(session, actor=user, scan=_scan(session), threshold=5)


def _status(error: pytest.ExceptionInfo[AppError]) -> int:
    return error.value.status_code


def test_the_draft_follows_the_residents_priorities(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    assert plan.version == 1
    assert plan.status == "concept"
    assert plan.pijler_order[:3] == ["veiligheid", "wonen", "leefomgeving"]
    assert len(plan.pijler_order) == len(session.exec(select(Pijler)).all())
    sections = plan_queries.sections(session, plan.id or 0)
    assert [s.key for s in sections] == [*plan.pijler_order, *KERNELEMENTEN]
    texts = {s.key: s.texts.get("nl", "") for s in sections}
    assert texts["veiligheid"].startswith("100% noemde dit in hun top 3.")
    assert "Tevredenheid 2,8" in texts["wonen"]
    assert "6 opmerkingen" in texts["veiligheid"]
    assert all(not s.texts for s in sections if s.key in KERNELEMENTEN)


def test_the_draft_never_stores_a_small_number(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    kunst = plan_queries.section(session, plan.id or 0, "kunst-cultuur")
    assert kunst is not None
    # two remarks: too few to show; nobody chose it (zero tells nothing about anyone)
    assert kunst.texts["nl"] == "0% noemde dit in hun top 3."


def test_one_proposed_measure_per_large_theme(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    views = plan_queries.measures(session, plan.id or 0)
    proposed = {v.measure.title["nl"]: v for v in views}
    assert set(proposed) == {"Voorstel: Verkeer", "Voorstel: Schimmel", "Voorstel: Hondenpoep"}
    assert proposed["Voorstel: Verkeer"].pijler.key == "veiligheid"
    assert proposed["Voorstel: Schimmel"].pijler.key == "wonen"
    # a theme without a pijler goes where its remarks were written
    assert proposed["Voorstel: Hondenpoep"].pijler.key == "leefomgeving"
    assert next(v.measure.title["nl"] for v in views) == "Voorstel: Verkeer"  # plan order
    for view in views:
        assert [t.theme.name for t in view.themes] == [view.measure.title["nl"][10:]]
        assert view.trekker is None
        assert view.measure.resident_role == "meedenken"
    assert proposed["Voorstel: Verkeer"].remarks == 6


def test_a_scan_has_one_current_plan(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    _draft(session, facilitator)
    with pytest.raises(AppError) as refused:
        _draft(session, facilitator)
    assert _status(refused) == 409
    session.rollback()
    assert len(session.exec(select(Plan)).all()) == 1


def test_a_measure_without_a_theme_is_refused(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    with pytest.raises(plan_service.InvalidForm) as refused:
        plan_service.add_measure(
            session, actor=facilitator, plan=plan, data=measure_input(session, ())
        )
    assert refused.value.status_code == 422
    assert "themes" in refused.value.errors
    session.rollback()
    assert len(plan_queries.plan_measures(session, plan.id or 0)) == 3


def test_a_theme_of_another_scan_is_refused(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    other = Theme(scan_id=scan_id(session, "leeuwerikplein"), name="Elders")
    session.add(other)
    session.commit()
    assert other.id is not None
    data = measure_input(session, (seeded["Verkeer"], other.id))
    with pytest.raises(plan_service.InvalidForm) as refused:
        plan_service.add_measure(session, actor=facilitator, plan=plan, data=data)
    assert refused.value.status_code == 422
    assert "themes" in refused.value.errors
    measure = plan_queries.plan_measures(session, plan.id or 0)[0]
    with pytest.raises(plan_service.InvalidForm):
        plan_service.update_measure(session, actor=facilitator, measure=measure, data=data)
    session.rollback()
    assert {t.theme_id for t in plan_queries.measure_themes(session, [measure.id or 0])} != {
        other.id
    }


def test_the_trekker_is_not_one_of_the_other_partners(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    first, second = partner_ids(session)[:2]
    data = measure_input(
        session, (seeded["Verkeer"],), lead_partner_id=first, partner_ids=(first, second)
    )
    with pytest.raises(plan_service.InvalidForm) as refused:
        plan_service.add_measure(session, actor=facilitator, plan=plan, data=data)
    assert "partners" in refused.value.errors


def test_a_measure_with_everything(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    first, second, third = partner_ids(session)[:3]
    data = measure_input(
        session,
        (seeded["Verkeer"], seeded["Bankjes"]),
        lead_partner_id=first,
        partner_ids=(second, third),
        kernelement="leefbaarheid",
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 12, 31),
        cost_estimate=12_500,
    )
    measure = plan_service.add_measure(session, actor=facilitator, plan=plan, data=data)
    arabic = measure_input(
        session, (seeded["Verkeer"],), language="ar", title="عبور آمن", description="",
        lead_partner_id=first,
    )  # fmt: skip
    plan_service.update_measure(session, actor=facilitator, measure=measure, data=arabic)
    session.rollback()
    view = next(
        v for v in plan_queries.measures(session, plan.id or 0) if v.measure.id == measure.id
    )
    assert view.measure.title == {"nl": "Veilig oversteken bij de school", "ar": "عبور آمن"}
    assert view.measure.description == {"nl": "Een zebrapad en een klaar-over."}
    assert [t.theme.name for t in view.themes] == ["Verkeer"]
    assert view.trekker is not None
    assert view.trekker.id == first
    assert view.partners == []  # the Arabic form chose no partners: the shared fields follow it
    assert view.measure.position == 3


def _fixable(session: Session, plan: Plan, user: User) -> None:
    """Give every measure a trekker and fix the plan."""
    trekker = partner_ids(session)[0]
    for view in plan_queries.measures(session, plan.id or 0):
        data = measure_input(
            session,
            tuple(t.theme.id or 0 for t in view.themes),
            title=view.measure.title["nl"],
            pijler_id=view.pijler.id,
            lead_partner_id=trekker,
            partner_ids=(partner_ids(session)[1],),
        )
        plan_service.update_measure(session, actor=user, measure=view.measure, data=data)
    plan_service.fix_plan(session, actor=user, plan=plan, now=NOW)


def test_a_plan_without_trekkers_cannot_be_fixed(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    with pytest.raises(plan_service.PlanRefused) as refused:
        plan_service.fix_plan(session, actor=facilitator, plan=plan, now=NOW)
    assert refused.value.status_code == 409
    session.rollback()
    assert session.get(Plan, plan.id, populate_existing=True).status == "concept"  # type: ignore[union-attr]


def test_a_fixed_plan_cannot_be_edited(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    _fixable(session, plan, facilitator)
    assert plan.status == "vastgesteld"
    assert plan.fixed_at == NOW
    measure = plan_queries.plan_measures(session, plan.id or 0)[0]
    data = measure_input(session, (seeded["Verkeer"],))
    attempts = [
        lambda: plan_service.add_measure(session, actor=facilitator, plan=plan, data=data),
        lambda: plan_service.update_measure(session, actor=facilitator, measure=measure, data=data),
        lambda: plan_service.remove_measure(session, actor=facilitator, measure=measure),
        lambda: plan_service.move_measure(
            session, actor=facilitator, measure=measure, direction="down"
        ),
        lambda: plan_service.update_section(
            session, actor=facilitator, plan=plan, key="leefbaarheid", language="nl", text="x"
        ),
        lambda: plan_service.fix_plan(session, actor=facilitator, plan=plan, now=NOW),
    ]
    for attempt in attempts:
        with pytest.raises(plan_service.PlanRefused) as refused:
            attempt()
        assert refused.value.status_code == 409
        assert str(refused.value.message) == str(plan_service.FIXED)
    session.rollback()
    assert len(plan_queries.plan_measures(session, plan.id or 0)) == 3
    assert not plan_queries.section(session, plan.id or 0, "leefbaarheid").texts  # type: ignore[union-attr]


def test_a_plan_being_voted_on_is_frozen(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    plan.status = "ter_stemming"  # what vote_service.create_round does
    session.add(plan)
    session.commit()
    with pytest.raises(plan_service.PlanRefused) as refused:
        plan_service.add_measure(
            session, actor=facilitator, plan=plan,
            data=measure_input(session, (seeded["Verkeer"],)),
        )  # fmt: skip
    assert refused.value.status_code == 409
    with pytest.raises(plan_service.PlanRefused):
        plan_service.new_version(session, actor=facilitator, plan=plan)


def test_a_new_version_copies_and_keeps_the_old_one_intact(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    plan_service.update_section(
        session, actor=facilitator, plan=plan, key="leefbaarheid", language="nl",
        text="Schone straten en plekken om te spelen.",
    )  # fmt: skip
    with pytest.raises(plan_service.PlanRefused):  # a concept is edited, not versioned
        plan_service.new_version(session, actor=facilitator, plan=plan)
    _fixable(session, plan, facilitator)
    copy = plan_service.new_version(session, actor=facilitator, plan=plan)
    assert (copy.version, copy.status, copy.supersedes_id) == (2, "concept", plan.id)
    assert copy.pijler_order == plan.pijler_order
    session.rollback()
    old = _snapshot(session, plan.id or 0)
    new = _snapshot(session, copy.id or 0)
    assert new == old
    assert len(old["measures"]) == 3
    # the fixed plan holds until the new version is fixed
    assert plan_queries.plan_of_scan(session, plan.scan_id).id == copy.id  # type: ignore[union-attr]
    assert session.get(Plan, plan.id, populate_existing=True).status == "vastgesteld"  # type: ignore[union-attr]
    with pytest.raises(plan_service.PlanRefused):  # one new version at a time
        plan_service.new_version(session, actor=facilitator, plan=plan)
    # editing the copy leaves the old version alone
    first = plan_queries.plan_measures(session, copy.id or 0)[0]
    plan_service.remove_measure(session, actor=facilitator, measure=first)
    session.rollback()
    assert _snapshot(session, plan.id or 0) == old
    plan_service.fix_plan(session, actor=facilitator, plan=copy, now=NOW)
    session.rollback()
    assert session.get(Plan, plan.id, populate_existing=True).status == "vervangen"  # type: ignore[union-attr]
    assert plan_queries.plan_of_scan(session, plan.scan_id).id == copy.id  # type: ignore[union-attr]


def _snapshot(session: Session, plan_id: int) -> dict[str, object]:
    measures = plan_queries.plan_measures(session, plan_id)
    ids = [m.id or 0 for m in measures]
    themes = plan_queries.measure_themes(session, ids)
    partners = plan_queries.measure_partners(session, ids)
    return {
        "sections": [(s.key, s.position, s.texts) for s in plan_queries.sections(session, plan_id)],
        "measures": [
            (
                m.title, m.description, m.pijler_id, m.position, m.lead_partner_id,
                m.resident_role, m.cost_estimate,
                sorted(t.theme_id for t in themes if t.measure_id == m.id),
                sorted(p.partner_id for p in partners if p.measure_id == m.id),
            )
            for m in measures
        ],
    }  # fmt: skip


def test_moving_a_measure_within_its_pijler(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    added = plan_service.add_measure(
        session, actor=facilitator, plan=plan, data=measure_input(session, (seeded["Verkeer"],))
    )
    plan_service.move_measure(session, actor=facilitator, measure=added, direction="up")
    session.rollback()
    veiligheid = [
        v.measure.title["nl"]
        for v in plan_queries.measures(session, plan.id or 0)
        if v.pijler.id == pijler_id(session, "veiligheid")
    ]
    assert veiligheid == ["Veilig oversteken bij de school", "Voorstel: Verkeer"]


def test_every_change_is_in_the_plans_history(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    _fixable(session, plan, facilitator)
    session.rollback()
    history = plan_queries.history(session, plan.id or 0)
    actions = [entry.action for entry, _ in history]
    assert actions[0] == "plan.fix"
    assert actions[-1] == "plan.draft"
    assert actions.count("measure.update") == 3
    assert {user.id for _, user in history if user} == {facilitator.id}
    assert set(actions) <= set(HISTORY_LABELS)  # the page says each in words
    # another plan's entries are not in it
    other = AuditEntry(action="measure.update", target_type="measure", target_id="1",
                       detail={"plan_id": (plan.id or 0) + 1})  # fmt: skip
    session.add(other)
    session.commit()
    assert len(plan_queries.history(session, plan.id or 0)) == len(history)


def test_removing_a_measure_removes_its_links(
    session: Session, seeded: dict[str, int], facilitator: User
) -> None:
    plan = _draft(session, facilitator)
    measure = plan_queries.plan_measures(session, plan.id or 0)[0]
    plan_service.remove_measure(session, actor=facilitator, measure=measure)
    session.rollback()
    assert session.get(Measure, measure.id) is None
    assert not session.exec(
        select(MeasureTheme).where(col(MeasureTheme.measure_id) == measure.id)
    ).all()
    assert not session.exec(
        select(MeasurePartner).where(col(MeasurePartner.measure_id) == measure.id)
    ).all()
    assert session.exec(select(PlanSection).where(col(PlanSection.plan_id) == plan.id)).all()
