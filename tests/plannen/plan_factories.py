"""A scan with results and themes for plan tests: plain keyword factories."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from app.plannen.models import Remark, Theme
from app.plannen.plan_forms import MeasureInput
from app.programme.models import Partner, Pijler
from tests.monitoring.factories import make_responses
from tests.plannen.remark_factories import add_remark

STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SUBMITTED = STARTED + timedelta(minutes=20)


def pijler_id(session: Session, key: str) -> int:
    found = session.exec(select(Pijler.id).where(Pijler.key == key)).first()
    assert found is not None
    return found


def partner_ids(session: Session) -> list[int]:
    return [i for i in session.exec(select(Partner.id).order_by(Partner.id)).all() if i]


def add_theme(
    session: Session, scan: int, name: str, *, pijler: str | None, remarks: int, key: str
) -> int:
    """A theme with ``remarks`` visible remarks written at question ``key``."""
    theme = Theme(scan_id=scan, name=name, pijler_id=pijler_id(session, pijler) if pijler else None)
    session.add(theme)
    session.commit()
    assert theme.id is not None
    for n in range(remarks):
        answer = add_remark(session, scan, f"{name} {n}", key=key)
        session.add(Remark(answer_id=answer, theme_id=theme.id, is_quote=n == 0))
    session.commit()
    return theme.id


def seed_results(session: Session, scan: int) -> dict[str, int]:
    """Priorities veiligheid > wonen > leefomgeving; four themes, three of them large."""
    make_responses(
        session, scan, 10, started_at=STARTED, submitted_at=SUBMITTED,
        answers={
            "prioriteiten.top3": ["veiligheid", "wonen", "leefomgeving"],
            "wonen.tevredenheid": ["2"],
        },
    )  # fmt: skip
    make_responses(
        session, scan, 6, started_at=STARTED, submitted_at=SUBMITTED,
        answers={"prioriteiten.top3": ["wonen", "veiligheid"], "wonen.tevredenheid": ["4"]},
    )  # fmt: skip
    return {
        "Verkeer": add_theme(
            session, scan, "Verkeer", pijler="veiligheid", remarks=6, key="veiligheid.knelpunt"
        ),
        "Schimmel": add_theme(
            session, scan, "Schimmel", pijler="wonen", remarks=5, key="wonen.knelpunt"
        ),
        "Hondenpoep": add_theme(
            session, scan, "Hondenpoep", pijler=None, remarks=5, key="leefomgeving.knelpunt"
        ),
        "Bankjes": add_theme(
            session,
            scan,
            "Bankjes",
            pijler="kunst-cultuur",
            remarks=2,
            key="kunst-cultuur.knelpunt",
        ),
    }


def measure_input(session: Session, theme_ids: tuple[int, ...], **changes: object) -> MeasureInput:
    base = MeasureInput(
        language="nl",
        title="Veilig oversteken bij de school",
        description="Een zebrapad en een klaar-over.",
        pijler_id=pijler_id(session, "veiligheid"),
        theme_ids=theme_ids,
        lead_partner_id=None,
        partner_ids=(),
        resident_role="meedoen",
        kernelement=None,
        starts_on=None,
        ends_on=None,
        cost_estimate=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]
