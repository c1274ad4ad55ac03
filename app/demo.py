"""The demo: Zwijndrecht's buurten, the seven pijlers, the coalition's partners, open scans.

Loading twice changes nothing: rows are matched on their stable keys and slugs.
"""

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app.programme.models import Buurt, Partner, Pijler
from app.scan import questionnaire, rules, service
from app.scan.models import Scan

DEMO_PATH = Path(__file__).parent / "data" / "demo.toml"
SCAN_DAYS_OPEN = 120


@dataclass
class DemoCounts:
    pijlers: int = 0
    partners: int = 0
    buurten: int = 0
    scans: int = 0


def load_demo(session: Session, *, now: datetime) -> DemoCounts:
    with DEMO_PATH.open("rb") as file:
        demo = tomllib.load(file)
    data = questionnaire.load_default()
    counts = DemoCounts()
    _ensure_pijlers(session, data, counts)
    for row in demo["partners"]:
        if session.exec(select(Partner).where(Partner.slug == row["slug"])).first() is None:
            session.add(Partner(name=row["name"], slug=row["slug"], kind=row["kind"]))
            counts.partners += 1
    for row in demo["buurten"]:
        buurt = session.exec(select(Buurt).where(Buurt.slug == row["slug"])).first()
        if buurt is None:
            buurt = Buurt(
                name=row["name"],
                slug=row["slug"],
                is_focus=row.get("focus", False),
                first_wave=row.get("first_wave", False),
            )
            session.add(buurt)
            session.flush()
            counts.buurten += 1
        if session.exec(select(Scan).where(Scan.slug == buurt.slug)).first() is None:
            create_scan(session, buurt, now=now)
            counts.scans += 1
    session.commit()
    return counts


def _ensure_pijlers(
    session: Session, data: dict[str, Any], counts: DemoCounts
) -> dict[str, Pijler]:
    existing = {p.key: p for p in session.exec(select(Pijler)).all()}
    for pijler in questionnaire.pijler_rows(data):
        if pijler.key not in existing:
            session.add(pijler)
            existing[pijler.key] = pijler
            counts.pijlers += 1
    session.flush()
    return existing


def create_scan(session: Session, buurt: Buurt, *, now: datetime) -> Scan:
    """An open scan for the buurt from the default questionnaire (flushes, does not commit)."""
    today = rules.local_date(now)
    return service.build_scan(
        session,
        buurt,
        slug=buurt.slug,
        title={"nl": f"Buurtscan {buurt.name}"},
        status="open",
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=SCAN_DAYS_OPEN),
    )
