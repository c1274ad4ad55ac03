"""The anonymous responses export: who may download it, what it holds, and flat memory."""

import codecs
import csv
import io
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import String, insert, literal
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from app.clock import now
from app.programme.models import Buurt
from app.scan import export
from app.scan.models import Answer, Contact, Question, Response, Scan
from app.staff.models import AuditEntry
from tests.staff.helpers import log_in, make_user

ROLES = ["anonymous", "partner", "facilitator", "beheerder"]
FORMULA = "=cmd|' /C calc'!A0"
FREE_TEXT = 'Kapotte lantaarn, "echt" gevaarlijk;\nvooral \'s avonds'
ARABIC = "الشارع مظلم في الليل 🌙💡"
# 23:30 UTC on 14 March is 00:30 on 15 March in Zwijndrecht.
SUBMITTED_AT = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)
TODAY = datetime(2025, 4, 1, 10, 0, tzinfo=UTC)


def export_path(app: FastAPI, scan_id: int) -> str:
    return app.url_path_for("staff:export", scan_id=str(scan_id))


def scan_by_slug(session: Session, slug: str) -> Scan:
    return session.exec(select(Scan).where(Scan.slug == slug)).one()


def question_ids(session: Session, scan: Scan) -> dict[str, int]:
    rows = session.exec(select(Question).where(Question.scan_id == scan.id)).all()
    return {q.key: q.id for q in rows if q.id is not None}


def question_keys(session: Session, scan: Scan) -> list[str]:
    rows = session.exec(
        select(Question.key).where(Question.scan_id == scan.id).order_by(col(Question.position))
    ).all()
    return list(rows)


def add_response(
    session: Session,
    scan: Scan,
    answers: list[tuple[str, int, str | None, str | None]],
    *,
    channel: str = "online",
    language: str = "nl",
    submitted_at: datetime | None = SUBMITTED_AT,
) -> Response:
    """A deelname with answers given as (question key, position, value, text)."""
    ids = question_ids(session, scan)
    response = Response(
        scan_id=scan.id or 0, language=language, channel=channel, submitted_at=submitted_at
    )
    session.add(response)
    session.flush()
    session.add_all(
        Answer(
            response_id=response.id,
            question_id=ids[key],
            position=position,
            value=value,
            text=text,
            language=language if text is not None else None,
        )
        for key, position, value, text in answers
    )
    session.commit()
    return response


@dataclass
class Filled:
    scan: Scan
    online: Response
    paper: Response


@pytest.fixture
def filled(session: Session, demo: None) -> Filled:
    """Planetenbuurt with two submitted deelnames, a draft, contact details, and another scan's."""
    scan = scan_by_slug(session, "planetenbuurt")
    # Answers stored out of order on purpose: the export orders them by position.
    online = add_response(
        session,
        scan,
        [
            ("prioriteiten.top3", 3, "wonen", None),
            ("prioriteiten.top3", 1, "veiligheid", None),
            ("prioriteiten.top3", 2, "leefomgeving", None),
            ("over-u.meedoen", 1, "meebeslissen", None),
            ("over-u.meedoen", 0, "meedenken", None),
            ("rijke-ontwikkeldag.tevredenheid", 0, "4", None),
            ("wonen.helpen", 0, "misschien", None),
            ("leefomgeving.knelpunt", 0, None, FREE_TEXT),
            ("leefomgeving.idee", 0, None, ARABIC),
            ("veiligheid.knelpunt", 0, None, FORMULA),
        ],
    )
    paper = add_response(session, scan, [], channel="paper", language="ar")
    add_response(
        session, scan, [("wonen.knelpunt", 0, None, "CONCEPT-NIET-VERSTUURD")], submitted_at=None
    )
    other_scan = session.exec(select(Scan).where(Scan.id != scan.id)).first()
    assert other_scan is not None
    add_response(session, other_scan, [("wonen.knelpunt", 0, None, "ANDERE-SCAN")])
    session.add(
        Contact(
            scan_id=scan.id or 0,
            name="Fatima de Vries",
            email="fatima@voorbeeld.nl",
            phone="078 123 4567",
            created_on=date(2025, 3, 14),
        )
    )
    session.commit()
    return Filled(scan, online, paper)


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(codecs.BOM_UTF8)
    text = body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=export.DELIMITER))


def download(client: TestClient, session: Session, app: FastAPI, scan: Scan) -> httpx.Response:
    log_in(client, make_user(session, role="facilitator"))
    response = client.get(export_path(app, scan.id or 0))
    assert response.status_code == 200
    return response


def rows_by_channel(table: list[list[str]]) -> dict[str, dict[str, str]]:
    head = table[0]
    return {row[1]: dict(zip(head, row, strict=True)) for row in table[1:]}


@pytest.mark.parametrize(
    ("scan_id", "expected"),
    [("planetenbuurt", [303, 403, 200, 200]), ("999999", [303, 403, 404, 404])],
)
@pytest.mark.parametrize("role", ROLES)
def test_roles_by_routes(
    app: FastAPI,
    client: TestClient,
    session: Session,
    demo: None,
    role: str,
    scan_id: str,
    expected: list[int],
) -> None:
    if role != "anonymous":
        log_in(client, make_user(session, role=role))
    target = int(scan_id) if scan_id.isdigit() else scan_by_slug(session, scan_id).id or 0
    response = client.get(export_path(app, target))
    assert response.status_code == expected[ROLES.index(role)]
    if role == "anonymous":
        assert response.headers["location"].endswith("/staff/inloggen")


def test_the_export_is_a_utf8_csv_attachment_named_after_the_scan_and_day(
    app: FastAPI, client: TestClient, session: Session, filled: Filled
) -> None:
    app.dependency_overrides[now] = lambda: TODAY
    response = download(client, session, app, filled.scan)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="antwoorden-planetenbuurt-2025-04-01.csv"'
    )
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(codecs.BOM_UTF8)
    assert response.content.count(codecs.BOM_UTF8) == 1


def test_one_row_per_submitted_response_and_a_column_per_question_key(
    app: FastAPI, client: TestClient, session: Session, filled: Filled
) -> None:
    table = read_csv(download(client, session, app, filled.scan).content)
    head, body = table[0], table[1:]
    assert head == ["nr", "kanaal", "taal", "ingestuurd_op", *question_keys(session, filled.scan)]
    assert len(body) == 2  # not the draft, not the other scan's
    assert all(len(row) == len(head) for row in body)
    assert sorted(row[0] for row in body) == ["1", "2"]
    text = "\n".join(";".join(row) for row in table)
    for hidden in ("CONCEPT-NIET-VERSTUURD", "ANDERE-SCAN", str(filled.online.id)):
        assert hidden not in text
    assert str(filled.online.id.hex) not in text


def test_values_per_kind(
    app: FastAPI, client: TestClient, session: Session, filled: Filled
) -> None:
    rows = rows_by_channel(read_csv(download(client, session, app, filled.scan).content))
    online, paper = rows["online"], rows["paper"]
    assert online["taal"] == "nl"
    assert online["rijke-ontwikkeldag.tevredenheid"] == "4"
    assert online["wonen.helpen"] == "misschien"
    assert online["over-u.meedoen"] == "meedenken|meebeslissen"
    assert online["prioriteiten.top3"] == "veiligheid|leefomgeving|wonen"
    assert online["leefomgeving.knelpunt"] == FREE_TEXT
    assert online["leefomgeving.idee"] == ARABIC
    assert online["wonen.knelpunt"] == ""
    assert paper["taal"] == "ar"
    assert {v for k, v in paper.items() if "." in k} == {""}


def test_the_submission_is_a_local_date_without_a_time(
    app: FastAPI, client: TestClient, session: Session, filled: Filled
) -> None:
    rows = rows_by_channel(read_csv(download(client, session, app, filled.scan).content))
    assert rows["online"]["ingestuurd_op"] == "2025-03-15"
    assert "23:30" not in rows["online"]["ingestuurd_op"]


def test_contact_details_are_never_exported(
    app: FastAPI, client: TestClient, session: Session, filled: Filled
) -> None:
    body = download(client, session, app, filled.scan).content.decode("utf-8-sig")
    for detail in ("Fatima", "fatima@voorbeeld.nl", "078 123 4567"):
        assert detail not in body


def test_formulas_are_neutralised(
    app: FastAPI, client: TestClient, session: Session, filled: Filled
) -> None:
    rows = rows_by_channel(read_csv(download(client, session, app, filled.scan).content))
    assert rows["online"]["veiligheid.knelpunt"] == "'" + FORMULA


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+31 78 123", "'+31 78 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Geen formule = veilig", "Geen formule = veilig"),
        ("4", "4"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, expected: str) -> None:
    assert export.neutralise(cell) == expected


def test_rows_pair_each_response_with_its_own_answers() -> None:
    at = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    responses = [("a", "online", "nl", at), ("b", "paper", "tr", at), ("c", "online", "uk", at)]
    answers = [("a", 10, "5", None), ("a", 11, None, "Meer bankjes"), ("c", 11, None, "Licht")]
    answers.append(("c", 99, "onbekende-vraag", None))  # not a column: left out
    rows = list(export.rows(responses, answers, {10: 0, 11: 1}))
    assert rows == [
        ["1", "online", "nl", "2025-06-01", "5", "Meer bankjes"],
        ["2", "paper", "tr", "2025-06-01", "", ""],
        ["3", "online", "uk", "2025-06-01", "", "Licht"],
    ]


def test_a_scan_without_responses_exports_its_header(
    app: FastAPI, client: TestClient, session: Session, demo: None
) -> None:
    scan = scan_by_slug(session, "planetenbuurt")
    table = read_csv(download(client, session, app, scan).content)
    assert table == [["nr", "kanaal", "taal", "ingestuurd_op", *question_keys(session, scan)]]


def test_the_export_is_audited(
    app: FastAPI, client: TestClient, session: Session, filled: Filled
) -> None:
    download(client, session, app, filled.scan)
    session.rollback()
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "responses.export")).one()
    assert entry.target_type == "scan"
    assert entry.target_id == str(filled.scan.id)
    assert entry.detail == {"responses": 2}


# The flat-memory export: 100,000 deelnames of three answers each.
LARGE = 100_000
INSERT_CHUNK = 10_000
LONG_TEXT = "De lantaarn bij de speeltuin is al weken kapot en het pad is 's avonds echt donker"
LARGE_ANSWERS = [
    ("wonen.tevredenheid", "2", None),
    ("wonen.helpen", "ja", None),
    ("wonen.knelpunt", None, LONG_TEXT),
]
# A streamed export holds a 1,000-row batch per cursor, a 64 KB buffer and a chunk in
# transit: about 1.5 MB traced, with the test client's machinery. The file is 11 MB and
# its 300,000 answer rows would take several times that as Python objects, so an export
# that held the file or the rows would fail this bound, which leaves room for noise.
PEAK_BOUND_MB = 8


def make_large_scan(session: Session) -> Scan:
    buurt = Buurt(name="Grote buurt", slug="grote-buurt")
    session.add(buurt)
    session.flush()
    scan = Scan(buurt_id=buurt.id or 0, slug="grote-buurt", status="open")
    session.add(scan)
    session.flush()
    scale = [{"value": str(v), "labels": {"nl": str(v)}} for v in range(1, 6)]
    helpen = [{"value": v, "labels": {"nl": v}} for v in ("ja", "misschien", "nee")]
    for position, (key, kind, options) in enumerate(
        [
            ("wonen.tevredenheid", "scale", scale),
            ("wonen.helpen", "single_choice", helpen),
            ("wonen.knelpunt", "knelpunt", []),
        ]
    ):
        session.add(
            Question(
                scan_id=scan.id or 0,
                key=key,
                kind=kind,
                page="wonen",
                position=position,
                options=options,
            )
        )
    session.commit()
    return scan


def insert_responses(session: Session, scan: Scan, count: int) -> None:
    """``count`` submitted deelnames with a scale, a choice and a free-text answer each.

    The responses go in as lists of rows; each question's answers are then made by the
    database from those responses in one statement, which is ten times faster than sending
    300,000 answer rows.
    """
    connection = session.connection()
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    # In id order, so the inserts append to the indexes instead of splitting their pages.
    response_ids = sorted((uuid.uuid4() for _ in range(count)), key=lambda u: u.int)
    for offset in range(0, count, INSERT_CHUNK):
        rows: list[dict[str, object]] = []
        for i in range(offset, min(offset + INSERT_CHUNK, count)):
            at = start + timedelta(minutes=i)
            rows.append(
                {
                    "id": response_ids[i],
                    "scan_id": scan.id,
                    "language": "nl",
                    "channel": "online",
                    "started_at": at,
                    "updated_at": at,
                    "submitted_at": at,
                    "resume_code_hash": None,
                    "last_page": None,
                }
            )
        connection.execute(insert(Response), rows)
    ids = question_ids(session, scan)
    for key, value, text in LARGE_ANSWERS:
        connection.execute(
            insert(Answer).from_select(
                ["response_id", "question_id", "position", "value", "text", "language"],
                core_select(
                    col(Response.id),
                    literal(ids[key]),
                    literal(0),
                    literal(value, String),
                    literal(text, String),
                    literal("nl" if text else None, String),
                ).where(col(Response.scan_id) == scan.id),
            )
        )
    session.commit()


def stream_lines(client: TestClient, path: str) -> Iterator[tuple[bytes, int]]:
    with client.stream("GET", path) as response:
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            yield chunk, chunk.count(b"\n")


def test_a_large_export_streams_with_flat_memory(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    log_in(client, make_user(session, role="facilitator"))
    scan = make_large_scan(session)
    path = export_path(app, scan.id or 0)
    started = time.perf_counter()
    insert_responses(session, scan, LARGE)
    inserted = time.perf_counter()

    lines = size = 0
    first = last = b""
    tracemalloc.start()
    try:
        for chunk, newlines in stream_lines(client, path):
            first = first or chunk[:200]
            last = (last + chunk)[-400:]
            lines += newlines
            size += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    done = time.perf_counter()

    peak_mb = peak / 1024 / 1024
    print(
        f"\nexport of {LARGE:,} responses: {size / 1024 / 1024:.1f} MB in "
        f"{done - inserted:.1f} s (insert {inserted - started:.1f} s), "
        f"traced peak {peak_mb:.1f} MB"
    )
    assert first.startswith(codecs.BOM_UTF8 + b"nr;kanaal;taal;ingestuurd_op;wonen.tevredenheid")
    assert lines == LARGE + 1
    assert last.rstrip(b"\r\n").rsplit(b"\r\n", 1)[-1].startswith(f"{LARGE};online;nl;".encode())
    assert size > PEAK_BOUND_MB * 1024 * 1024  # a file larger than the bound
    assert peak_mb < PEAK_BOUND_MB
