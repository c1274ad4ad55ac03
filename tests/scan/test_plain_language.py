"""Every Dutch resident-facing questionnaire text is B1: short sentences, readable words.

Measures: words per sentence (at most 20 in any sentence, 15 on average per text) and the
Flesch-Douma reading ease for Dutch (at least 60 for texts of ten words or more; 60-70 is
"fairly easy", the range Dutch plain-language guides aim B1 texts at).
"""

import re

from tests.scan.texts import dutch_texts

MAX_SENTENCE_WORDS = 20
MAX_AVERAGE_WORDS = 15
MIN_FLESCH_DOUMA = 60
JARGON = ("knelpunt", "participatie", "integraal", "voorzieningen", "leefbarometer", "ses-woa")

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9'’-]+")
_VOWEL_GROUP = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]+", re.IGNORECASE)


def sentences(text: str) -> list[list[str]]:
    parts = [_WORD.findall(s) for s in _SENTENCE_END.split(text.strip())]
    return [words for words in parts if words]


def syllables(word: str) -> int:
    return max(1, len(_VOWEL_GROUP.findall(word)))


def flesch_douma(text: str) -> float:
    parsed = sentences(text)
    words = [w for sentence in parsed for w in sentence]
    per_sentence = len(words) / len(parsed)
    per_word = sum(syllables(w) for w in words) / len(words)
    return 206.835 - 0.93 * per_sentence - 77 * per_word


def problems(name: str, text: str) -> list[tuple[float, str]]:
    parsed = sentences(text)
    if not parsed:
        return []
    found: list[tuple[float, str]] = []
    longest = max(len(s) for s in parsed)
    average = sum(len(s) for s in parsed) / len(parsed)
    if longest > MAX_SENTENCE_WORDS:
        found.append((longest, f"{name}: a sentence of {longest} words"))
    if average > MAX_AVERAGE_WORDS:
        found.append((average, f"{name}: {average:.1f} words per sentence"))
    if sum(len(s) for s in parsed) >= 10 and (score := flesch_douma(text)) < MIN_FLESCH_DOUMA:
        found.append((100 - score, f"{name}: Flesch-Douma {score:.0f}: {text}"))
    return found


def test_dutch_questionnaire_texts_are_b1() -> None:
    found = [p for name, text in dutch_texts().items() for p in problems(name, text)]
    worst = [message for _, message in sorted(found, reverse=True)[:10]]
    assert worst == [], "worst offenders:\n" + "\n".join(worst)


def test_no_jargon_in_resident_texts() -> None:
    hits = [
        f"{name}: {word}"
        for name, text in dutch_texts().items()
        for word in JARGON
        if re.search(rf"\b{word}\b", text.lower())
    ]
    assert hits == []


def test_the_measures_can_fail() -> None:
    assert re.search(r"\bknelpunt\b", "wat is uw knelpunt?")
    long_sentence = " ".join(["woord"] * 25) + "."
    assert problems("x", long_sentence)
    assert (
        flesch_douma(
            "De participatieverordening institutionaliseert maatschappelijke "
            "betrokkenheid programmatisch."
        )
        < MIN_FLESCH_DOUMA
    )
    assert flesch_douma("Wat gaat er niet goed in uw buurt? Schrijf het hier op.") > 80
