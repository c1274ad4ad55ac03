"""Retention: ``buurtscan purge`` removes contact details and free text of closed scans past
their days, keeps every count and the quotes shown in the plan, and is audited."""

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app import cli
from app.plannen import aggregation, queries, retention
from app.plannen.models import Remark
from app.scan.models import Answer, Contact, Scan
from app.staff.models import AuditEntry
from tests.plannen.remark_factories import (
    add_remark,
    add_theme,
    context,
    inbox_url,
    log_in_as,
    scan_id,
)

pytestmark = pytest.mark.usefixtures("demo")
ENDED = date(2027, 1, 31)
HIDDEN_AT = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)


def close(session: Session, slug: str = "planetenbuurt", ends_on: date = ENDED) -> int:
    scan = session.exec(select(Scan).where(Scan.slug == slug)).one()
    scan.status, scan.ends_on = "closed", ends_on
    session.add(scan)
    session.add(
        Contact(scan_id=scan.id or 0, name="Fatima", email="f@example.nl", created_on=ENDED)
    )
    session.commit()
    return scan.id or 0


def mark(session: Session, answer_id: int, **fields: object) -> None:
    remark = session.get(Remark, answer_id) or Remark(answer_id=answer_id)
    for name, value in fields.items():
        setattr(remark, name, value)
    session.add(remark)
    session.commit()


def texts(session: Session, scan: int) -> dict[int, str | None]:
    session.rollback()
    rows = session.exec(select(Answer.id, Answer.text).where(col(Answer.text).is_not(None))).all()
    return dict(rows)


def results(session: Session, scan: Scan) -> aggregation.Results:
    return aggregation.build_results(queries.results_input(session, scan), threshold=5, exact=True)


def run(session: Session, today: date, *, dry_run: bool = False) -> retention.Purged:
    return retention.purge(session, today=today, contact_days=90, text_days=365, dry_run=dry_run)


def test_contacts_go_after_90_days_and_free_text_after_a_year(session: Session) -> None:
    scan = close(session)
    plain = add_remark(session, scan, "De lantaarn bij nummer 12 is kapot")
    hidden = add_remark(session, scan, "Die jongen Dylan doet het")
    quote = add_remark(session, scan, "Een bankje bij de speeltuin")
    mark(session, hidden, hidden_reason="Noemt een naam", hidden_at=HIDDEN_AT)
    mark(session, quote, is_quote=True, theme_id=add_theme(session, scan, "Ontmoeten"))
    other = close(session, "leeuwerikplein", ends_on=date(2027, 12, 1))  # ended later
    elsewhere = add_remark(session, other, "Te weinig licht")

    assert run(session, date(2027, 4, 30)) == retention.Purged(0, 0, 0, [])  # 89 days
    first = run(session, date(2027, 5, 1))  # 90 days: the contacts go, the texts stay
    assert (first.contacts, first.texts, first.scans) == (1, 0, ["planetenbuurt"])
    session.rollback()
    assert [c.scan_id for c in session.exec(select(Contact)).all()] == [other]
    assert texts(session, scan)[plain] == "De lantaarn bij nummer 12 is kapot"

    later = run(session, date(2028, 2, 1))  # a year and a day
    assert (later.contacts, later.texts, later.quotes_kept) == (0, 2, 1)
    stored = texts(session, scan)
    assert stored[plain] == stored[hidden] == retention.REMOVED  # the row, so the count, stays
    assert stored[quote] == "Een bankje bij de speeltuin"  # a quote shown in the plan stays
    assert stored[elsewhere] == "Te weinig licht"  # its scan ended in December
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "retention.purge")).all()
    assert [(e.user_id, e.detail["texts"]) for e in entries] == [(None, 0), (None, 2)]
    assert run(session, date(2028, 2, 1)).texts == 0  # nothing left to remove


def test_counts_stay_the_same(session: Session) -> None:
    scan = close(session)
    for n in range(6):
        add_remark(session, scan, f"Schimmel in de badkamer {n}")
    found = session.get(Scan, scan)
    assert found is not None
    before = aggregation.build_results(
        queries.results_input(session, found), threshold=5, exact=True
    )
    run(session, date(2030, 1, 1))
    session.rollback()
    after = aggregation.build_results(
        queries.results_input(session, found), threshold=5, exact=True
    )
    wonen = next(p for p in after.pijlers if p.pijler.key == "wonen")
    assert wonen.remarks == next(p for p in before.pijlers if p.pijler.key == "wonen").remarks
    assert wonen.remarks.count == 6


def test_a_dry_run_changes_nothing(session: Session) -> None:
    scan = close(session)
    answer = add_remark(session, scan, "Te hard rijden")
    counted = run(session, date(2030, 1, 1), dry_run=True)
    assert (counted.contacts, counted.texts) == (1, 1)
    assert texts(session, scan)[answer] == "Te hard rijden"
    assert len(session.exec(select(Contact)).all()) == 1
    assert (
        session.exec(select(AuditEntry).where(AuditEntry.action == "retention.purge")).all() == []
    )


def test_an_open_scan_is_never_purged(session: Session) -> None:
    scan = scan_id(session)
    answer = add_remark(session, scan, "Nog open")
    assert run(session, date(2100, 1, 1)).texts == 0
    assert texts(session, scan)[answer] == "Nog open"


def test_the_inbox_says_the_text_was_removed(client: TestClient, session: Session) -> None:
    scan = close(session)
    add_remark(session, scan, "Weg ermee")
    run(session, date(2030, 1, 1))
    log_in_as(client, session, "facilitator")
    page = client.get(inbox_url(scan))
    assert page.status_code == 200
    assert len(context(page)["page"].rows) == 1  # still a remark
    assert "Weg ermee" not in page.text
    assert "na de bewaartermijn" in page.text


def test_the_command(session: Session) -> None:
    close(session)
    runner = CliRunner()
    result = runner.invoke(cli.app, ["purge", "--dry-run", "--today", "2030-01-01"])
    assert result.exit_code == 0, result.output
    assert "would remove: 1 contact details" in result.output
    assert "planetenbuurt" in result.output
    assert runner.invoke(cli.app, ["purge", "--today", "gisteren"]).exit_code == 2
    done = runner.invoke(cli.app, ["purge", "--today", "2030-01-01"])
    assert done.exit_code == 0, done.output
    session.rollback()
    assert session.exec(select(Contact)).all() == []
