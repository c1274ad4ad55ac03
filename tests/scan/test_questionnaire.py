"""The default questionnaire shipped as data (DESIGN.md §5)."""

import re
from collections import Counter

from app.scan.questionnaire import check_questionnaire, load_default

PIJLER_KEYS = [
    "rijke-ontwikkeldag",
    "armoede-werk-inkomen",
    "wonen",
    "leefomgeving",
    "kunst-cultuur",
    "gezondheid-sport-bewegen",
    "veiligheid",
]


def test_the_default_questionnaire_is_sound() -> None:
    assert check_questionnaire(load_default()) == []


def test_seven_pijlers_in_the_programmes_order() -> None:
    pijlers = load_default()["pijlers"]
    assert [p["key"] for p in pijlers] == PIJLER_KEYS
    assert [p["number"] for p in pijlers] == list(range(1, 8))
    assert pijlers[1]["name"]["nl"] == "Armoedebestrijding, werk en inkomen"
    assert all(p["explanation"]["nl"] and p["goals"]["nl"] for p in pijlers)


def test_every_pijler_page_has_the_questions_of_the_brief() -> None:
    questions = load_default()["questions"]
    for pijler in PIJLER_KEYS:
        on_page = [q for q in questions if q["page"] == pijler]
        kinds = Counter(q["kind"] for q in on_page)
        satisfaction = [q for q in on_page if q.get("display") == "faces"]
        statements = [q for q in on_page if q.get("scale") == "eens"]
        assert len(satisfaction) == 1, pijler
        assert 2 <= len(statements) <= 4, pijler
        assert kinds["knelpunt"] == 1, pijler
        assert kinds["idee"] == 1, pijler
        assert any(q["key"] == f"{pijler}.helpen" for q in on_page), pijler


def test_priorities_and_about_you_follow_the_pijlers() -> None:
    questions = load_default()["questions"]
    pages = list(dict.fromkeys(q["page"] for q in questions))
    assert pages == [*PIJLER_KEYS, "prioriteiten", "over-u"]
    top3 = next(q for q in questions if q["page"] == "prioriteiten")
    assert top3["kind"] == "ranking"
    assert top3["max_choices"] == 3
    assert not any(q["required"] for q in questions if q["page"] == "over-u")


def test_keys_are_stable_identifiers() -> None:
    for question in load_default()["questions"]:
        assert re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+", question["key"]), question["key"]
        for option in question.get("options", []):
            assert re.fullmatch(r"[a-z0-9-]+", option["value"]), option["value"]
