"""Answers are never stored with an IP address, a code or contact details."""

from sqlalchemy import inspect

from app.models import metadata
from app.scan.models import Answer, Contact, Response


def columns(model: type) -> set[str]:
    return {column.name for column in inspect(model).columns}


def test_a_response_holds_no_identifying_column() -> None:
    assert columns(Response) == {
        "id",
        "scan_id",
        "language",
        "channel",
        "started_at",
        "updated_at",
        "submitted_at",
        "resume_code_hash",
        "last_page",
    }
    assert columns(Answer) == {
        "id",
        "response_id",
        "question_id",
        "position",
        "value",
        "text",
        "language",
    }


def test_contact_details_cannot_be_joined_to_answers() -> None:
    contact = metadata.tables["contact"]
    assert {fk.column.table.name for fk in contact.foreign_keys} == {"scan"}
    assert "created_on" in columns(Contact)  # a date only, no time to line up with responses
    for table in metadata.tables.values():
        if table.name != "contact":
            assert "contact" not in {fk.column.table.name for fk in table.foreign_keys}
