"""The default questionnaire, shipped as data (``app/scan/data/questionnaire.toml``).

Texts are tables keyed by language code. This module turns the file into pijler and
question rows; ``check_questionnaire`` lists what is wrong with a file.
"""

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from app.programme.models import Pijler
from app.scan.forms import KINDS
from app.scan.models import Question
from app.scan.rules import RESERVED_STEPS

DEFAULT_PATH = Path(__file__).parent / "data" / "questionnaire.toml"
TRANSLATIONS_DIR = Path(__file__).parent / "data" / "translations"
OPTION_KINDS = frozenset({"single_choice", "multiple_choice", "yes_no"})


@cache
def load_default() -> dict[str, Any]:
    """The Dutch questionnaire with every translation in ``data/translations/<ll>.toml``."""
    with DEFAULT_PATH.open("rb") as file:
        data = tomllib.load(file)
    for path in sorted(TRANSLATIONS_DIR.glob("*.toml")):
        with path.open("rb") as file:
            merge_translation(data, path.stem, tomllib.load(file))
    return data


def merge_translation(data: dict[str, Any], language: str, texts: dict[str, Any]) -> None:
    """Add one language's texts, keyed by stable keys, to the language tables of ``data``."""
    for section in ("intro", "thanks"):
        for name, text in texts.get(section, {}).items():
            data[section].setdefault(name, {})[language] = text
    for page, page_texts in texts.get("pages", {}).items():
        for name, text in page_texts.items():
            data["pages"][page].setdefault(name, {})[language] = text
    for scale_key, scale_texts in texts.get("scales", {}).items():
        scale = data["scales"][scale_key]
        for point in scale["points"]:
            if point["value"] in scale_texts.get("points", {}):
                point["label"][language] = scale_texts["points"][point["value"]]
        if "opt_out" in scale_texts:
            scale["opt_out"]["label"][language] = scale_texts["opt_out"]
    pijlers = {p["key"]: p for p in data["pijlers"]}
    for key, pijler_texts in texts.get("pijlers", {}).items():
        for name, text in pijler_texts.items():
            pijlers[key].setdefault(name, {})[language] = text
    questions = {q["key"]: q for q in data["questions"]}
    for key, question_texts in texts.get("questions", {}).items():
        question = questions[key]
        for name in ("text", "help", "goal"):
            if name in question_texts:
                question.setdefault(name, {})[language] = question_texts[name]
        for option in question.get("options", []):
            label = question_texts.get("options", {}).get(option["value"])
            if label is not None:
                option["label"][language] = label


def check_questionnaire(data: dict[str, Any]) -> list[str]:
    """Every problem in a questionnaire file, as readable lines (empty when it is sound)."""
    problems: list[str] = []
    pijler_keys = [p["key"] for p in data.get("pijlers", [])]
    if len(pijler_keys) != 7 or len(set(pijler_keys)) != 7:
        problems.append("there must be seven pijlers with distinct keys")
    keys: set[str] = set()
    for question in data.get("questions", []):
        key = question.get("key", "?")
        if key in keys:
            problems.append(f"{key}: duplicate key")
        keys.add(key)
        if question.get("kind") not in KINDS:
            problems.append(f"{key}: unknown kind {question.get('kind')!r}")
        if question.get("page") in RESERVED_STEPS:
            problems.append(f"{key}: page {question['page']!r} is reserved")
        if "nl" not in question.get("text", {}):
            problems.append(f"{key}: no Dutch text")
        if question.get("pijler") not in (None, *pijler_keys):
            problems.append(f"{key}: unknown pijler {question['pijler']!r}")
        if question.get("kind") == "scale" and question.get("scale") not in data.get("scales", {}):
            problems.append(f"{key}: unknown scale {question.get('scale')!r}")
        if question.get("kind") in OPTION_KINDS and not question.get("options"):
            problems.append(f"{key}: no options")
    return problems


def pijler_rows(data: dict[str, Any]) -> list[Pijler]:
    return [
        Pijler(
            key=p["key"],
            number=p["number"],
            name=p["name"],
            short=p.get("short", {}),
            explanation=p.get("explanation", {}),
            goals=p.get("goals", {}),
            icon=p["icon"],
        )
        for p in data["pijlers"]
    ]


def scan_texts(data: dict[str, Any]) -> dict[str, Any]:
    """The scan-level texts a facilitator may adapt: intro, thank-you page, page titles."""
    return {"intro": data["intro"], "thanks": data["thanks"], "pages": data.get("pages", {})}


def question_rows(data: dict[str, Any], pijlers: dict[str, Pijler]) -> list[Question]:
    """Questions for a new scan (``scan_id`` is set by the caller)."""
    return [
        Question(
            scan_id=0,
            pijler_id=pijlers[q["pijler"]].id if q.get("pijler") else None,
            key=q["key"],
            kind=q["kind"],
            page=q["page"],
            position=position,
            required=q.get("required", False),
            texts=_texts_by_language(q),
            options=_options(data, q, pijlers),
            display=q.get("display"),
            max_choices=q.get("max_choices"),
        )
        for position, q in enumerate(data["questions"], start=1)
    ]


def _texts_by_language(question: dict[str, Any]) -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    for part in ("text", "help", "goal"):
        for language, text in question.get(part, {}).items():
            texts.setdefault(language, {})[part] = text
    return texts


def _options(
    data: dict[str, Any], question: dict[str, Any], pijlers: dict[str, Pijler]
) -> list[dict[str, Any]]:
    if question["kind"] == "scale":
        scale = data["scales"][question["scale"]]
        points = [{"value": p["value"], "labels": p["label"]} for p in scale["points"]]
        opt_out = scale.get("opt_out")
        if opt_out:
            points.append({"value": opt_out["value"], "labels": opt_out["label"], "opt_out": True})
        return points
    if question.get("options_from") == "pijlers":
        ordered = sorted(pijlers.values(), key=lambda p: p.number)
        return [{"value": p.key, "labels": p.name} for p in ordered]
    return [
        {
            "value": o["value"],
            "labels": o["label"],
            **({"exclusive": True} if o.get("exclusive") else {}),
        }
        for o in question.get("options", [])
    ]
