"""Documents are rendered from what the pages already read, whose queries are tested on both
databases; rendering a PDF is the slow part and the same on either, so these run on SQLite."""

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only (overrides the parametrized fixture of ``tests/conftest.py``)."""
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"
