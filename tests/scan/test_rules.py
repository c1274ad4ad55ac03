from datetime import UTC, date, datetime

import pytest

from app.scan import rules

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "starts_on", "ends_on", "expected"),
    [
        ("open", None, None, "open"),
        ("open", date(2026, 11, 23), date(2026, 11, 23), "open"),  # both days inclusive
        ("open", date(2026, 11, 24), None, "not_yet_open"),
        ("open", None, date(2026, 11, 22), "closed"),
        ("draft", None, None, "not_yet_open"),
        ("closed", None, None, "closed"),
        ("closed", date(2026, 12, 1), None, "closed"),
        ("draft", None, date(2026, 11, 1), "closed"),
    ],
)
def test_scan_state(
    status: str, starts_on: date | None, ends_on: date | None, expected: str
) -> None:
    assert rules.scan_state(status, starts_on, ends_on, NOW) == expected


def test_the_day_ends_at_midnight_in_the_netherlands() -> None:
    late_evening = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # 23:30 in Zwijndrecht
    after_midnight = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 00:30 the next day
    assert rules.scan_state("open", None, date(2026, 11, 23), late_evening) == "open"
    assert rules.scan_state("open", None, date(2026, 11, 23), after_midnight) == "closed"


def test_steps_are_the_pages_then_contact_then_review() -> None:
    steps = rules.steps(["a", "b", "a", "c"])
    assert [s.key for s in steps] == ["a", "b", "c", "contact", "controle"]
    assert [s.number for s in steps] == [1, 2, 3, 4, 5]
    assert {s.total for s in steps} == {5}
    assert rules.neighbour(steps, "a", -1) is None
    assert rules.neighbour(steps, "c", 1) == steps[3]


def test_resume_codes_avoid_ambiguous_characters() -> None:
    codes = {rules.new_resume_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 8
        assert not set(code) & set("01OIL")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABCD-EFGH", "ABCDEFGH"),
        (" abcd efgh ", "ABCDEFGH"),
        ("abcd–efgh", "ABCDEFGH"),
        ("ABCD-EFG", None),
        ("ABCD-EFG0", None),
        ("ABCD-EFGHJ", None),
        ("", None),
        ("<script>", None),
    ],
)
def test_normalize_resume_code(typed: str, expected: str | None) -> None:
    assert rules.normalize_resume_code(typed) == expected


def test_resume_code_hash_depends_on_the_secret() -> None:
    assert rules.hash_resume_code("a" * 20, "ABCDEFGH") != rules.hash_resume_code(
        "b" * 20, "ABCDEFGH"
    )
    assert rules.format_resume_code("ABCDEFGH") == "ABCD-EFGH"
