"""Fixtures: every test runs on SQLite, and on PostgreSQL too when a URL for it is given.

Set ``BUURTSCAN_TEST_POSTGRES_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``)
to add the PostgreSQL run. Each test gets a clean, fully migrated database: a copy of a
migrated SQLite file, or a PostgreSQL database whose tables are emptied after each test.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import migrate
from app.config import get_settings
from app.db import metadata, open_session, utcnow
from app.demo import load_demo
from app.main import create_app

POSTGRES_URL = os.environ.get("BUURTSCAN_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
SECRET = "test-secret-key-0123456789abcdef"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    assert POSTGRES_URL is not None
    name = f"buurtscan_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_database")
    yield url
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def settings_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BUURTSCAN_DATABASE_URL", database_url)
    monkeypatch.setenv("BUURTSCAN_SECRET_KEY", SECRET)
    monkeypatch.setenv("BUURTSCAN_GEMEENTE", "Zwijndrecht")
    monkeypatch.delenv("BUURTSCAN_SECURE_COOKIES", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def app(settings_env: None) -> Iterator[FastAPI]:
    application = create_app()
    yield application
    application.state.engine.dispose()


@pytest.fixture
def session(app: FastAPI) -> Iterator[Session]:
    # Deferred transactions: a test that only reads must not hold SQLite's write lock.
    with open_session(app.state.engine, write=False) as db_session:
        yield db_session


@pytest.fixture
def demo(session: Session) -> None:
    load_demo(session, now=utcnow())


def make_client(app: FastAPI) -> TestClient:
    return TestClient(app, follow_redirects=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with make_client(app) as test_client:
        yield test_client
