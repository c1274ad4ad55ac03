"""How a typed cost estimate is read: whole euros, thousands grouped by dots or spaces."""

from typing import Any

import pytest

from app.i18n import load_catalogs, use_locale
from app.plannen.plan_forms import COST_LIMIT, _cost


@pytest.mark.parametrize(
    ("typed", "euros"),
    [
        ("", None),
        ("  ", None),
        ("0", 0),
        ("12500", 12500),
        ("12.500", 12500),
        ("€ 12.500", 12500),
        ("1 250 000", 1250000),
        ("100.000.000", COST_LIMIT),
    ],
)
def test_costs_that_are_read(typed: str, euros: int | None) -> None:
    errors: dict[str, Any] = {}
    assert _cost(typed, errors) == euros
    assert errors == {}


@pytest.mark.parametrize(
    "typed", ["12.5", "12,50", "1.25.000", "12.50", "-5", "abc", "1e6", "١٢", "100.000.001"]
)
def test_costs_that_are_refused(typed: str) -> None:
    errors: dict[str, Any] = {}
    assert _cost(typed, errors) is None
    assert set(errors) == {"cost"}


def test_the_limit_is_written_the_way_the_reader_writes_numbers() -> None:
    load_catalogs()
    errors: dict[str, Any] = {}
    with use_locale("nl"):
        _cost("100000001", errors)
        assert str(errors["cost"]) == "Vul hoogstens 100.000.000 euro in."
