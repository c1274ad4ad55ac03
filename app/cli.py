"""The ``buurtscan`` command: serve, migrate, load the demo (with synthetic responses)."""

import typer
import uvicorn

from app import migrate
from app.config import get_settings
from app.db import make_engine, open_session, utcnow
from app.demo_responses import DEFAULT_SEED

app = typer.Typer(help="Buurtscan: participation per buurt.", no_args_is_help=True)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
users_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _ensure_data_dir() -> None:
    url = get_settings().database_url
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration (creates the database when needed)."""
    _ensure_data_dir()
    migrate.upgrade(get_settings().database_url)
    typer.echo("database is up to date")


@app.command()
def demo(
    responses: int | None = typer.Option(
        None,
        "--responses",
        min=0,
        help="Synthetic responses per scan (0: none). Default: a plausible amount per buurt, "
        "only for demo scans that have no responses yet.",
    ),
    scan: str | None = typer.Option(
        None,
        "--scan",
        help="Only this scan (slug). With --responses, they are added even when the scan "
        "has responses already (for benchmarks).",
    ),
    seed: int = typer.Option(
        DEFAULT_SEED, help="Seed of the synthetic responses: same seed, same answers."
    ),
) -> None:
    """Load the demo data (idempotent): buurten, pijlers, partners, an open scan per buurt,
    and clearly synthetic responses for the scans that have none yet."""
    import time

    from app.demo import load_demo
    from app.demo_responses import add_demo_responses

    db_upgrade()
    engine = make_engine(get_settings().database_url)
    try:
        with open_session(engine, write=True) as session:
            counts = load_demo(session, now=utcnow())
            typer.echo(
                f"demo loaded: {counts.pijlers} pijlers, {counts.partners} partners, "
                f"{counts.buurten} buurten, {counts.scans} scans added"
            )
            started = time.perf_counter()
            added = add_demo_responses(
                session, now=utcnow(), seed=seed, count=responses, scan_slug=scan
            )
    except LookupError as error:
        raise typer.BadParameter(str(error), param_hint="--scan") from error
    finally:
        engine.dispose()
    if not added:
        typer.echo("synthetic demo responses added: none")
        return
    per_scan = ", ".join(f"{slug} {n}" for slug, n in added.items())
    typer.echo(
        f"synthetic demo responses added: {sum(added.values())} "
        f"in {time.perf_counter() - started:.1f} s ({per_scan})"
    )


@users_app.command("create")
def users_create(
    email: str = typer.Option(..., help="E-mail address (the login name)."),
    name: str = typer.Option(..., help="Full name."),
    role: str = typer.Option("beheerder", help="beheerder, facilitator or partner."),
    partner: str | None = typer.Option(None, help="Slug of the partner organisation."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="BUURTSCAN_NEW_USER_PASSWORD",
        help="Asked for when not given.",
    ),
) -> None:
    """Create a staff account, e.g. the first beheerder (who sets up TOTP at first login)."""
    from sqlmodel import select

    from app.programme.models import Partner
    from app.staff import service

    settings = get_settings()
    engine = make_engine(settings.database_url)
    with open_session(engine, write=True) as session:
        partner_id = None
        if partner:
            found = session.exec(select(Partner).where(Partner.slug == partner)).first()
            if found is None:
                raise typer.BadParameter(
                    f"no partner with slug {partner!r}", param_hint="--partner"
                )
            partner_id = found.id
        try:
            user = service.create_user(
                session,
                actor=None,
                email=email,
                name=name,
                role=role,
                password=password,
                partner_id=partner_id,
                gemeente=settings.gemeente,
            )
        except service.InvalidUser as error:
            for field, message in error.errors.items():
                typer.echo(f"{field}: {message}", err=True)
            raise typer.Exit(code=1) from error
    engine.dispose()
    typer.echo(f"created {user.role} {user.email}")


@app.command()
def purge(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; change nothing."),
    today: str | None = typer.Option(
        None, help="Take this day (YYYY-MM-DD) as today, e.g. to see what goes when."
    ),
) -> None:
    """Retention: remove contact details and free text of closed scans past their days.

    Contact details go BUURTSCAN_CONTACT_RETENTION_DAYS after a closed scan's end date (90),
    the free text BUURTSCAN_TEXT_RETENTION_DAYS after it (365); quotes shown in the plan stay.
    Every count stays as it was.
    """
    from datetime import date

    from app.plannen import retention

    try:
        day = date.fromisoformat(today) if today else utcnow().date()
    except ValueError as error:
        raise typer.BadParameter("a date as YYYY-MM-DD", param_hint="--today") from error
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with open_session(engine, write=True) as session:
            purged = retention.purge(
                session,
                today=day,
                contact_days=settings.contact_retention_days,
                text_days=settings.text_retention_days,
                dry_run=dry_run,
            )
    finally:
        engine.dispose()
    verb = "would remove" if dry_run else "removed"
    typer.echo(
        f"{verb}: {purged.contacts} contact details, {purged.texts} free-text answers "
        f"({purged.quotes_kept} quotes kept); {len(purged.scans)} closed scans past retention"
        + (f": {', '.join(purged.scans)}" if purged.scans else "")
    )


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
) -> None:
    """Apply migrations, then serve the app."""
    db_upgrade()
    uvicorn.run(
        "app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        server_header=False,
        access_log=False,
    )


if __name__ == "__main__":
    app()
