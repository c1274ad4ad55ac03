"""Ballots cannot be traced to codes: no column, key or time in the migrated schema."""

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import Date, DateTime, Time, inspect

BALLOT_TABLES = ("ballot", "ballot_line")
# Columns that would tie a ballot to a person, a code, a device or a moment.
TRACEABLE = re.compile(r"code|hash|ip|addr|client|agent|session|cookie|user|_at$|_on$|time|date")


@pytest.mark.parametrize("table", BALLOT_TABLES)
def test_ballot_tables_hold_no_code_hash_address_or_time(app: FastAPI, table: str) -> None:
    inspector = inspect(app.state.engine)
    columns = inspector.get_columns(table)
    assert columns, f"{table} is missing from the migrated database"
    for column in columns:
        assert not TRACEABLE.search(column["name"]), f"{table}.{column['name']}"
        assert not isinstance(column["type"], (Date, DateTime, Time)), f"{table}.{column['name']}"
    keys = inspector.get_foreign_keys(table)
    assert {k["referred_table"] for k in keys} <= {"vote_round", "ballot", "measure"}


def test_ballot_columns_are_exactly_these(app: FastAPI) -> None:
    inspector = inspect(app.state.engine)
    assert {c["name"] for c in inspector.get_columns("ballot")} == {
        "id",
        "vote_round_id",
        "channel",
        "language",
    }
    assert {c["name"] for c in inspector.get_columns("ballot_line")} == {
        "ballot_id",
        "measure_id",
        "amount",
    }


def test_no_table_links_codes_and_ballots(app: FastAPI) -> None:
    inspector = inspect(app.state.engine)
    code_columns = inspector.get_columns("vote_code")
    assert not [c["name"] for c in code_columns if "ballot" in c["name"]]
    assert not [
        k for k in inspector.get_foreign_keys("vote_code") if k["referred_table"] == "ballot"
    ]
    for table in inspector.get_table_names():
        referred = {k["referred_table"] for k in inspector.get_foreign_keys(table)}
        assert not {"vote_code", "ballot"} <= referred, f"{table} joins codes to ballots"
        if table in BALLOT_TABLES:
            assert "vote_code" not in referred


def test_a_used_code_keeps_only_its_day(app: FastAPI) -> None:
    columns = {c["name"]: c["type"] for c in inspect(app.state.engine).get_columns("vote_code")}
    assert isinstance(columns["used_on"], Date)
    assert not isinstance(columns["used_on"], DateTime)
    assert not [name for name in columns if name.endswith("_at")]
