"""Staff download of a scan's anonymous responses as CSV, streamed with flat memory."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.responses import StreamingResponse

from app.clock import NowDep
from app.db import SessionDep, open_session
from app.errors import NotFound
from app.scan import export, queries, rules
from app.scan.models import Question, Scan
from app.staff import service as staff_service
from app.staff.dependencies import Staff, require

router = APIRouter(prefix="/staff")

ExportDep = Annotated[Staff, Depends(require("responses.export"))]


@router.get("/scans/{scan_id}/export.csv", name="staff:export")
def export_responses(
    request: Request, scan_id: int, staff: ExportDep, session: SessionDep, at: NowDep
) -> StreamingResponse:
    scan = session.get(Scan, scan_id)
    if scan is None:
        raise NotFound
    questions = queries.questions(session, scan_id)
    count = sum(queries.submitted_counts_by_channel(session, scan_id).values())
    filename = f"antwoorden-{scan.slug}-{rules.local_date(at).isoformat()}.csv"
    # The request's session would otherwise stay open, idle in its transaction, until the
    # last byte is sent; the body reads through a session of its own.
    session.close()
    engine: Engine = request.app.state.engine
    _record_export(engine, staff, scan_id, count)
    return StreamingResponse(
        _csv_body(engine, scan_id, questions),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _record_export(engine: Engine, staff: Staff, scan_id: int, count: int) -> None:
    """Audit the download, committed before the body streams.

    In a session of its own that takes SQLite's write lock up front: the request's session
    already holds a read snapshot (this is a GET), and upgrading that to a write fails at
    once if a resident saved an answer in between.
    """
    with open_session(engine, write=True) as audit:
        staff_service.record(
            audit, staff.user, "responses.export", "scan", scan_id, responses=count
        )
        audit.commit()


def _csv_body(engine: Engine, scan_id: int, questions: list[Question]) -> Iterator[bytes]:
    """The file, read through server-side cursors in a session of its own.

    The request's session closes when the handler returns, before the first byte is sent.
    """
    columns = {q.id: index for index, q in enumerate(questions) if q.id is not None}
    head = export.header([q.key for q in questions])
    with (
        _snapshot_session(engine) as session,
        queries.export_responses(session, scan_id) as responses,
        queries.export_answers(session, scan_id) as answers,
    ):
        yield from export.csv_chunks(head, export.rows(responses, answers, columns))


def _snapshot_session(engine: Engine) -> Session:
    """A read-only session whose queries all see one snapshot of the database.

    The export reads responses and answers in two queries that must agree. Every SQLite
    transaction reads one snapshot; PostgreSQL's default gives each statement its own.
    """
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    return Session(engine)
