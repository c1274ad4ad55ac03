"""The ``buurtscan`` command: serve, migrate, load the demo."""

import typer
import uvicorn

from app import migrate
from app.config import get_settings
from app.db import make_engine, open_session, utcnow

app = typer.Typer(help="Buurtscan: participation per buurt.", no_args_is_help=True)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")


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
def demo() -> None:
    """Load the demo data (idempotent): buurten, pijlers, partners and an open scan per buurt."""
    db_upgrade()
    engine = make_engine(get_settings().database_url)
    with open_session(engine, write=True) as session:
        from app.demo import load_demo

        counts = load_demo(session, now=utcnow())
    engine.dispose()
    typer.echo(
        f"demo loaded: {counts.pijlers} pijlers, {counts.partners} partners, "
        f"{counts.buurten} buurten, {counts.scans} scans added"
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
