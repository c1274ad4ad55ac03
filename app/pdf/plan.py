"""The programmaplan of a buurt as a PDF: one view model, rendered by ``templates/pdf/plan.html``.

Decisions:

- **Figures are always suppressed** (``exact=False``), whoever downloads the document: a PDF
  is for a council and the public, and it travels. A beheerder gets the same document.
- **Language**: any of the six UI languages (default Dutch). UI texts through gettext; the
  plan's own texts (title, summaries, measures, sections) in that language with Dutch as
  fallback, each with the ``lang`` it is actually in. Theme names are the facilitators'
  Dutch; quotes keep the resident's language.
- **What is shown** is what the public plan page shows (``plan_public_router``): the plan's
  pijlers in its priority order with their measures, the kernelementen that have a text, and
  the vote's results from the closed round's snapshot only (``vote_results``), suppressed
  below the threshold. Added: the results per pijler with their charts and the themes and
  quotes of "wat we hoorden" (``schemas.pijler_views``), how residents took part, and a
  method and privacy section.
- Everything is read before rendering, inside the document's locale (names, means and
  amounts are formatted for it); the template never queries.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from app import i18n
from app.i18n import gettext as _
from app.pdf import render
from app.plannen import aggregation, plan_queries, queries, remark_queries
from app.plannen.aggregation import Results, Share
from app.plannen.models import Plan
from app.plannen.plan_forms import KERNELEMENT_LABELS, ROLE_LABELS, STATUS_LABELS
from app.plannen.plan_public_router import VoteResults, VoteRow, vote_results
from app.plannen.plan_router import MeasureRow, pijler_blocks
from app.plannen.plan_rules import Shown, shown
from app.plannen.schemas import PijlerView, pijler_views
from app.programme.models import Buurt
from app.scan.models import Scan
from app.scan.rules import local_date

TEMPLATE = "pdf/plan.html"
THEMES = 8  # biggest themes per pijler
QUOTES = 3  # quotes per pijler
TOP = 3  # pijlers on the summary page


def direction(text: str | None) -> str:
    """``rtl`` or ``ltr`` by the first letter with a strong direction: what ``dir="auto"``
    does in a browser (WeasyPrint ignores ``auto`` and would give a Dutch quote the Arabic
    document's direction)."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@dataclass(frozen=True)
class PijlerSection:
    """One pijler of the plan: its text, results, themes, quotes and measures."""

    key: str
    position: int  # 1.. in the plan's priority order
    name: Shown
    text: Shown | None  # the plan's summary section for the pijler
    view: PijlerView | None  # results, themes and quotes (None: not in the results)
    measures: list[MeasureRow]


@dataclass(frozen=True)
class VoteLine:
    rank: int | None
    title: Shown
    row: VoteRow


@dataclass(frozen=True)
class Vote:
    """The closed round's results as the public may see them, ranked."""

    results: VoteResults
    lines: list[VoteLine]
    codes_issued: int | None  # households that got a code (None: an open poll)
    turnout: int | None  # whole percent of the codes issued; None when not shown
    closed_on: date | None


@dataclass(frozen=True)
class PlanDocument:
    plan: Plan
    scan: Scan
    buurt: Buurt
    title: str
    summary: Shown
    made_on: date
    results: Results
    channels: list[Share]  # channels and languages with responses
    languages: list[Share]
    pijlers: list[PijlerSection]
    top: list[PijlerSection]  # the residents' first pijlers, for the summary page
    measure_count: int
    kernelementen: list[tuple[str, Any, Shown]]  # key, label, text
    vote: Vote | None
    vote_running: bool  # a round is open or being prepared (the plan is ter_stemming)
    threshold: int
    language: str


def _vote(
    session: Session, plan: Plan, rows: list[MeasureRow], *, language: str, threshold: int
) -> Vote | None:
    vote_round = plan_queries.vote_round(session, plan.id or 0)
    found = vote_results(vote_round, threshold=threshold)
    if found is None or vote_round is None:
        return None
    titles = {row.view.measure.id: shown(row.view.measure.title, language) for row in rows}
    lines = sorted(
        (
            VoteLine(row.rank, titles.get(measure_id, Shown("", "nl")), row)
            for measure_id, row in found.rows.items()
            if measure_id in titles
        ),
        key=lambda line: (line.rank is None, line.rank or 0),
    )
    snapshot: dict[str, Any] = vote_round.results
    issued = snapshot.get("codes_issued") if found.binding else None
    ballots = found.ballots.count
    closed = snapshot.get("closed_on")
    return Vote(
        results=found,
        lines=lines,
        codes_issued=int(issued) if issued else None,
        turnout=(200 * ballots + int(issued)) // (2 * int(issued))
        if issued and ballots is not None
        else None,
        closed_on=date.fromisoformat(closed) if isinstance(closed, str) else None,
    )


def plan_document(
    session: Session,
    plan: Plan,
    scan: Scan,
    buurt: Buurt,
    *,
    threshold: int,
    language: str,
    now: datetime,
) -> PlanDocument:
    """Everything the document shows of ``plan``, read and formatted in ``language``."""
    with i18n.use_locale(language):
        results = aggregation.build_results(
            queries.results_input(session, scan), threshold=threshold, exact=False
        )
        views = {
            view.result.pijler.key: view
            for view in pijler_views(
                results,
                remark_queries.theme_counts(session, scan.id or 0),
                remark_queries.quotes(session, scan.id or 0),
                theme_limit=THEMES,
                quote_limit=QUOTES,
            )
        }
        blocks = pijler_blocks(session, plan, threshold=threshold, exact=False, with_remarks=False)
        pijlers = [
            PijlerSection(
                key=block.key,
                position=position,
                name=shown(block.pijler.name, language) if block.pijler else Shown(block.key, "nl"),
                text=shown(block.section.texts, language) if block.section else None,
                view=views.get(block.key),
                measures=block.measures,
            )
            for position, block in enumerate(blocks, start=1)
        ]
        by_key = {p.key: p for p in pijlers}
        top = [by_key[r.pijler.key] for r in results.pijlers if r.pijler.key in by_key][:TOP]
        sections = {s.key: s for s in plan_queries.sections(session, plan.id or 0)}
        rows = [row for p in pijlers for row in p.measures]
        # The drafted title is Dutch only; in another language its translation reads better.
        own_title = shown(plan.title, language)
        title = (
            own_title.text
            if own_title.text and own_title.lang == language
            else _("Programme plan %(buurt)s") % {"buurt": buurt.name}
        )
        return PlanDocument(
            plan=plan,
            scan=scan,
            buurt=buurt,
            title=title,
            summary=shown(plan.summary, language),
            made_on=local_date(now),
            results=results,
            channels=[s for s in results.channels if s.figure.count != 0],
            languages=[s for s in results.languages if s.figure.count != 0],
            pijlers=pijlers,
            top=top,
            measure_count=len(rows),
            kernelementen=[
                (key, label, shown(sections[key].texts, language))
                for key, label in KERNELEMENT_LABELS.items()
                if key in sections and any(sections[key].texts.values())
            ],
            vote=_vote(session, plan, rows, language=language, threshold=threshold),
            vote_running=plan.status == "ter_stemming",
            threshold=threshold,
            language=language,
        )


def context(document: PlanDocument) -> dict[str, Any]:
    """The template's context (``title`` is the PDF's title)."""
    return {
        "title": document.title,
        "doc": document,
        "status_labels": STATUS_LABELS,
        "role_labels": ROLE_LABELS,
        "kernelement_labels": KERNELEMENT_LABELS,
        "shown": lambda texts: shown(texts, document.language),
        "direction": direction,
    }


def plan_html(document: PlanDocument, *, language: str) -> str:
    return render.render_html(TEMPLATE, context(document), language=language)


def plan_pdf(document: PlanDocument, *, language: str) -> bytes:
    return render.render_pdf(TEMPLATE, context(document), language=language)


def filename(document: PlanDocument, language: str) -> str:
    """``programmaplan-<slug>-v<version>[-<language>].pdf`` (ASCII: slugs are)."""
    suffix = "" if language == "nl" else f"-{language}"
    return f"programmaplan-{document.scan.slug}-v{document.plan.version}{suffix}.pdf"
