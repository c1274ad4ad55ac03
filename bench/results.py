"""Results benchmark (DESIGN.md §10: the results of a scan of 10,000 responses under 0.5 s).

Run from the repository root::

    .venv/bin/python bench/results.py [--postgres-url URL | --no-postgres] [--responses 10000]
                                      [--others 1000] [--repeat 7]

For SQLite (a fresh file) and PostgreSQL (a fresh database, dropped afterwards) it migrates,
loads the demo buurten and scans, adds ``--responses`` synthetic responses to Kloosstraat's
scan and ``--others`` to each of the other demo scans, and then times, after one warm-up:

1. ``results``: everything the results page counts for Kloosstraat (``queries.results_input``,
   eleven grouped queries including the comparison with the gemeente and the focusbuurten)
   plus its interpretation (``aggregation.build_results``);
2. ``comparison``: the municipality comparison alone (``queries.municipality_counts``) over
   every buurt's scan;
3. ``staff page``: the whole results page (``GET /staff/scans/{id}/resultaten`` in-process,
   logged in as a facilitator), queries, interpretation, charts and HTML.

It reports the median and the range of ``--repeat`` runs; it is not a test and exits 0 whatever
the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("BUURTSCAN_SECRET_KEY", "bench-" + uuid.uuid4().hex)
warnings.filterwarnings("ignore", category=DeprecationWarning)

from sqlalchemy import create_engine, func, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app import demo, demo_responses, migrate  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.plannen import aggregation, queries  # noqa: E402
from app.scan.models import Answer, Response, Scan  # noqa: E402

KLOOSSTRAAT = "kloosstraat"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    function()  # warm-up: caches, query plans
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append(time.perf_counter() - start)
    return runs


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    name = f"buurtscan_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill(url: str, responses: int, others: int) -> tuple[int, int, int, float]:
    """Migrate, load the demo and add responses; returns scan id, counts and seconds taken."""
    migrate.upgrade(url)
    engine = make_engine(url)
    start = time.perf_counter()
    with Session(engine) as session:
        demo.load_demo(session, now=NOW)
        for scan in session.exec(select(Scan)).all():
            count = responses if scan.slug == KLOOSSTRAAT else others
            demo_responses.add_responses(session, scan, count, seed=1, now=NOW)
        scan_id = session.exec(select(Scan.id).where(Scan.slug == KLOOSSTRAAT)).one()
        total = session.exec(select(func.count()).select_from(Response)).one()
        answers = session.exec(select(func.count()).select_from(Answer)).one()
    seconds = time.perf_counter() - start
    if engine.dialect.name == "postgresql":
        # Fresh bulk inserts have no statistics or visibility map yet; autovacuum would
        # provide both on a server that has been running.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    assert scan_id is not None
    return scan_id, total, answers, seconds


def measure(url: str, args: argparse.Namespace) -> list[list[str]]:
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app
    from app.staff.models import User
    from app.staff.passwords import hash_password

    scan_id, total, answers, seconds = fill(url, args.responses, args.others)
    engine = make_engine(url)
    with Session(engine) as session:
        scan = session.get(Scan, scan_id)
        assert scan is not None
        submitted = session.exec(
            select(func.count())
            .select_from(Response)
            .where(Response.scan_id == scan_id, Response.submitted_at.is_not(None))  # type: ignore[union-attr]
        ).one()
        keys = {q.key for q in queries.results_input(session, scan).questions if q.kind == "scale"}

        def results() -> None:
            session.rollback()  # a fresh read transaction, as a request has
            aggregation.build_results(
                queries.results_input(session, scan), threshold=5, exact=False
            )

        def comparison() -> None:
            session.rollback()
            queries.municipality_counts(session, keys)

        results_runs = timed(results, args.repeat)
        comparison_runs = timed(comparison, args.repeat)
        password = "bench-" + uuid.uuid4().hex  # a throwaway account in a throwaway database
        session.add(
            User(
                email="bench@zwijndrecht.example",
                name="Bench",
                role="facilitator",
                password_hash=hash_password(password),
            )
        )
        session.commit()
    engine.dispose()

    app = create_app(Settings(database_url=url))
    with TestClient(app) as client:
        client.get("/staff/inloggen")
        from app.security import csrf_token_for

        token = csrf_token_for(os.environ["BUURTSCAN_SECRET_KEY"], client.cookies["csrf"])
        client.post(
            "/staff/inloggen",
            data={"email": "bench@zwijndrecht.example", "password": password, "csrf_token": token},
        )
        page = f"/staff/scans/{scan_id}/resultaten"
        status = client.get(page).status_code
        page_runs = timed(lambda: client.get(page), args.repeat)
    app.state.engine.dispose()

    def row(label: str, runs: list[float]) -> list[str]:
        return [
            label,
            f"{statistics.median(runs) * 1000:.0f}",
            f"{min(runs) * 1000:.0f}-{max(runs) * 1000:.0f}",
        ]

    print(
        f"  {total:,} responses ({args.responses:,} in Kloosstraat, {submitted:,} of them "
        f"submitted), {answers:,} answers, generated in {seconds:.1f} s; page status {status}"
    )
    return [
        row("results of Kloosstraat (queries + interpretation)", results_runs),
        row("municipality comparison, all buurten", comparison_runs),
        row("staff results page, whole request", page_runs),
    ]


def print_table(title: str, rows: list[list[str]]) -> None:
    print(f"\n{title}")
    print("| figure | median ms | range ms |")
    print("|---|---:|---:|")
    for cells in rows:
        print("| " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    print(
        f"Buurtscan results benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory() as workdir:
        print("\nSQLite:")
        print_table("SQLite", measure(f"sqlite:///{Path(workdir) / 'results.db'}", args))
    if not args.no_postgres:
        print("\nPostgreSQL:")
        with postgres_database(args.postgres_url) as url:
            print_table("PostgreSQL", measure(url, args))
    print("\nBudget (DESIGN.md §10): results of a scan of 10,000 responses under 500 ms.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
