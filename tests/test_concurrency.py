"""Many residents saving at once: no "database is locked", no lost save."""

import threading

from fastapi import FastAPI
from sqlmodel import Session, select

from app.db import open_session, utcnow
from app.scan import queries, service
from app.scan.forms import Value
from app.scan.models import Answer, Response, Scan

RESIDENTS = 24
SAVES_EACH = 5


def test_concurrent_saves_all_land(app: FastAPI, demo: None, session: Session) -> None:
    engine = app.state.engine
    scan = session.exec(select(Scan).where(Scan.slug == "planetenbuurt")).one()
    questions = queries.questions(session, scan.id or 0, "wonen")
    satisfaction = next(q for q in questions if q.key == "wonen.tevredenheid")
    response_ids = [
        service.start_response(session, scan, language="nl", secret_key="s" * 20, now=utcnow())[
            0
        ].id
        for _ in range(RESIDENTS)
    ]
    errors: list[BaseException] = []
    barrier = threading.Barrier(RESIDENTS)

    def resident(index: int) -> None:
        barrier.wait()
        try:
            for save in range(SAVES_EACH):
                with open_session(engine, write=True) as own:
                    mine = own.get(Response, response_ids[index])
                    assert mine is not None
                    value = str((index + save) % 5 + 1)
                    service.save_answers(
                        own,
                        mine,
                        [satisfaction],
                        {satisfaction.key: [Value(value=value)]},
                        language="nl",
                        page="wonen",
                        now=utcnow(),
                    )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=resident, args=(i,)) for i in range(RESIDENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    session.rollback()  # ends the snapshot: see what the app wrote
    stored = {a.response_id: a.value for a in session.exec(select(Answer))}
    expected = {r: str((i + SAVES_EACH - 1) % 5 + 1) for i, r in enumerate(response_ids)}
    assert stored == expected
