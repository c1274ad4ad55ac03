"""The demo data: Zwijndrecht's focusbuurten, pijlers, partners and open scans."""

from sqlmodel import Session, func, select

from app.db import utcnow
from app.demo import load_demo
from app.programme.models import Buurt, Partner, Pijler
from app.scan.models import Question, Scan


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_the_demo_loads_zwijndrecht(session: Session) -> None:
    load_demo(session, now=utcnow())
    assert count(session, Pijler) == 7
    assert count(session, Partner) == 10
    focus = session.exec(select(Buurt).where(Buurt.is_focus)).all()
    assert len(focus) == 15
    first_wave = {b.slug for b in session.exec(select(Buurt).where(Buurt.first_wave))}
    assert first_wave == {"kloosstraat", "planetenbuurt", "leeuwerikplein"}
    open_scans = session.exec(select(Scan).where(Scan.status == "open")).all()
    assert {s.buurt_id for s in open_scans} >= {b.id for b in focus}
    per_scan = session.exec(select(Question.scan_id, func.count()).group_by(Question.scan_id)).all()
    assert {n for _, n in per_scan} == {54}


def test_loading_the_demo_twice_changes_nothing(session: Session) -> None:
    load_demo(session, now=utcnow())
    before = [count(session, m) for m in (Pijler, Partner, Buurt, Scan, Question)]
    again = load_demo(session, now=utcnow())
    after = [count(session, m) for m in (Pijler, Partner, Buurt, Scan, Question)]
    assert before == after
    assert (again.pijlers, again.partners, again.buurten, again.scans) == (0, 0, 0, 0)
