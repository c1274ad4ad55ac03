"""Every shipped language has every questionnaire text, with the same placeholders."""

import re
import tomllib
from typing import Any

import pytest

from app.i18n import LANGUAGES
from app.scan.questionnaire import TRANSLATIONS_DIR, load_default
from tests.scan.texts import dutch_texts

TRANSLATED = [code for code in LANGUAGES if code != "nl"]


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
