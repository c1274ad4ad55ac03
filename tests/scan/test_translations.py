"""Every shipped language has every questionnaire text, with the same placeholders."""

import re
import tomllib
from typing import Any

import pytest

from app.i18n import LANGUAGES
from app.scan.questionnaire import DEFAULT_PATH, TRANSLATIONS_DIR, load_default

TRANSLATED = [code for code in LANGUAGES if code != "nl"]


def dutch_texts() -> dict[str, str]:
    """Every resident-facing Dutch text of the default questionnaire, by a path-like name."""
    with DEFAULT_PATH.open("rb") as file:
        data = tomllib.load(file)
    texts: dict[str, str] = {}
    for section in ("intro", "thanks"):
        for name, value in data[section].items():
            texts[f"{section}.{name}"] = value["nl"]
    for page, page_texts in data["pages"].items():
        for name, value in page_texts.items():
            texts[f"pages.{page}.{name}"] = value["nl"]
    for key, scale in data["scales"].items():
        for point in scale["points"]:
            texts[f"scales.{key}.points.{point['value']}"] = point["label"]["nl"]
        texts[f"scales.{key}.opt_out"] = scale["opt_out"]["label"]["nl"]
    for pijler in data["pijlers"]:
        for name in ("name", "short", "explanation"):
            texts[f"pijlers.{pijler['key']}.{name}"] = pijler[name]["nl"]
    for question in data["questions"]:
        for name in ("text", "help"):
            if name in question:
                texts[f"questions.{question['key']}.{name}"] = question[name]["nl"]
        for option in question.get("options", []):
            texts[f"questions.{question['key']}.options.{option['value']}"] = option["label"][
                "nl"
            ]
    return texts


def translated_texts(language: str) -> dict[str, str]:
    with (TRANSLATIONS_DIR / f"{language}.toml").open("rb") as file:
        data = tomllib.load(file)
    texts: dict[str, str] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        elif isinstance(value, str) and prefix != "review":
            texts[prefix] = value

    walk("", data)
    return texts


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_questionnaire_text_is_translated(language: str) -> None:
    dutch = dutch_texts()
    translated = translated_texts(language)
    missing = sorted(set(dutch) - set(translated))
    unknown = sorted(set(translated) - set(dutch))
    assert missing == [], f"{language} misses {len(missing)}: {missing[:10]}"
    assert unknown == [], f"{language} has unknown texts: {unknown[:10]}"
    empty = sorted(name for name, text in translated.items() if not text.strip())
    assert empty == []
    for name, text in dutch.items():
        assert re.findall(r"\{\w+\}", translated[name]) == re.findall(r"\{\w+\}", text), name


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_says_it_needs_review(language: str) -> None:
    with (TRANSLATIONS_DIR / f"{language}.toml").open("rb") as file:
        assert "native speaker" in tomllib.load(file)["review"]


def test_translations_reach_the_questions() -> None:
    data = load_default()
    satisfaction = next(q for q in data["questions"] if q["key"] == "wonen.tevredenheid")
    assert set(satisfaction["text"]) == set(LANGUAGES)
    assert set(data["pijlers"][0]["name"]) == set(LANGUAGES)
