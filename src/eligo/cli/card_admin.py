"""eligo card-admin ...: the scan service's operations (retention purge, a worker process)."""

from __future__ import annotations

from typing import Annotated

import typer

from eligo.cli.common import cli_session, cli_settings

app = typer.Typer(
    help="Card scan service operations: image retention purge and the scan worker.",
    no_args_is_help=True,
)


@app.command()
def purge(
    days: Annotated[
        float | None,
        typer.Option(min=0, help="Retention in days (default: cards.image_retention_days)"),
    ] = None,
) -> None:
    """Delete card photos older than the retention period (results stay until deleted)."""
    from eligo.cards import retention

    settings = cli_settings()
    keep = settings.cards.image_retention_days if days is None else days
    with cli_session() as session:
        report = retention.purge_expired_images(session, retention_days=keep)
    typer.echo(
        f"purged {report.images} images of {report.scans} scans uploaded before "
        f"{report.cutoff:%Y-%m-%d %H:%M} UTC"
    )


@app.command()
def work(
    once: Annotated[
        bool, typer.Option("--once", help="Scan what is queued now, then exit")
    ] = False,
) -> None:
    """Run the scan worker as its own process (alongside or instead of the server's)."""
    import contextlib
    import signal
    import threading

    from eligo.cards.worker import ScanService
    from eligo.db.session import Database

    settings = cli_settings()
    database = Database.from_url(settings.database_url)
    service = ScanService(database, settings)
    try:
        if once:
            outcomes = service.drain()
            counts: dict[str, int] = {}
            for outcome in outcomes:
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
            summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none queued"
            typer.echo(f"card scans: {summary}")
            return
        service.start(poll=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    finally:
        service.stop()
        database.dispose()
