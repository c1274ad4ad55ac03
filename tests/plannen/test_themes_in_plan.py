"""Themes that measures answer: deleting is refused, merging re-points a concept plan's measures."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.plannen.models import Measure, MeasureTheme, Plan
from app.programme.models import Pijler
from tests.monitoring.factories import scan_id
from tests.plannen.remark_factories import add_theme, log_in_as, send, themes_url


def measure_answering(session: Session, scan: int, *themes: int, status: str = "concept") -> int:
    pijler = session.exec(select(Pijler.id)).first()
    assert pijler is not None
    plan = Plan(scan_id=scan, status=status, title={"nl": "Plan"})
    session.add(plan)
    session.flush()
    assert plan.id is not None
    measure = Measure(plan_id=plan.id, pijler_id=pijler, title={"nl": "Meer bankjes"})
    session.add(measure)
    session.flush()
    assert measure.id is not None
    session.add_all([MeasureTheme(measure_id=measure.id, theme_id=theme) for theme in themes])
    session.commit()
    return measure.id


def themes_of(session: Session, measure: int) -> set[int]:
    session.rollback()
    rows = session.exec(select(MeasureTheme.theme_id).where(MeasureTheme.measure_id == measure))
    return set(rows.all())


def test_a_theme_a_measure_answers_cannot_be_deleted(
    client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_id(session)
    theme = add_theme(session, scan, "Bankjes")
    measure = measure_answering(session, scan, theme)
    log_in_as(client, session, "facilitator")
    response = send(client, f"{themes_url(scan)}/{theme}/verwijderen")
    assert response.status_code == 409
    assert themes_of(session, measure) == {theme}


@pytest.mark.parametrize("target_linked", [False, True])
def test_merging_re_points_the_measures_of_a_concept_plan(
    client: TestClient, session: Session, demo: None, target_linked: bool
) -> None:
    scan = scan_id(session)
    source, target = add_theme(session, scan, "Bankjes"), add_theme(session, scan, "Zitplekken")
    linked = (source, target) if target_linked else (source,)
    measure = measure_answering(session, scan, *linked)
    log_in_as(client, session, "facilitator")
    response = send(client, f"{themes_url(scan)}/{source}/samenvoegen", {"doel": str(target)})
    assert response.status_code == 303
    assert themes_of(session, measure) == {target}


@pytest.mark.parametrize("status", ["ter_stemming", "vastgesteld"])
def test_merging_a_theme_of_a_fixed_plan_is_refused(
    client: TestClient, session: Session, demo: None, status: str
) -> None:
    scan = scan_id(session)
    source, target = add_theme(session, scan, "Bankjes"), add_theme(session, scan, "Zitplekken")
    measure = measure_answering(session, scan, source, status=status)
    log_in_as(client, session, "facilitator")
    response = send(client, f"{themes_url(scan)}/{source}/samenvoegen", {"doel": str(target)})
    assert response.status_code == 409
    assert themes_of(session, measure) == {source}
