"""The programmaplan's life cycle and its small rules: pure predicates, tested as tables.

Decisions:

- **Statuses** (``app.plannen.models.PLAN_STATUSES``): ``concept`` → ``ter_stemming`` (a
  vote round is created: ``vote_service.create_round``) → ``vastgesteld`` (the round closes:
  ``vote_service.close_round``). A facilitator may also fix a ``concept`` plan directly,
  without a vote (``fix``): not every buurt votes, and the plan must still be able to start;
  such a plan simply has no vote results. Fixing needs at least one measure and a trekker
  for every measure: a fixed plan names who does what.
- **A fixed plan is never edited.** Only a ``concept`` plan's texts and measures change; a
  plan ``ter_stemming`` is frozen for the vote; a ``vastgesteld`` plan changes only through a
  new version (``new_version``): a copy as ``concept`` version n+1 that ``supersedes`` it.
- **The old version becomes ``vervangen`` when the new one is fixed**, not when it is
  drafted: until then the fixed plan is the one that holds (and the one the public page
  shows), and a new version that is never fixed replaces nothing.
- **Public**: a plan ``ter_stemming`` or ``vastgesteld`` is always public; a ``concept``
  only when a facilitator sets ``is_public``. The flag may be set in every status but
  ``vervangen``; it matters only for a concept.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from app.suppression import Figure, breakdown, single

# action -> (from status, to status). "vote" and "count" happen in the vote service.
TRANSITIONS: dict[str, tuple[str, str]] = {
    "vote": ("concept", "ter_stemming"),  # vote_service.create_round
    "count": ("ter_stemming", "vastgesteld"),  # vote_service.close_round
    "fix": ("concept", "vastgesteld"),  # a facilitator, without a vote
    "supersede": ("vastgesteld", "vervangen"),  # when a newer version is fixed
}
# What may change per status.
EDITS: dict[str, frozenset[str]] = {
    "concept": frozenset({"measures", "sections", "public"}),
    "ter_stemming": frozenset({"public"}),
    "vastgesteld": frozenset({"public", "new_version"}),
    "vervangen": frozenset(),
}
ALWAYS_PUBLIC = frozenset({"ter_stemming", "vastgesteld"})


def can_transition(action: str, status: str) -> bool:
    """Whether ``action`` may take a plan in ``status`` to its next status."""
    found = TRANSITIONS.get(action)
    return found is not None and found[0] == status


def next_status(action: str) -> str:
    return TRANSITIONS[action][1]


def can_edit(status: str, what: str) -> bool:
    """``what``: measures, sections, public (the toggle) or new_version."""
    return what in EDITS.get(status, frozenset())


def is_public(status: str, flag: bool) -> bool:
    """Whether residents can see a plan of this status with this ``is_public`` flag."""
    return status in ALWAYS_PUBLIC or (status == "concept" and flag)


def fix_problems(measures: int, without_trekker: int) -> list[str]:
    """Why a concept cannot be fixed (keys; the service words them): empty when it can."""
    problems = []
    if measures == 0:
        problems.append("no_measures")
    if without_trekker:
        problems.append("no_trekker")
    return problems


def period_ok(starts_on: date | None, ends_on: date | None) -> bool:
    """A period may be open at either end; when both are given, it does not end first."""
    return starts_on is None or ends_on is None or starts_on <= ends_on


# --- what residents said, as figures a viewer may see ----------------------------------------


@dataclass(frozen=True)
class Why:
    """How many remarks a measure answers: per theme (its order) and in total."""

    themes: list[Figure]
    total: Figure


def why(counts: Sequence[int], *, threshold: int, exact: bool) -> Why:
    """The remarks of a measure's themes, with the small-number rule.

    The total (a sum of the themes' visible remarks) is shown on its own, so the themes are
    a breakdown of it: a small theme is hidden, and when only one is, another with it, so
    that it cannot be found as the total minus the others. A remark in two themes of one
    measure cannot happen (a remark has one theme), so the sum counts remarks once.
    """
    total = sum(counts)
    return Why(
        themes=breakdown(list(counts), total, threshold=threshold, exact=exact),
        total=single(total, threshold=threshold, exact=exact),
    )


@dataclass(frozen=True)
class Shown:
    """A text per language as shown: the text, and the language it is actually in."""

    text: str
    lang: str


def shown(texts: Mapping[str, str] | None, locale: str, fallback: str = "nl") -> Shown:
    """The text in ``locale``, else in Dutch, else in any language there is."""
    if not texts:
        return Shown("", fallback)
    for lang in (locale, fallback):
        if texts.get(lang):
            return Shown(texts[lang], lang)
    for lang, text in texts.items():
        if text:
            return Shown(text, lang)
    return Shown("", fallback)
