"""Theme suggestions as tables: stemming, stop words, scripts, rejected keywords, sizes, ties."""

import pytest

from app.plannen.suggestions import MAX_SUGGESTIONS, RemarkText, keywords, stopwords, suggest


def remarks(*texts: str, language: str = "nl", start: int = 1) -> list[RemarkText]:
    return [RemarkText(start + n, text, language) for n, text in enumerate(texts)]


def groups(found: list[object]) -> list[tuple[str, str, tuple[int, ...]]]:
    return [(s.keyword, s.label, s.answer_ids) for s in found]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("De speeltuinen zijn kapot", "nl", {"speeltuin", "kapot"}),
        ("Speeltuin!", "nl", {"speeltuin"}),
        ("Broken streetlights in the park", "en", {"broken", "streetlight", "park"}),
        ("Parktaki oyun alanları kırık", "tr", None),
        ("الحديقة متسخة", "ar", None),
        ("Wulice są brudne", "pl", None),
        ("Вулиці брудні", "uk", {"вулиці", "брудні"}),
        ("ik wil 12 bomen", "nl", {"boom"}),
        ("", "nl", set()),
        ("!!! ... ???", "nl", set()),
        ("De de de het het een", "nl", set()),
        ("Tuin tuin TUIN", None, {"tuin"}),
    ],
)
def test_keywords(text: str, language: str | None, expected: set[str] | None) -> None:
    found = keywords(text, language)
    if expected is None:  # another script or stemmer: only that something sensible is found
        assert found
        assert all(len(word) >= 3 for word in found.values())
    else:
        assert set(found) == expected


def test_every_language_has_stop_words_of_three_letters_or_more() -> None:
    lists = stopwords()
    assert set(lists) == {"nl", "en", "tr", "ar", "pl", "uk"}
    assert all(words and all(len(w) >= 3 for w in words) for words in lists.values())


def test_plural_and_singular_are_one_suggestion() -> None:
    found = suggest(remarks("De speeltuin is kapot", "Meer speeltuinen", "SPEELTUIN vies"))
    assert groups(found) == [("speeltuin", "speeltuin", (1, 2, 3))]


def test_stop_words_never_make_a_suggestion() -> None:
    texts = ("Het is niet goed", "Het moet beter", "Het gaat niet", "Het is zo")
    assert suggest(remarks(*texts)) == []


def test_arabic_remarks_are_grouped() -> None:
    found = suggest(remarks("الحديقة متسخة", "نحتاج حديقة", "حديقة للأطفال", language="ar"))
    assert len(found) == 1
    assert found[0].answer_ids == (1, 2, 3)
    assert found[0].label in {"الحديقة", "حديقة"}


def test_languages_mix_when_the_stem_is_the_same() -> None:
    found = suggest(
        [
            *remarks("Park vies", "Park te klein"),
            *remarks("The park is dirty", language="en", start=3),
        ]
    )
    assert groups(found) == [("park", "park", (1, 2, 3))]


@pytest.mark.parametrize(("min_size", "expected"), [(2, 1), (3, 1), (4, 0)])
def test_min_size(min_size: int, expected: int) -> None:
    found = suggest(remarks("bankjes kapot", "bankje weg", "geen bankjes"), min_size=min_size)
    assert len(found) == expected


def test_rejected_keywords_are_skipped_and_their_remarks_stay_free() -> None:
    texts = ("Speeltuin glas", "Speeltuin glas", "Speeltuin glas", "Speeltuin")
    assert groups(suggest(remarks(*texts))) == [("speeltuin", "speeltuin", (1, 2, 3, 4))]
    assert groups(suggest(remarks(*texts), rejected=["speeltuin"])) == [("glas", "glas", (1, 2, 3))]


def test_largest_first_and_each_remark_in_one_suggestion() -> None:
    texts = (
        "verlichting kapot",  # 1
        "verlichting weg",  # 2
        "verlichting stoep",  # 3
        "verlichting stoep",  # 4
        "stoep scheef",  # 5
        "stoep smal",  # 6
        "stoep los",  # 7
    )
    found = suggest(remarks(*texts))
    # "stoep" has 5 remarks, so it goes first; "verlichting" keeps only 1 and 2: too few.
    assert groups(found) == [("stoep", "stoep", (3, 4, 5, 6, 7))]


def test_ties_go_to_the_alphabetically_first_keyword_every_time() -> None:
    texts = ("appel peer", "appel peer", "appel peer")
    first = suggest(remarks(*texts))
    assert groups(first) == [("appel", "appel", (1, 2, 3))]
    assert groups(suggest(list(reversed(remarks(*texts))))) == groups(first)


def test_the_label_is_the_most_common_word() -> None:
    found = suggest(remarks("speeltuinen", "speeltuinen", "speeltuin"))
    assert found[0].label == "speeltuinen"


def test_at_most_ten_suggestions() -> None:
    words = [f"woord{chr(97 + n)}" for n in range(MAX_SUGGESTIONS + 3)]
    texts = [w for w in words for _ in range(3)]
    found = suggest(remarks(*texts))
    assert len(found) == MAX_SUGGESTIONS


def test_long_and_strange_input_is_safe() -> None:
    texts = ("x" * 2000, "<script>alert(1)</script>", "\u202e\u200f" + "ا" * 500, "😀" * 100)
    found = suggest(remarks(*texts, *texts, *texts))
    assert all(len(s.keyword) <= 80 for s in found)


def test_remarks_are_grouped_within_their_pijler_only() -> None:
    texts = ["Speeltuin kapot", "Nieuwe speeltuinen", "Speeltuin vies", "Speeltuin bij school"]
    remarks = [RemarkText(i, text, "nl", "wonen" if i < 3 else "veiligheid") for i, text in
               enumerate(texts)]  # fmt: skip
    [found] = suggest(remarks)  # three in wonen; the one in veiligheid stays alone
    assert (found.keyword, found.group, found.answer_ids) == ("wonen:speeltuin", "wonen", (0, 1, 2))
    assert suggest(remarks, rejected=["wonen:speeltuin"]) == []
