"""``eligo sync``: run the catalog sync once (cron / Kubernetes CronJob) and read its reports."""

from __future__ import annotations

import json
from typing import Annotated

import typer

app = typer.Typer(help="Catalog sync from the trusted product feed.", no_args_is_help=True)

# Exit codes a scheduler or CronJob can act on.
EXIT_CODES = {"succeeded": 0, "unchanged": 0, "failed": 1, "aborted": 2, "busy": 3}


@app.command("run")
def run(
    feed: Annotated[
        str | None, typer.Option(help="Feed URL or path (default: ELIGO_CATALOG__FEED_URL)")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Ignore ETag / Last-Modified: download and diff anyway")
    ] = False,
    trigger: Annotated[str, typer.Option(help="Recorded with the run: cli or scheduler")] = "cli",
    nice: Annotated[
        int | None, typer.Option(help="Lower CPU priority by N (default: catalog.sync_nice)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON")] = False,
) -> None:
    """Sync the eligible-product list once. Exit 0 done/unchanged, 1 failed, 2 aborted, 3 busy."""
    from eligo.catalog.background import run_in_background
    from eligo.cli.common import cli_settings

    settings = cli_settings()
    # Before the heavy imports, which take a good part of a sync's CPU time. Not SCHED_BATCH:
    # measured on a shared 2-core host, it slowed the sync 1.5-3x with no visible gain in
    # request latency (bench/sync.py); see catalog/background.py for what is done.
    placement = run_in_background(
        nice=settings.catalog.sync_nice if nice is None else nice,
        pin_cpu=settings.catalog.sync_pin_cpu,
        idle_class=settings.catalog.sync_idle_class,
    )
    from eligo.catalog.sync import run_sync
    from eligo.db.session import Database
    from eligo.errors import EligoError

    database = Database.from_url(settings.database_url)
    try:
        outcome = run_sync(
            database.sessionmaker,
            settings.catalog,
            feed=feed,
            trigger=trigger,
            actor=f"{trigger}:sync",
            force=force,
        )
    except EligoError as exc:  # e.g. no feed configured
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    finally:
        placement.stop()
        database.dispose()
    if as_json:
        typer.echo(json.dumps(outcome.__dict__, default=str))
    else:
        line = f"sync {outcome.status}"
        if outcome.list_version is not None:
            line += f": version {outcome.list_version} (based on {outcome.based_on})"
        typer.echo(line)
        if outcome.counts:
            typer.echo("  " + ", ".join(f"{k} {v:,}" for k, v in outcome.counts.items()))
        if outcome.quarantined:
            typer.echo(f"  quarantined rows: {outcome.quarantined:,}")
        if outcome.durations:
            typer.echo("  seconds: " + ", ".join(f"{k} {v}" for k, v in outcome.durations.items()))
        if outcome.error:
            typer.echo(f"  {outcome.error}", err=True)
        if outcome.run_id:
            typer.echo(f"  run id: {outcome.run_id}")
    raise typer.Exit(EXIT_CODES.get(outcome.status, 1))


@app.command("runs")
def runs(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many runs")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one run each")] = False,
) -> None:
    """Recent sync runs, newest first: status, version, counts, seconds."""
    from eligo.catalog.schemas import SyncRunOut
    from eligo.catalog.sync import latest_runs
    from eligo.cli.common import cli_session

    with cli_session() as session:
        rows = [SyncRunOut.model_validate(r) for r in latest_runs(session, limit=limit)]
    for r in rows:
        if as_json:
            typer.echo(r.model_dump_json())
            continue
        version = f"v{r.list_version}" if r.list_version is not None else "-"
        total = r.durations.get("total", "")
        typer.echo(
            f"{r.started_at:%Y-%m-%d %H:%M:%S}  {r.id}  {r.kind:<8} {r.status:<9} {version:<6} "
            f"records {r.records:,}  +{r.added:,} -{r.removed:,} ~status {r.status_changed:,} "
            f"~name {r.renamed:,}  quarantined {r.quarantined:,}  {total}s"
            + (f"  {r.error}" if r.error else "")
        )


@app.command("show")
def show(
    run_id: str,
    rows: Annotated[int, typer.Option(min=0, help="Quarantined rows to print")] = 20,
) -> None:
    """One run in full, with its first quarantined rows and their reasons."""
    from eligo.catalog.models import SyncRun
    from eligo.catalog.schemas import SyncRunOut
    from eligo.catalog.sync import quarantined_rows
    from eligo.cli.common import cli_session

    with cli_session() as session:
        run = session.get(SyncRun, run_id)
        if run is None:
            typer.echo(f"no sync run {run_id}", err=True)
            raise typer.Exit(1)
        typer.echo(json.dumps(SyncRunOut.model_validate(run).model_dump(mode="json"), indent=2))
        for row in quarantined_rows(session, run_id=run_id, limit=rows):
            typer.echo(f"line {row.line_no}: {row.code}: {row.reason}  | {row.raw[:80]}")
