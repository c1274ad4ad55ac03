"""Synthetic demo responses: made-up deelnames for the demo scans and for benchmarks.

Nobody gave these answers. They are plausible on purpose, so that results, themes and the
ontwerpsessie have something to show: every buurt has a mood per pijler derived from its slug
alone (the same buurt looks the same in every run and with every seed), statements follow the
respondent's satisfaction with their pijler, priorities favour the pijlers they are least happy
with, unhappy respondents write more, and the free text comes from the synthetic bank in
``data/demo_remarks.toml``. The same seed gives the same answers (not the same ids).
"""

import random
import tomllib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from app.config import TIMEZONE
from app.db import begin_write, metadata
from app.programme.models import Buurt
from app.scan import queries as scan_queries
from app.scan import rules
from app.scan.models import Question, Response, Scan

REMARKS_PATH = Path(__file__).parent / "data" / "demo_remarks.toml"
DEMO_PATH = Path(__file__).parent / "data" / "demo.toml"
DEFAULT_SEED = 2024
CHUNK_SIZE = 2_000  # responses per bulk insert

CHANNELS = {"online": 70, "paper": 20, "conversation": 10}
LANGUAGES = {"nl": 70, "tr": 8, "ar": 8, "pl": 6, "uk": 5, "en": 3}
UNSUBMITTED = 0.15  # of all responses; only online ones are left half-way
DONT_KNOW = 0.07
OWN_LANGUAGE_TEXT = 0.8  # a resident answering in Turkish writes in Turkish, else in Dutch
SKIP_ABOUT_YOU = 0.15  # residents who skip the whole "over u" page
# Pijlers that are more often a buurt's weak spot (weights for drawing them).
WEAK_SPOT_WEIGHTS = {"leefomgeving": 3, "veiligheid": 3, "armoede-werk-inkomen": 3, "wonen": 2}
# Answer shares for the default "over u" questions; other choice questions are uniform.
CHOICE_WEIGHTS: dict[str, dict[str, float]] = {
    "over-u.leeftijd": {
        "jonger-dan-18": 3,
        "18-26": 11,
        "27-40": 27,
        "41-65": 35,
        "66-75": 14,
        "ouder-dan-75": 7,
        "zeg-ik-liever-niet": 3,
    },
    "over-u.jaren-in-buurt": {"korter-dan-1": 8, "1-5": 27, "5-10": 22, "langer-dan-10": 43},
}
FREE_TEXT_KINDS = ("knelpunt", "idee")
_RESPONSE_TABLE = metadata.tables["response"]
_ANSWER_TABLE = metadata.tables["answer"]


@dataclass(frozen=True)
class _Question:
    """The parts of a Question the generator uses, read once (ORM attributes are slow)."""

    id: int
    key: str
    kind: str
    required: bool
    values: tuple[str, ...]  # every option, in order
    points: tuple[str, ...]  # the options that are not an opt-out or exclusive
    opt_out: str | None
    exclusive: tuple[str, ...]
    max_choices: int | None
    bias: float  # a statement's lean towards agreement, compared with its pijler

    @classmethod
    def of(cls, question: Question) -> "_Question":
        assert question.id is not None
        options = question.options
        return cls(
            id=question.id,
            key=question.key,
            kind=question.kind,
            required=question.required,
            values=tuple(o["value"] for o in options),
            points=tuple(
                o["value"] for o in options if not o.get("opt_out") and not o.get("exclusive")
            ),
            opt_out=next((o["value"] for o in options if o.get("opt_out")), None),
            exclusive=tuple(o["value"] for o in options if o.get("exclusive")),
            max_choices=question.max_choices,
            bias=_statement_bias(question.key),
        )


@dataclass(frozen=True)
class _Page:
    key: str
    pijler: str | None  # the key of the page's pijler, if it has one
    questions: tuple[_Question, ...]


@dataclass(frozen=True)
class _Plan:
    """What the generator needs to know about one scan, read once."""

    scan_id: int
    pages: tuple[_Page, ...]
    steps: tuple[str, ...]  # every step key: the question pages, then contact and review
    moods: dict[str, float]
    start: datetime
    end: datetime


@dataclass
class _Resident:
    channel: str
    language: str
    satisfaction: dict[str, float]
    has_children: bool
    rows: list[dict[str, Any]] = field(default_factory=list)


# --- the buurt's character ----------------------------------------------------------------------


def buurt_moods(slug: str, pijler_keys: Sequence[str]) -> dict[str, float]:
    """The average satisfaction (1..5) per pijler in a buurt, from its slug alone.

    Every buurt has two weak spots (one clearly weak) and one strong point, drawn with a
    preference for leefomgeving, veiligheid, armoede and wonen.
    """
    rng = _rng(f"mood:{slug}")
    keys = sorted(pijler_keys)
    moods = {key: rng.uniform(2.9, 3.7) for key in keys}
    pool = list(keys)
    for drop in (1.3, 0.7):
        if not pool:
            break
        weak = rng.choices(pool, weights=[WEAK_SPOT_WEIGHTS.get(k, 1) for k in pool])[0]
        pool.remove(weak)
        moods[weak] -= drop
    if pool:
        moods[rng.choice(pool)] += 0.6
    return moods


def default_count(buurt: Buurt) -> int:
    """A plausible number of responses for a demo buurt; the first-wave buurten have more."""
    rng = _rng(f"amount:{buurt.slug}")
    return rng.randint(185, 230) if buurt.first_wave else rng.randint(40, 160)


# --- bulk generation ----------------------------------------------------------------------------


def add_responses(session: Session, scan: Scan, count: int, *, seed: int, now: datetime) -> int:
    """Add ``count`` synthetic responses with their answers to the scan; returns how many.

    Rows go in with bulk inserts of ``CHUNK_SIZE`` responses; one commit at the end. Never
    creates contact details: they are not answers.
    """
    if count <= 0:
        return 0
    plan = _plan(session, scan, now)
    remarks = _remarks()
    rng = _rng(f"{seed}:{scan.slug}")
    begin_write(session)
    for first in range(0, count, CHUNK_SIZE):
        responses: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        for _ in range(min(CHUNK_SIZE, count - first)):
            response, rows = _response(rng, plan, remarks)
            responses.append(response)
            answers.extend(rows)
        # Core inserts: the ORM's bulk insert splits the rows wherever their NULLs differ.
        session.execute(insert(_RESPONSE_TABLE), responses)
        if answers:
            session.execute(insert(_ANSWER_TABLE), answers)
    session.commit()
    return count


def add_demo_responses(
    session: Session,
    *,
    now: datetime,
    seed: int = DEFAULT_SEED,
    count: int | None = None,
    scan_slug: str | None = None,
) -> dict[str, int]:
    """Synthetic responses for the demo; returns how many were added per scan slug.

    Without ``scan_slug`` every demo scan that has no responses yet gets ``count`` of them,
    or its buurt's ``default_count``: running it twice adds nothing the second time. With
    ``scan_slug`` only that scan (any scan) is filled; an explicit ``count`` is then added even
    when it has responses already, for benchmarks. Raises LookupError for an unknown slug.
    """
    existing = _response_counts(session)
    targets: list[tuple[Scan, int]] = []
    if scan_slug is not None:
        found = scan_queries.scan_with_buurt(session, scan_slug)
        if found is None:
            raise LookupError(f"no scan with slug {scan_slug!r}")
        scan, buurt = found
        if count is not None or not existing.get(scan.id or 0):
            targets.append((scan, default_count(buurt) if count is None else count))
    else:
        demo_slugs = _demo_slugs()
        for scan, buurt in scan_queries.all_scans(session):
            if scan.slug in demo_slugs and not existing.get(scan.id or 0):
                targets.append((scan, default_count(buurt) if count is None else count))
    added: dict[str, int] = {}
    for scan, amount in targets:
        if amount > 0:
            added[scan.slug] = add_responses(session, scan, amount, seed=seed, now=now)
    return added


def _response(
    rng: random.Random, plan: _Plan, remarks: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    channel = _weighted(rng, CHANNELS)
    mood_shift = rng.gauss(0, 0.45)  # some people are simply more critical
    resident = _Resident(
        channel=channel,
        language=_weighted(rng, LANGUAGES),
        satisfaction={
            key: _clamp(mood + mood_shift + rng.gauss(0, 0.7)) for key, mood in plan.moods.items()
        },
        has_children=rng.random() < 0.45,
    )
    response_id = uuid.uuid4()
    stop = _stop_step(rng, plan) if channel == "online" else None
    stop_index = plan.steps.index(stop) if stop is not None else len(plan.steps)
    skip_about_you = rng.random() < SKIP_ABOUT_YOU
    for page in plan.pages[:stop_index]:
        if page.key == "over-u" and skip_about_you:
            continue
        for question in page.questions:
            _answer(rng, resident, page, question, remarks)
    started_at = plan.start + (plan.end - plan.start) * rng.random()
    if stop is None:
        submitted_at: datetime | None = started_at + timedelta(minutes=rng.uniform(5, 40))
        updated_at = submitted_at
    else:
        submitted_at = None
        updated_at = started_at + timedelta(minutes=rng.uniform(0.5, 2.5) * (stop_index + 1))
    for row in resident.rows:
        row["response_id"] = response_id
    response = {
        "id": response_id,
        "scan_id": plan.scan_id,
        "language": resident.language,
        "channel": channel,
        "started_at": started_at,
        "updated_at": updated_at,
        "submitted_at": submitted_at,
        # Staff enter paper and conversation responses in one go: no last page, as in the app.
        "last_page": stop
        if stop is not None
        else (plan.steps[-1] if channel == "online" else None),
    }
    return response, resident.rows


def _last_page_when_done(plan: _Plan, channel: str) -> str | None:
    """Online residents submit from the review step; staff enter paper forms in one go."""
    return plan.steps[-1] if channel == "online" else None


def _stop_step(rng: random.Random, plan: _Plan) -> str | None:
    """Where an online resident stopped, if they did: more often early than late."""
    if rng.random() >= UNSUBMITTED / (CHANNELS["online"] / sum(CHANNELS.values())):
        return None
    weights = [1 / (index + 1) ** 0.7 for index in range(len(plan.steps))]
    return rng.choices(plan.steps, weights=weights)[0]


def _answer(
    rng: random.Random,
    resident: _Resident,
    page: _Page,
    question: _Question,
    remarks: dict[str, Any],
) -> None:
    kind = question.kind
    satisfaction = resident.satisfaction.get(page.pijler or "", 3.0)
    if kind == "scale":
        _scale(rng, resident, page, question, satisfaction)
    elif kind in FREE_TEXT_KINDS:
        _free_text(rng, resident, page, question, satisfaction, remarks)
    elif kind in ("single_choice", "yes_no"):
        _choice(rng, resident, question, satisfaction)
    elif kind == "multiple_choice":
        _multiple_choice(rng, resident, question)
    elif kind == "ranking":
        _ranking(rng, resident, question)
    # Other kinds (short or long text) stay unanswered: the bank has no texts for them.


def _scale(
    rng: random.Random, resident: _Resident, page: _Page, question: _Question, satisfaction: float
) -> None:
    points, opt_out = question.points, question.opt_out
    if not points or (not question.required and rng.random() < 0.04):
        return
    dont_know = DONT_KNOW
    if page.pijler == "rijke-ontwikkeldag" and not resident.has_children:
        dont_know *= 2.2  # people without children know less about schools and childcare
    if opt_out is not None and rng.random() < dont_know:
        _add(resident, question, opt_out)
        return
    if question.key.endswith(".tevredenheid"):
        level = satisfaction + rng.gauss(0, 0.35)
    else:
        level = satisfaction + question.bias + rng.gauss(0, 0.8)
    index = min(len(points), max(1, round(level * len(points) / 5))) - 1
    _add(resident, question, points[index])


def _free_text(
    rng: random.Random,
    resident: _Resident,
    page: _Page,
    question: _Question,
    satisfaction: float,
    remarks: dict[str, Any],
) -> None:
    unhappiness = 5 - satisfaction  # 0 (very happy) .. 4 (very unhappy)
    chance = 0.15 + 0.07 * unhappiness if question.kind == "knelpunt" else 0.1 + 0.045 * unhappiness
    if resident.channel == "paper":
        chance *= 0.8  # writing on paper takes more effort
    bank = remarks["remarks"].get(page.pijler or "", {}).get(question.kind, {})
    if not bank or rng.random() >= chance:
        return
    language = resident.language
    if language not in bank or rng.random() >= OWN_LANGUAGE_TEXT:
        language = "nl" if "nl" in bank else next(iter(bank))
    text = rng.choice(bank[language])
    variation = remarks["variations"].get(question.kind, {}).get(language, {})
    _add(resident, question, None, text=_vary(rng, text, language, variation), language=language)


def _vary(rng: random.Random, text: str, language: str, variation: dict[str, list[str]]) -> str:
    """The remark with, sometimes, a prefix or suffix or without its final full stop."""
    prefixes, suffixes = variation.get("prefixes", []), variation.get("suffixes", [])
    if prefixes and rng.random() < 0.2:
        prefix = rng.choice(prefixes)
        if language == "nl" and prefix.endswith(": "):
            text = text[0].lower() + text[1:]
        text = prefix + text
    if suffixes and rng.random() < 0.2:
        text += rng.choice(suffixes)
    elif text.endswith(".") and rng.random() < 0.15:
        text = text[:-1]
    return text


def _choice(
    rng: random.Random, resident: _Resident, question: _Question, satisfaction: float
) -> None:
    values = question.values
    if not values:
        return
    if question.key.endswith(".helpen"):
        if rng.random() < 0.1:
            return
        # Of all residents about 15 % say yes and 25 % maybe; the unhappy a little more often.
        weights = {"ja": 0.18 + 0.02 * (3 - satisfaction), "misschien": 0.29, "nee": 0.53}
    elif question.key == "over-u.kinderen":
        weights = {"ja": float(resident.has_children), "nee": float(not resident.has_children)}
    else:
        weights = CHOICE_WEIGHTS.get(question.key, {})
    if not question.required and rng.random() < 0.06:
        return
    choices = [weights.get(value, 0.0 if weights else 1.0) for value in values]
    if sum(choices) <= 0:
        choices = [1.0] * len(values)
    _add(resident, question, rng.choices(values, weights=choices)[0])


def _multiple_choice(rng: random.Random, resident: _Resident, question: _Question) -> None:
    exclusive, others = question.exclusive, list(question.points)
    if not question.required and rng.random() < 0.08:
        return
    if exclusive and (not others or rng.random() < 0.25):
        _add(resident, question, rng.choice(exclusive))
        return
    most = min(len(others), question.max_choices or len(others))
    if most < 1:
        return
    chosen = rng.sample(others, rng.randint(1, most))
    for position, value in enumerate(chosen):
        _add(resident, question, value, position=position)


def _ranking(rng: random.Random, resident: _Resident, question: _Question) -> None:
    """The pijlers a resident is least happy with come first, mostly."""
    scored = sorted(
        question.values, key=lambda v: resident.satisfaction.get(v, 3.0) + rng.gauss(0, 0.8)
    )
    for rank, value in enumerate(scored[: question.max_choices or 3], start=1):
        _add(resident, question, value, position=rank)  # the position is the rank, as online


def _add(
    resident: _Resident,
    question: _Question,
    value: str | None,
    *,
    position: int = 0,
    text: str | None = None,
    language: str | None = None,
) -> None:
    resident.rows.append(
        {
            "response_id": None,  # set once the response is complete
            "question_id": question.id,
            "position": position,
            "value": value,
            "text": text,
            "language": language,
        }
    )


@cache
def _statement_bias(key: str) -> float:
    """Some statements get more agreement than their pijler's satisfaction, some less."""
    return _rng(f"statement:{key}").uniform(-0.6, 0.4)


def _rng(seed: str) -> random.Random:
    """A reproducible generator (a string seed is hashed the same way in every process)."""
    return random.Random(seed)  # noqa: S311 - synthetic demo data, reproducible on purpose


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _clamp(level: float) -> float:
    return min(5.0, max(1.0, level))


# --- reading ------------------------------------------------------------------------------------


def _plan(session: Session, scan: Scan, now: datetime) -> _Plan:
    assert scan.id is not None
    pijler_keys = {pid: p.key for pid, p in scan_queries.pijlers_by_id(session).items()}
    pages: dict[str, list[Question]] = {}
    for question in scan_queries.questions(session, scan.id):
        pages.setdefault(question.page, []).append(question)
    plan_pages = tuple(
        _Page(
            key=key,
            pijler=next(
                (pijler_keys.get(q.pijler_id) for q in questions if q.pijler_id is not None),
                None,
            ),
            questions=tuple(_Question.of(q) for q in questions),
        )
        for key, questions in pages.items()
    )
    end = now - timedelta(minutes=45)
    start = end - timedelta(days=7)
    if scan.starts_on is not None:
        start = datetime.combine(scan.starts_on, time(), tzinfo=TIMEZONE)
    if start >= end:
        start = end - timedelta(days=1)
    return _Plan(
        scan_id=scan.id,
        pages=plan_pages,
        steps=tuple(step.key for step in rules.steps(list(pages))),
        moods=buurt_moods(scan.slug, list(scan_queries.pijlers_by_key(session))),
        start=start,
        end=end,
    )


def _response_counts(session: Session) -> dict[int, int]:
    rows = session.exec(
        select(Response.scan_id, func.count()).group_by(col(Response.scan_id))
    ).all()
    return {scan_id: n for scan_id, n in rows}


@cache
def _remarks() -> dict[str, Any]:
    with REMARKS_PATH.open("rb") as file:
        return tomllib.load(file)


def _demo_slugs() -> set[str]:
    with DEMO_PATH.open("rb") as file:
        return {row["slug"] for row in tomllib.load(file)["buurten"]}
