from dataclasses import dataclass, field
from typing import Any

import pytest

from app.scan.forms import Value, clean_text, parse_contact, parse_page


@dataclass
class Q:
    key: str
    kind: str
    options: list[dict[str, Any]] = field(default_factory=list)
    required: bool = False
    max_choices: int | None = None


def opts(*values: str, opt_out: str | None = None) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = [{"value": v, "labels": {"nl": v}} for v in values]
    if opt_out:
        result.append({"value": opt_out, "labels": {"nl": opt_out}, "opt_out": True})
    return result


SCALE = Q("p.tevredenheid", "scale", opts("1", "2", "3", "4", "5", opt_out="weet-niet"), True)
MULTI = Q("o.meedoen", "multiple_choice", opts("a", "b", "c"), max_choices=2)
RANK = Q("prioriteiten", "ranking", opts("x", "y", "z", "w"), True, max_choices=3)
TEXT = Q("p.knelpunt", "knelpunt")


@pytest.mark.parametrize(
    ("question", "items", "values", "has_error"),
    [
        (SCALE, [("p.tevredenheid", "4")], [Value(value="4")], False),
        (SCALE, [("p.tevredenheid", "weet-niet")], [Value(value="weet-niet")], False),
        (SCALE, [("p.tevredenheid", "6")], None, True),
        (SCALE, [("p.tevredenheid", "1"), ("p.tevredenheid", "2")], None, True),
        (SCALE, [], None, True),  # required
        (MULTI, [("o.meedoen", "a"), ("o.meedoen", "c")], [Value(0, "a"), Value(1, "c")], False),
        (MULTI, [("o.meedoen", "a"), ("o.meedoen", "a")], [Value(0, "a")], False),
        (MULTI, [("o.meedoen", "a"), ("o.meedoen", "b"), ("o.meedoen", "c")], None, True),
        (MULTI, [("o.meedoen", "zz")], None, True),
        (
            RANK,
            [("prioriteiten.1", "x"), ("prioriteiten.3", "z")],
            [Value(1, "x"), Value(2, "z")],
            False,
        ),
        (RANK, [("prioriteiten.1", "x"), ("prioriteiten.2", "x")], None, True),
        (RANK, [("prioriteiten.1", "")], None, True),  # required, nothing chosen
        (
            TEXT,
            [("p.knelpunt", "  Te veel afval \r\n op straat ")],
            [Value(text="Te veel afval \n op straat")],
            False,
        ),
        (TEXT, [("p.knelpunt", "   ")], [], False),
        (TEXT, [("p.knelpunt", "a" * 2001)], None, True),
    ],
)
def test_parse_page(
    question: Q, items: list[tuple[str, str]], values: list[Value] | None, has_error: bool
) -> None:
    form = parse_page([question], items, check_required=True)
    assert (question.key in form.errors) is has_error
    if values is not None:
        assert form.values[question.key] == values
    else:
        assert question.key not in form.values


def test_an_exclusive_choice_cannot_be_combined() -> None:
    options = [*opts("a", "b"), {"value": "geen", "labels": {"nl": "Nu niet"}, "exclusive": True}]
    question = Q("o.meedoen", "multiple_choice", options)
    alone = parse_page([question], [("o.meedoen", "geen")], check_required=True)
    assert alone.values == {"o.meedoen": [Value(0, "geen")]}
    mixed = parse_page([question], [("o.meedoen", "a"), ("o.meedoen", "geen")], check_required=True)
    assert "o.meedoen" in mixed.errors


def test_required_is_only_checked_when_asked() -> None:
    form = parse_page([SCALE], [], check_required=False)
    assert form.errors == {}
    assert form.values == {SCALE.key: []}


def test_unknown_fields_and_uploads_are_a_form_error() -> None:
    assert parse_page([SCALE], [("x.y", "1")], check_required=False).form_error is not None
    assert parse_page([SCALE], [("p.tevredenheid", object())], check_required=False).form_error


def test_navigation_is_read_and_unknown_values_mean_next() -> None:
    assert parse_page([], [("nav", "back")], check_required=False).nav == "back"
    assert parse_page([], [("nav", "elsewhere")], check_required=False).nav == "next"


def test_clean_text_keeps_rtl_and_emoji_and_drops_control_characters() -> None:
    assert clean_text("مرحبا 👋\x00\x07 \u202bx") == "مرحبا 👋 \u202bx"


@pytest.mark.parametrize(
    ("items", "errors"),
    [
        ([("email", "a@b.nl")], set()),
        ([("phone", "+31 78 123 4567")], set()),
        ([("email", "geen adres")], {"email"}),
        ([("phone", "bel me")], {"phone"}),
        ([("name", "Alleen een naam")], {"email"}),
        ([("name", "n" * 121), ("email", "a@b.nl")], {"name"}),
        ([], set()),
    ],
)
def test_parse_contact(items: list[tuple[str, str]], errors: set[str]) -> None:
    assert set(parse_contact(items).errors) == errors
