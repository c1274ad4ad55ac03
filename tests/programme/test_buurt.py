import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.programme.models import Buurt
from app.programme.rules import is_valid_cbs_code


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("BU05900000", True),
        ("BU05901203", True),
        ("bu05900000", False),
        ("BU0590000", False),
        ("BU059000000", False),
        ("WK059000", False),
        ("BU0590000A", False),
        ("", False),
    ],
)
def test_cbs_buurtcode_format(code: str, valid: bool) -> None:
    assert is_valid_cbs_code(code) is valid


def test_the_database_refuses_a_code_that_is_not_a_buurtcode(session: Session) -> None:
    session.add(Buurt(name="Proef", slug="proef", cbs_code="XX12345678"))
    with pytest.raises(IntegrityError):
        session.commit()
