"""Progress of a scan, interpreted: small-number suppression, percentages, the funnel, days.

Pure functions over the counts that ``queries.py`` grouped in SQL; no session, no clock.

The small-number rule and its figures are ``app.suppression``'s.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, get_args

from app.config import Language
from app.scan.models import CHANNELS, Question
from app.suppression import HIDDEN, Figure, breakdown, is_small, percent, single

LANGUAGES: tuple[str, ...] = get_args(Language)
OVER_U_PAGE = "over-u"


# --- totals, channels and languages ---------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    started: Figure
    submitted: Figure  # percent: the completion rate (submitted of started)


@dataclass(frozen=True)
class GroupRow:
    """One channel or language."""

    key: str
    started: Figure  # percent: share of all started responses
    submitted: Figure  # percent: share of all submitted responses
    completion: int | None  # submitted of started in this group; only when both are shown


def totals(started: int, submitted: int, *, threshold: int, exact: bool) -> Totals:
    return Totals(
        started=single(started, threshold=threshold, exact=exact),
        submitted=single(submitted, started, threshold=threshold, exact=exact),
    )


def groups(
    counts: Mapping[str, tuple[int, int]],
    order: Sequence[str],
    *,
    threshold: int,
    exact: bool,
) -> list[GroupRow]:
    """Rows for every known key in ``order`` (zeros included), then any other key found.

    ``counts`` maps a key to (started, submitted).
    """
    keys = [*order, *sorted(set(counts) - set(order))]
    started = [counts.get(key, (0, 0))[0] for key in keys]
    submitted = [counts.get(key, (0, 0))[1] for key in keys]
    started_figures = breakdown(started, sum(started), threshold=threshold, exact=exact)
    submitted_figures = breakdown(submitted, sum(submitted), threshold=threshold, exact=exact)
    rows = []
    for key, s, d in zip(keys, started_figures, submitted_figures, strict=True):
        completion = None
        if s.count is not None and d.count is not None:
            completion = percent(d.count, s.count)
        rows.append(GroupRow(key, s, d, completion))
    return rows


# --- per day ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayRow:
    day: date
    started: Figure
    submitted: Figure


def local_days(hour_counts: Iterable[tuple[datetime, int]], zone: tzinfo) -> dict[date, int]:
    """Counts per UTC hour folded into counts per local date of ``zone``.

    Exact because Amsterdam's offset from UTC is always a whole number of hours (+1 in
    winter, +2 in summer), so every UTC hour lies within one local date, also across the
    clock changes; an hour that starts off the local hour (another zone) is refused.
    """
    days: dict[date, int] = {}
    for hour, count in hour_counts:
        local = hour.astimezone(zone)
        if local.minute or local.second:
            raise ValueError(f"{zone} is not a whole number of hours from UTC at {hour}")
        days[local.date()] = days.get(local.date(), 0) + count
    return days


def per_day(
    started: Mapping[date, int], submitted: Mapping[date, int], *, threshold: int, exact: bool
) -> list[DayRow]:
    """Every date from the first to the last with any response, quiet days included.

    Each column is a breakdown of its own total (all started, all submitted).
    """
    active = set(started) | set(submitted)
    if not active:
        return []
    first, last = min(active), max(active)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    started_figures = breakdown([started.get(d, 0) for d in days], threshold=threshold, exact=exact)
    submitted_figures = breakdown(
        [submitted.get(d, 0) for d in days], threshold=threshold, exact=exact
    )
    return [
        DayRow(day, s, d)
        for day, s, d in zip(days, started_figures, submitted_figures, strict=True)
    ]


# --- the funnel -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    key: str
    number: int
    reached: Figure  # responses that got at least this far; percent of all started
    stopped: Figure  # unsubmitted responses that are on this step now; percent of all started


def funnel(
    step_keys: Sequence[str],
    unsubmitted_by_last_page: Mapping[str | None, int],
    submitted: int,
    *,
    threshold: int,
    exact: bool,
) -> list[FunnelStep]:
    """How many responses reached each step, and where the unsubmitted ones stopped.

    A response reached step N when its last page is step N or later, or when it was
    submitted. A response without a last page (or with one the scan no longer has) saw the
    first step only: starting a response opens it.

    "Stopped" is a breakdown of the unsubmitted responses with the usual suppression, its
    complement a neighbouring step. The "reached" figures are running sums of that breakdown
    (plus the submitted ones), so two of them side by side would give away a hidden "stopped"
    cell as their difference. A reached figure is therefore shown only when it already
    follows from shown figures: when no "stopped" cell before it is hidden (started minus the
    shown cells before it), or none from it on is (the submitted total, if shown, plus the
    shown cells from it on). With one small cell and its neighbour hidden, that hides one
    reached figure: the one between them.
    """
    index = {key: i for i, key in enumerate(step_keys)}
    stopped = [0] * len(step_keys)
    for page, count in unsubmitted_by_last_page.items():
        stopped[index.get(page, 0) if page is not None else 0] += count
    started = submitted + sum(stopped)
    reached = [submitted + sum(stopped[i:]) for i in range(len(step_keys))]
    stopped_figures = breakdown(stopped, started, threshold=threshold, exact=exact, ordered=True)
    hidden = [f.suppressed for f in stopped_figures]
    submitted_shown = not is_small(submitted, threshold)
    steps = []
    for i, key in enumerate(step_keys):
        follows = not any(hidden[:i]) or (submitted_shown and not any(hidden[i:]))
        small = is_small(reached[i], threshold)
        figure = Figure(reached[i], percent(reached[i], started), small=small)
        if not exact and (small or not follows):
            figure = HIDDEN
        steps.append(FunnelStep(key, i + 1, figure, stopped_figures[i]))
    return steps


# --- the "over u" profile ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileRow:
    value: str | None  # None: submitted responses that left the question open
    labels: dict[str, str]  # the option's label per language
    figure: Figure  # percent of all submitted responses


@dataclass(frozen=True)
class ProfileQuestion:
    key: str
    texts: dict[str, str]  # the question's text per language
    multiple: bool  # more than one answer each: the rows add up to more than the total
    rows: list[ProfileRow]


def profile(
    questions: Sequence[Question],
    chosen: Mapping[tuple[int, str], int],
    answered: Mapping[int, int],
    submitted: int,
    *,
    threshold: int,
    exact: bool,
) -> list[ProfileQuestion]:
    """The answers of submitted responses to the "over u" questions, one breakdown each.

    ``chosen`` maps (question id, value) to the responses that chose it; ``answered`` maps a
    multiple-choice question's id to the responses that answered it at all (for a question
    with one value per response that is the sum of its values). Rows follow the question's
    options, then any value no longer among them; the last row is "no answer".
    """
    result = []
    for question in questions:
        if not question.options or question.id is None:
            continue
        values = [str(option["value"]) for option in question.options]
        labels: dict[str, dict[str, str]] = {
            str(option["value"]): dict(option.get("labels", {})) for option in question.options
        }
        values += sorted(v for q, v in chosen if q == question.id and v not in labels)
        counts = [chosen.get((question.id, value), 0) for value in values]
        responded = answered.get(question.id, sum(counts))
        counts.append(max(submitted - responded, 0))
        figures = breakdown(counts, submitted, threshold=threshold, exact=exact)
        rows = [
            ProfileRow(value, labels.get(value, {}), figure)
            for value, figure in zip(values, figures, strict=False)
        ]
        rows.append(ProfileRow(None, {}, figures[-1]))
        result.append(
            ProfileQuestion(
                key=question.key,
                texts=_question_texts(question.texts),
                multiple=question.kind == "multiple_choice",
                rows=rows,
            )
        )
    return result


def _question_texts(texts: Mapping[str, Any]) -> dict[str, str]:
    return {
        language: str(parts.get("text", ""))
        for language, parts in texts.items()
        if isinstance(parts, Mapping)
    }


# --- the whole page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressInput:
    """What ``queries.progress_input`` read for one scan: grouped counts and the shape."""

    step_keys: list[str]
    started_by_hour: list[tuple[datetime, int]]  # UTC hour -> responses started in it
    submitted_by_hour: list[tuple[datetime, int]]
    channels: dict[str, tuple[int, int]]  # channel -> (started, submitted)
    languages: dict[str, tuple[int, int]]
    unsubmitted_by_last_page: dict[str | None, int]
    profile_questions: list[Question]
    profile_chosen: dict[tuple[int, str], int]
    profile_answered: dict[int, int]
    step_titles: dict[str, dict[str, str]]  # step key -> title per language (question pages)


@dataclass(frozen=True)
class Progress:
    totals: Totals
    days: list[DayRow]
    channels: list[GroupRow]
    languages: list[GroupRow]
    funnel: list[FunnelStep]
    profile: list[ProfileQuestion]
    step_titles: dict[str, dict[str, str]]
    threshold: int
    exact: bool


def build_progress(data: ProgressInput, *, zone: tzinfo, threshold: int, exact: bool) -> Progress:
    started = sum(s for s, _ in data.channels.values())
    submitted = sum(d for _, d in data.channels.values())
    return Progress(
        totals=totals(started, submitted, threshold=threshold, exact=exact),
        days=per_day(
            local_days(data.started_by_hour, zone),
            local_days(data.submitted_by_hour, zone),
            threshold=threshold,
            exact=exact,
        ),
        channels=groups(data.channels, CHANNELS, threshold=threshold, exact=exact),
        languages=groups(data.languages, LANGUAGES, threshold=threshold, exact=exact),
        funnel=funnel(
            data.step_keys,
            data.unsubmitted_by_last_page,
            submitted,
            threshold=threshold,
            exact=exact,
        ),
        profile=profile(
            data.profile_questions,
            data.profile_chosen,
            data.profile_answered,
            submitted,
            threshold=threshold,
            exact=exact,
        ),
        step_titles=data.step_titles,
        threshold=threshold,
        exact=exact,
    )
