"""Theme suggestions: groups of remarks that share a keyword. Pure, deterministic, no session.

A remark's keywords are the stems of its words (Unicode words, lowercased), without the
language's stop words and without words shorter than three letters; Dutch, English, Turkish,
Arabic and Polish are stemmed with Snowball, other languages (Ukrainian) only lowercased. A
suggestion is a keyword shared by at least ``min_size`` remarks: the largest group first, each
remark in at most one suggestion. Remarks are grouped within their ``group`` (the pijler of
the question they answer), so a suggestion is about one pijler and its theme belongs there;
the keyword then reads ``<group>:<stem>``. Suggestions never assign anything: a facilitator
accepts, edits or rejects them (``app.plannen.service``).
"""

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import snowballstemmer  # type: ignore[import-untyped]  # the package ships no type hints

MIN_SIZE = 3
MAX_SUGGESTIONS = 10
MIN_LETTERS = 3
KEYWORD_LIMIT = 80  # characters of a keyword (``RejectedSuggestion.keyword``)
STEMMERS = {"nl": "dutch", "en": "english", "tr": "turkish", "ar": "arabic", "pl": "polish"}
STOPWORDS_PATH = Path(__file__).parent / "data" / "stopwords.toml"
# Letters only (no digits or underscores), in any script; marks (Arabic vowel signs) stay.
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class RemarkText:
    answer_id: int
    text: str
    language: str | None
    group: str = ""  # remarks are only grouped with remarks of the same group (pijler)


@dataclass(frozen=True)
class Suggestion:
    keyword: str  # "<group>:<stem>" (or the stem), the suggestion's identity, also when rejected
    group: str  # the group (pijler) all its remarks are in
    label: str  # the most common word behind the stem, a first name for the theme
    answer_ids: tuple[int, ...]  # ascending


@cache
def stopwords() -> dict[str, frozenset[str]]:
    with STOPWORDS_PATH.open("rb") as file:
        data = tomllib.load(file)
    return {language: frozenset(words) for language, words in data.items()}


@cache
def _stemmer(language: str) -> object | None:
    algorithm = STEMMERS.get(language)
    return snowballstemmer.stemmer(algorithm) if algorithm else None


def keywords(text: str, language: str | None) -> dict[str, str]:
    """Each stem of a text with the first word that gave it (its surface form, lowercased)."""
    code = (language or "").lower()
    stop = stopwords().get(code, frozenset())
    words = [
        w for w in (m.group().casefold() for m in _WORD.finditer(text))
        if len(w) >= MIN_LETTERS and w not in stop
    ]  # fmt: skip
    stemmer = _stemmer(code)
    stems: list[str] = stemmer.stemWords(words) if stemmer is not None else words  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    for word, stem in zip(words, stems, strict=True):
        found.setdefault((stem or word)[:KEYWORD_LIMIT], word)
    return found


def suggest(
    remarks: Sequence[RemarkText],
    *,
    rejected: Iterable[str] = (),
    min_size: int = MIN_SIZE,
    limit: int = MAX_SUGGESTIONS,
) -> list[Suggestion]:
    """Greedy groups by shared keyword, largest first; ties go to the alphabetically first."""
    skip = set(rejected)
    by_stem: dict[str, dict[int, str]] = {}  # stem → answer id → the word it came from
    for remark in remarks:
        for stem, word in keywords(remark.text, remark.language).items():
            keyword = f"{remark.group}:{stem}"[:KEYWORD_LIMIT] if remark.group else stem
            if keyword not in skip:
                by_stem.setdefault(keyword, {})[remark.answer_id] = word
    groups = {remark.answer_id: remark.group for remark in remarks}
    taken: set[int] = set()
    found: list[Suggestion] = []
    while len(found) < limit:
        best = _largest(by_stem, taken)
        if best is None:
            break
        members = {i: w for i, w in by_stem.pop(best).items() if i not in taken}
        if len(members) < max(min_size, 1):
            break
        taken |= set(members)
        ids = tuple(sorted(members))
        found.append(Suggestion(best, groups[ids[0]], _label(Counter(members.values())), ids))
    return found


def _largest(by_stem: dict[str, dict[int, str]], taken: set[int]) -> str | None:
    best: str | None = None
    best_size = 0
    for stem in sorted(by_stem):
        size = sum(1 for answer_id in by_stem[stem] if answer_id not in taken)
        if size > best_size:
            best, best_size = stem, size
    return best


def _label(words: Counter[str]) -> str:
    """The most common surface word; ties to the shortest, then the alphabetically first."""
    return min(words.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]
