"""Documents benchmark (DESIGN.md §10: the plan PDF of a buurt under 3 s).

Run from the repository root::

    .venv/bin/python bench/documents.py [--repeat 5] [--out /tmp/kloosstraat-plan.pdf]

Set-up: a fresh SQLite file, migrated, with the demo buurten and scans
(``app.demo.load_demo``) and their synthetic responses (``app.demo_responses``). For
Kloosstraat the theme suggestions are accepted as themes (as a facilitator would on the
themes page), the first remark of every theme becomes a quote, the plan is drafted
(``plan_service.draft_plan``) and its measures get a trekker, partners, a period and a cost
(as a facilitator fills them in), and a kernelement gets its text.

Sections (each prints its own figures, the median and range of ``--repeat`` runs after one
warm-up; not a test, exits 0 whatever the figures):

1. ``plan PDF``: ``app.pdf.plan``: every query, the results, the HTML and WeasyPrint.
2. ``letters``: ``app.pdf.letters``: 1,000 code letters for Kloosstraat, in PDFs of at most
   ``letters.MAX_LETTERS`` (one request each), one run after a one-letter warm-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("BUURTSCAN_SECRET_KEY", "bench-" + uuid.uuid4().hex)
warnings.filterwarnings("ignore", category=DeprecationWarning)

from sqlmodel import Session, select  # noqa: E402

from app import demo, demo_responses, migrate  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.pdf import letters  # noqa: E402
from app.pdf import plan as plan_pdf  # noqa: E402
from app.plannen import plan_queries, plan_service, remark_queries, service, suggestions  # noqa: E402
from app.plannen.forms import InboxFilters  # noqa: E402
from app.plannen.plan_forms import MeasureInput  # noqa: E402
from app.programme.models import Buurt, Partner  # noqa: E402
from app.scan import codes  # noqa: E402
from app.scan import queries as scan_queries  # noqa: E402
from app.scan.models import Scan  # noqa: E402
from app.staff.models import User  # noqa: E402

KLOOSSTRAAT = "kloosstraat"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BUDGET = 3.0  # seconds, DESIGN.md §10
THRESHOLD = 5


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    function()  # warm-up: templates, fonts, query plans
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append(time.perf_counter() - start)
    return runs


def report(name: str, runs: list[float], budget: float | None = None) -> None:
    median = statistics.median(runs)
    verdict = (
        ""
        if budget is None
        else f"  budget < {budget:.1f} s: {'met' if median < budget else 'MISSED'}"
    )
    print(
        f"{name:<28} median {median:6.3f} s  range {min(runs):.3f}-{max(runs):.3f} s"
        f"  ({len(runs)} runs){verdict}"
    )


# --- set-up -------------------------------------------------------------------------------------


def demo_database(url: str) -> None:
    """Migrate and load the demo buurten, scans and their synthetic responses."""
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        demo.load_demo(session, now=NOW)
        demo_responses.add_demo_responses(session, now=NOW)
    engine.dispose()


def facilitator(session: Session) -> User:
    user = User(
        email="bench@zwijndrecht.example",
        name="Bench",
        role="facilitator",
        password_hash="!" + uuid.uuid4().hex,  # no hash at all: this actor cannot log in
    )
    session.add(user)
    session.commit()
    return user


def kloosstraat_plan(session: Session) -> int:
    """Themes from the suggestions, quotes, the drafted plan with filled-in measures."""
    actor = facilitator(session)
    scan = session.exec(select(Scan).where(Scan.slug == KLOOSSTRAAT)).one()
    scan_id = scan.id or 0
    while True:  # accepting one suggestion changes the next: take the largest each time
        found = suggestions.suggest(
            remark_queries.unassigned_visible_texts(session, scan_id),
            rejected=remark_queries.rejected_keywords(session, scan_id),
        )
        if not found:
            break
        best = found[0]
        name = best.label.capitalize()[:80]
        if remark_queries.theme_named(session, scan_id, name) is not None:
            service.reject_suggestion(session, actor=actor, scan=scan, keyword=best.keyword)
            continue
        service.accept_suggestion(
            session, actor=actor, scan=scan, keyword=best.keyword, name=name,
            answer_ids=list(best.answer_ids),
        )  # fmt: skip
    for theme in remark_queries.themes(session, scan_id):
        rows = remark_queries.inbox(
            session, scan_id, InboxFilters(theme=str(theme.id)), include_hidden_text=False
        ).rows
        chosen = {rows[0].answer_id} if rows else set()
        chosen |= {r.answer_id for r in rows if r.language not in (None, "nl")}
        for answer_id in sorted(chosen)[:2]:  # one in Dutch, one in another language
            service.set_quote(session, actor=actor, scan=scan, answer_id=answer_id, on=True)
    plan = plan_service.draft_plan(session, actor=actor, scan=scan, threshold=THRESHOLD)
    partners = [p.id for p in session.exec(select(Partner).order_by(Partner.id)).all() if p.id]
    for n, view in enumerate(plan_queries.measures(session, plan.id or 0)):
        m = view.measure
        data = MeasureInput(
            language="nl",
            title=m.title.get("nl", ""),
            description=(
                "Bewoners, de woningcorporatie en de gemeente pakken dit samen aan. We beginnen "
                "met een buurtavond en maken daarna een plan van aanpak met vaste afspraken."
            ),
            pijler_id=m.pijler_id,
            theme_ids=tuple(t.theme.id or 0 for t in view.themes),
            lead_partner_id=partners[n % len(partners)] if partners else None,
            partner_ids=tuple(
                p for p in partners[n + 1 : n + 3] if p != partners[n % len(partners)]
            ),
            resident_role=("meedenken", "meedoen", "meebeslissen")[n % 3],
            kernelement=None,
            starts_on=date(2027, 1 + n % 6, 1),
            ends_on=date(2027, 7 + n % 6, 28),
            cost_estimate=2_500 * (n + 1),
        )
        plan_service.update_measure(session, actor=actor, measure=m, data=data)
    plan_service.update_section(
        session, actor=actor, plan=plan, key="leefbaarheid", language="nl",
        text="Een schone, veilige en groene buurt waar bewoners elkaar kennen.",
    )  # fmt: skip
    assert plan.id is not None
    return plan.id


def render_plan(session: Session, plan_id: int, language: str = "nl") -> bytes:
    session.rollback()  # a fresh read, as a request has
    found = plan_queries.plan_with_scan(session, plan_id)
    assert found is not None
    document = plan_pdf.plan_document(
        session, *found, threshold=THRESHOLD, language=language, now=NOW
    )
    return plan_pdf.plan_pdf(document, language=language)


# --- sections -----------------------------------------------------------------------------------


def plan_section(session: Session, plan_id: int, args: argparse.Namespace) -> None:
    pdf = render_plan(session, plan_id)
    if args.out:
        Path(args.out).write_bytes(pdf)
        print(f"wrote {args.out} ({len(pdf):,} bytes)")
    report(
        "plan PDF (Kloosstraat)", timed(lambda: render_plan(session, plan_id), args.repeat), BUDGET
    )


LETTERS = 1_000


def letters_section(session: Session) -> None:
    """``LETTERS`` code letters in PDFs of at most ``letters.MAX_LETTERS``, as the codes page
    makes them (one request per PDF; the codes are made up here)."""
    scan = session.exec(select(Scan).where(Scan.slug == KLOOSSTRAAT)).one()
    found = scan_queries.scan_with_buurt_by_id(session, scan.id or 0)
    assert found is not None
    url = f"https://buurtscan.example/s/{scan.slug}/code"
    shown = [codes.format_code(codes.new_code()) for _ in range(LETTERS)]
    letters.scan_letters(session, *found, shown[:1], url=url)  # warm-up
    per_pdf: list[float] = []
    size = 0
    for first in range(0, LETTERS, letters.MAX_LETTERS):
        start = time.perf_counter()
        pdf = letters.scan_letters(
            session, *found, shown[first : first + letters.MAX_LETTERS], url=url
        )
        per_pdf.append(time.perf_counter() - start)
        size += len(pdf)
    seconds = sum(per_pdf)
    slowest = max(per_pdf)
    print(
        f"{f'letters ({LETTERS:,})':<28} {seconds:6.1f} s"
        f"  ({seconds / LETTERS * 1000:.0f} ms a letter, {size / 1e6:.1f} MB) in {len(per_pdf)}"
        f" PDFs of at most {letters.MAX_LETTERS:,}: the slowest request {slowest:.1f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", help="also write the Kloosstraat plan PDF here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        start = time.perf_counter()
        demo_database(url)
        engine = make_engine(url)
        with Session(engine) as session:
            plan_id = kloosstraat_plan(session)
            buurt = session.exec(select(Buurt).where(Buurt.slug == KLOOSSTRAAT)).one()
            print(f"set-up: demo and the {buurt.name} plan in {time.perf_counter() - start:.1f} s")
            plan_section(session, plan_id, args)
            letters_section(session)
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
