"""Results of a scan, interpreted: distributions, means, priorities, comparisons, breakdowns.

Pure functions over the counts that ``queries.results_input`` grouped in SQL; no session.
Only submitted responses are counted (the queries see to that).

The rules, decided here once for every page that shows results:

- **Means exclude "weet ik niet".** A scale question's mean is over its numbered points
  (``1``..``5``); the opt-out (the option with ``opt_out: true``) is counted apart.
- **Small numbers** (``app.suppression``, DESIGN.md §7): for anyone but a beheerder
  (``exact``) a mean, share or count built from fewer than ``threshold`` answers is hidden
  (None / ``HIDDEN``). A scale's distribution over its points is a breakdown of the answers
  without opt-out (``suppression.breakdown``: small cells hidden, with complementary
  suppression); the opt-out and the other totals stand alone (``suppression.single``).
  Beheerders see every figure, the small ones marked ``small``. As in
  ``app.suppression``, differences between separately shown figures are not protected: a
  hidden opt-out of a required question is the submitted total less the answered ones.
- **No division by zero**: a scan with no responses (or one, or four) gives zero or hidden
  figures and None for every mean and share.
- **Priorities**: each respondent of the ranking question gives a pijler 3, 2 or 1 points for
  rank 1, 2 or 3 (a Borda count); the rank score is the mean points per respondent of the
  ranking question. Pijlers are ranked 1, 2, 2, 4 (competition ranking) on it.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from app.config import Language
from app.programme.models import Pijler
from app.scan.models import CHANNELS, Question
from app.suppression import Figure, breakdown, is_small, single

LANGUAGES: tuple[str, ...] = get_args(Language)
SATISFACTION = "tevredenheid"  # the satisfaction question of a pijler is "<pijler>.tevredenheid"
HELPING = "helpen"
HELPING_VALUES = ("ja", "misschien")
REMARK_KINDS = ("knelpunt", "idee")
RANKING_KIND = "ranking"
AGE_KEY = "over-u.leeftijd"
DEFAULT_CHOICES = 3  # points for rank 1 when a ranking question sets no maximum


# --- the input: what the queries grouped ------------------------------------------------------


@dataclass(frozen=True)
class ResultsInput:
    """What ``queries.results_input`` read for one scan: grouped counts and the shape.

    Every count is of submitted responses only. A value is stored once per response and
    question, so counting answer rows counts responses.
    """

    pijlers: list[Pijler]  # all pijlers, in the programme's order
    questions: list[Question]  # the scan's questions in questionnaire order
    submitted: dict[tuple[str, str], int]  # (channel, language) -> submitted responses
    values: dict[tuple[int, str, int], int]  # (question id, value, position) -> answers
    texts: dict[int, int]  # question id -> free-text answers
    respondents: dict[int, int]  # ranking question id -> responses that answered it
    by_age: dict[tuple[int, str | None, str], int]  # (question id, age band or None, value)
    by_channel: dict[tuple[int, str | None, str], int]  # (question id, channel, value)
    # (question key, buurt is a focusbuurt, value) -> answers, over every non-draft scan
    municipality: dict[tuple[str, bool, str], int]


# --- the output -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """One channel, language or group: a key and its figure (percent of all submitted)."""

    key: str
    figure: Figure


@dataclass(frozen=True)
class OptionResult:
    value: str
    labels: dict[str, str]  # the option's label per language
    figure: Figure  # percent of the answers without opt-out


@dataclass(frozen=True)
class Comparison:
    """Mean answers (1 decimal) here, in all focusbuurten and in the gemeente (all buurten).

    None where there is no answer, or where the mean is built from too few answers.
    """

    buurt: float | None = None
    focus: float | None = None
    gemeente: float | None = None


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    answered: Figure  # answers on the scale's points, "weet ik niet" excluded
    opt_out: Figure  # "weet ik niet"; percent of all answers to the question
    options: list[OptionResult]  # the points, in order
    mean: float | None  # 1 decimal; None without answers or when built from too few
    comparison: Comparison


@dataclass(frozen=True)
class PijlerResult:
    pijler: Pijler
    rank: int | None  # 1, 2, 2, 4 on the rank score; None when the score is not shown
    top3: Figure  # chose it in their top three; percent of the ranking's respondents
    rank_score: float | None  # mean points (3/2/1) per respondent of the ranking, 2 decimals
    satisfaction: QuestionResult | None
    comparison: Comparison  # the satisfaction question's
    statements: list[QuestionResult]
    helpers: Figure  # said "ja" or "misschien" to helping; percent of those who answered
    remarks: Figure  # knelpunt and idee texts


@dataclass(frozen=True)
class MeanCell:
    """A mean satisfaction within one group: None when there is none or it is hidden.

    It carries no count: a group's answers could give away a group size that complementary
    suppression hid (the group sizes are a breakdown of all submitted responses).
    """

    mean: float | None
    small: bool = False  # built from 1 to threshold-1 answers (shown to a beheerder only)
    empty: bool = False  # no answers at all in the group (nothing to hide)


@dataclass(frozen=True)
class GroupResult:
    key: str | None  # None: submitted responses without an answer (no age band given)
    labels: dict[str, str]
    size: Figure  # submitted responses in the group; percent of all submitted
    means: list[MeanCell]  # one per pijler of ``Breakdown.pijlers``


@dataclass(frozen=True)
class Breakdown:
    """Mean satisfaction per pijler (columns, programme order) per group (rows)."""

    pijlers: list[Pijler]
    groups: list[GroupResult]


@dataclass(frozen=True)
class Results:
    submitted: Figure
    channels: list[Share]
    languages: list[Share]
    ranking_respondents: Figure  # answered the ranking question; percent of submitted
    pijlers: list[PijlerResult]  # the residents' priority order
    by_age: Breakdown
    by_channel: Breakdown
    threshold: int
    exact: bool


# --- means and scales -------------------------------------------------------------------------


def scale_points(question: Question) -> dict[str, int]:
    """The numbered points of a scale question, value -> number ("weet ik niet" is none)."""
    return {
        str(option["value"]): int(option["value"])
        for option in question.options
        if not option.get("opt_out") and str(option["value"]).isdigit()
    }


def is_satisfaction(question: Question) -> bool:
    """A pijler's satisfaction question: the scale question keyed ``<pijler>.tevredenheid``."""
    return (
        question.kind == "scale"
        and question.pijler_id is not None
        and question.key.endswith(f".{SATISFACTION}")
    )


def opt_out_values(question: Question) -> set[str]:
    return {str(option["value"]) for option in question.options if option.get("opt_out")}


def rounded(total: int, count: int, places: int = 1) -> float:
    """``total / count`` rounded half up to ``places`` decimals, exactly (integer arithmetic)."""
    scale: int = 10**places
    return ((2 * scale * total + count) // (2 * count)) / scale


def mean(
    counts: Mapping[str, int], points: Mapping[str, int], *, threshold: int, exact: bool
) -> float | None:
    """Mean of the answers on ``points`` (other values, "weet ik niet" too, are left out).

    None without answers, or when built from fewer than ``threshold`` answers and the viewer
    may not see small numbers.
    """
    answers = sum(counts.get(value, 0) for value in points)
    if answers == 0 or (is_small(answers, threshold) and not exact):
        return None
    return rounded(sum(n * counts.get(value, 0) for value, n in points.items()), answers)


def question_result(
    question: Question,
    counts: Mapping[str, int],
    comparison: Comparison,
    *,
    threshold: int,
    exact: bool,
) -> QuestionResult:
    """One scale question: its distribution over the points, the opt-out and the mean.

    The points are a breakdown of the answers without opt-out (the ``answered`` total is
    shown, so a lone hidden point is joined by its complement). The opt-out stands alone.
    """
    points = scale_points(question)
    labels = {str(o["value"]): dict(o.get("labels", {})) for o in question.options}
    point_counts = [counts.get(value, 0) for value in points]
    answered = sum(point_counts)
    opted_out = sum(counts.get(value, 0) for value in opt_out_values(question))
    figures = breakdown(point_counts, answered, threshold=threshold, exact=exact)
    return QuestionResult(
        question=question,
        answered=single(answered, threshold=threshold, exact=exact),
        opt_out=single(opted_out, answered + opted_out, threshold=threshold, exact=exact),
        options=[
            OptionResult(value, labels.get(value, {}), figure)
            for value, figure in zip(points, figures, strict=True)
        ],
        mean=mean(counts, points, threshold=threshold, exact=exact),
        comparison=comparison,
    )


def comparison(
    question: Question,
    counts: Mapping[str, int],
    municipality: Mapping[tuple[str, bool, str], int],
    *,
    threshold: int,
    exact: bool,
) -> Comparison:
    """The question's mean here, in the focusbuurten and in the gemeente, by question key.

    ``municipality`` holds the answers of every non-draft scan (this one included) per
    question key, buurt focus flag and value; a scan whose question lacks a point of this
    scan's scale simply has no answers on it.
    """
    points = scale_points(question)
    focus: dict[str, int] = {}
    everywhere: dict[str, int] = {}
    for value in points:
        in_focus = municipality.get((question.key, True, value), 0)
        focus[value] = in_focus
        everywhere[value] = in_focus + municipality.get((question.key, False, value), 0)
    return Comparison(
        buurt=mean(counts, points, threshold=threshold, exact=exact),
        focus=mean(focus, points, threshold=threshold, exact=exact),
        gemeente=mean(everywhere, points, threshold=threshold, exact=exact),
    )


# --- priorities -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Priority:
    pijler: Pijler
    rank: int | None
    top3: Figure
    rank_score: float | None


def priorities(
    pijlers: Sequence[Pijler],
    chosen: Mapping[tuple[str, int], int],
    respondents: int,
    *,
    choices: int = DEFAULT_CHOICES,
    threshold: int,
    exact: bool,
) -> list[Priority]:
    """The pijlers in the residents' priority order, from the ranking question's answers.

    ``chosen`` maps (pijler key, position) to responses; the position is the rank, as the
    forms store it (``app.scan.forms``): rank 1 earns ``choices`` points, rank 2 one fewer,
    and so on. ``respondents`` answered the
    ranking question at all (the base of every share and the mean).

    A pijler's score is hidden (None) when the ranking has fewer than ``threshold``
    respondents, or when fewer than ``threshold`` chose the pijler (its points would tell
    how those few ranked it), unless the viewer sees small numbers. Pijlers with a shown
    score come first, best score first; equal scores share a rank (1, 2, 2, 4) and follow
    the programme's pijler number. Pijlers with a hidden score come last, in pijler order,
    without a rank, so the order tells nothing about them.
    """
    rows = []
    for pijler in pijlers:
        counts = [chosen.get((pijler.key, rank), 0) for rank in range(1, choices + 1)]
        total = sum(counts)
        points = sum((choices - position) * n for position, n in enumerate(counts))
        shown = respondents > 0 and (
            exact or not (is_small(respondents, threshold) or is_small(total, threshold))
        )
        rows.append((pijler, total, points, shown))
    ranked = sorted((row for row in rows if row[3]), key=lambda row: (-row[2], row[0].number))
    hidden = sorted((row for row in rows if not row[3]), key=lambda row: row[0].number)
    result = []
    for pijler, total, points, shown in [*ranked, *hidden]:
        rank = 1 + sum(1 for other in ranked if other[2] > points) if shown else None
        result.append(
            Priority(
                pijler=pijler,
                rank=rank,
                top3=single(total, respondents, threshold=threshold, exact=exact),
                rank_score=rounded(points, respondents, 2) if shown else None,
            )
        )
    return result


# --- breakdowns -------------------------------------------------------------------------------


def group_breakdown(
    pijlers: Sequence[Pijler],
    satisfaction: Mapping[int, Question],
    groups: Sequence[tuple[str | None, dict[str, str], int]],
    counts: Mapping[tuple[int, str | None, str], int],
    submitted: int,
    *,
    threshold: int,
    exact: bool,
) -> Breakdown:
    """Mean satisfaction per pijler within each group (an age band, a channel).

    ``groups`` lists (key, labels, submitted responses in it); their sizes are a breakdown
    of all submitted responses. ``counts`` maps (question id, group key, value) to answers.
    A cell is hidden when built from fewer than ``threshold`` answers ("weet ik niet"
    excluded), unless the viewer sees small numbers.
    """
    columns = [p for p in pijlers if p.id in satisfaction]
    sizes = breakdown([n for _, _, n in groups], submitted, threshold=threshold, exact=exact)
    rows = []
    for (key, labels, _), size in zip(groups, sizes, strict=True):
        cells = []
        for pijler in columns:
            question = satisfaction[pijler.id or 0]
            points = scale_points(question)
            group_counts = {v: counts.get((question.id or 0, key, v), 0) for v in points}
            answers = sum(group_counts.values())
            cells.append(
                MeanCell(
                    mean=mean(group_counts, points, threshold=threshold, exact=exact),
                    small=is_small(answers, threshold) and exact,
                    empty=answers == 0,
                )
            )
        rows.append(GroupResult(key, labels, size, cells))
    return Breakdown(columns, rows)


def shares(
    counts: Mapping[str, int], order: Sequence[str], *, threshold: int, exact: bool
) -> list[Share]:
    """Rows for every known key in ``order`` (zeros included), then any other key found."""
    keys = [*order, *sorted(set(counts) - set(order))]
    values = [counts.get(key, 0) for key in keys]
    figures = breakdown(values, sum(values), threshold=threshold, exact=exact)
    return [Share(key, figure) for key, figure in zip(keys, figures, strict=True)]


# --- the whole page ---------------------------------------------------------------------------


def by_question(values: Mapping[tuple[int, str, int], int]) -> dict[int, dict[str, int]]:
    """Answers per question and value, all positions together (grouped rows, not responses)."""
    counts: dict[int, dict[str, int]] = {}
    for (question_id, value, _), n in values.items():
        per_value = counts.setdefault(question_id, {})
        per_value[value] = per_value.get(value, 0) + n
    return counts


def _sum_by(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for key, n in pairs:
        totals[key] = totals.get(key, 0) + n
    return totals


def _options(question: Question | None) -> list[tuple[str, dict[str, str]]]:
    if question is None:
        return []
    return [(str(o["value"]), dict(o.get("labels", {}))) for o in question.options]


def build_results(data: ResultsInput, *, threshold: int, exact: bool) -> Results:
    """Every figure of a scan's results as the viewer may see it (see the module's rules)."""
    rules: dict[str, Any] = {"threshold": threshold, "exact": exact}
    submitted = sum(data.submitted.values())
    by_key = {q.key: q for q in data.questions}
    counts = by_question(data.values)

    def value_counts(question: Question | None) -> dict[str, int]:
        return counts.get(question.id or 0, {}) if question is not None else {}

    ranking = next((q for q in data.questions if q.kind == RANKING_KIND), None)
    respondents = data.respondents.get(ranking.id or 0, 0) if ranking else 0
    chosen = {
        (value, position): n
        for (question_id, value, position), n in data.values.items()
        if ranking is not None and question_id == ranking.id
    }
    used = {q.pijler_id for q in data.questions} | {v for v, _ in _options(ranking)}
    pijlers = [p for p in data.pijlers if p.id in used or p.key in used]
    order = priorities(
        pijlers,
        chosen,
        respondents,
        choices=(ranking.max_choices if ranking else None) or DEFAULT_CHOICES,
        **rules,
    )

    results = []
    satisfaction_by_pijler: dict[int, Question] = {}
    for priority in order:
        pijler = priority.pijler
        own = [q for q in data.questions if q.pijler_id == pijler.id]
        satisfaction = next((q for q in own if is_satisfaction(q)), None)
        satisfaction_result = None
        if satisfaction is not None:
            satisfaction_by_pijler[pijler.id or 0] = satisfaction
            satisfaction_result = _scale_result(
                data, value_counts(satisfaction), satisfaction, rules
            )
        statements = [
            _scale_result(data, value_counts(q), q, rules)
            for q in own
            if q.kind == "scale" and q is not satisfaction
        ]
        helping = value_counts(by_key.get(f"{pijler.key}.{HELPING}"))
        said_yes = sum(helping.get(value, 0) for value in HELPING_VALUES)
        remarks = sum(data.texts.get(q.id or 0, 0) for q in own if q.kind in REMARK_KINDS)
        results.append(
            PijlerResult(
                pijler=pijler,
                rank=priority.rank,
                top3=priority.top3,
                rank_score=priority.rank_score,
                satisfaction=satisfaction_result,
                comparison=satisfaction_result.comparison if satisfaction_result else Comparison(),
                statements=statements,
                helpers=single(said_yes, sum(helping.values()), **rules),
                remarks=single(remarks, **rules),
            )
        )

    age = by_key.get(AGE_KEY)
    ages = value_counts(age)
    age_groups: list[tuple[str | None, dict[str, str], int]] = [
        (value, labels, ages.get(value, 0)) for value, labels in _options(age)
    ]
    known = {value for value, _ in _options(age)}
    age_groups += [(value, {}, n) for value, n in sorted(ages.items()) if value not in known]
    age_groups.append((None, {}, max(submitted - sum(ages.values()), 0)))
    channels = _sum_by((channel, n) for (channel, _), n in data.submitted.items())
    languages = _sum_by((language, n) for (_, language), n in data.submitted.items())
    channel_keys = [*CHANNELS, *sorted(set(channels) - set(CHANNELS))]

    return Results(
        submitted=single(submitted, **rules),
        channels=shares(channels, CHANNELS, **rules),
        languages=shares(languages, LANGUAGES, **rules),
        ranking_respondents=single(respondents, submitted, **rules),
        pijlers=results,
        by_age=group_breakdown(
            data.pijlers, satisfaction_by_pijler, age_groups, data.by_age, submitted, **rules
        ),
        by_channel=group_breakdown(
            data.pijlers,
            satisfaction_by_pijler,
            [(key, {}, channels.get(key, 0)) for key in channel_keys],
            data.by_channel,
            submitted,
            **rules,
        ),
        threshold=threshold,
        exact=exact,
    )


def _scale_result(
    data: ResultsInput, counts: Mapping[str, int], question: Question, rules: dict[str, Any]
) -> QuestionResult:
    return question_result(
        question, counts, comparison(question, counts, data.municipality, **rules), **rules
    )
