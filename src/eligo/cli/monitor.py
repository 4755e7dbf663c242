"""``eligo monitor ...``: drift reports and one-off drift checks of a title stream."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import typer

from eligo.cli.common import cli_settings

app = typer.Typer(help="Model monitoring: drift reports and checks.", no_args_is_help=True)


@app.command("report")
def report(
    since: Annotated[str, typer.Option(help="Period: 7d, 24h, 30m, 2w")] = "7d",
    out: Annotated[Path, typer.Option(help="HTML file to write")] = Path("var/drift-report.html"),
    model: Annotated[str | None, typer.Option(help="Only this registered model")] = None,
) -> None:
    """Write an HTML drift report (plots of PSI, centroid distance, confidence, abstention)."""
    from eligo.cli.models import _session
    from eligo.db.types import utcnow
    from eligo.mlops.drift_report import parse_since, render_report, windows_since

    settings = cli_settings()
    try:
        start = utcnow() - parse_since(since)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    with _session() as session:
        windows = windows_since(session, start, model)
        page = render_report(windows, settings.mlops.monitor, since=start)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    alarms = sum(1 for w in windows if w.drift)
    typer.echo(f"{len(windows)} windows, {alarms} drift alarms; report written to {out}")


@app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="CSV with a title column (or one title a line)")],
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Score a stream of titles as one window against the serving model; exit 3 on drift."""
    from eligo.eligibility.runtime import load_model
    from eligo.mlops.monitoring import window_from_titles

    settings = cli_settings()
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0] if text else ""
    if "title" in [c.strip() for c in first.split(",")]:
        titles = [row["title"] for row in csv.DictReader(text.splitlines()) if row.get("title")]
    else:
        titles = [line.strip() for line in text.splitlines() if line.strip()]
    model = load_model(settings)
    if model is None:
        typer.echo("error: no eligibility model; build one with `make models`", err=True)
        raise typer.Exit(1)
    window = window_from_titles(model, titles, settings.mlops.monitor, "eligo-eligibility")
    if json_output:
        typer.echo(json.dumps({**window.stats.to_dict(), "reasons": window.reasons}, indent=2))
    else:
        for key, value in window.stats.to_dict().items():
            typer.echo(f"{key:>18}: {value}")
        minimum = settings.mlops.monitor.min_window
        if window.stats.n < minimum:
            typer.echo(f"too few titles for a verdict ({window.stats.n} < {minimum})")
        else:
            typer.echo("DRIFT: " + "; ".join(window.reasons) if window.reasons else "no drift")
    if window.reasons:
        raise typer.Exit(3)
