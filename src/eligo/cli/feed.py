"""``eligo feed``: run the reference feed server, check a feed, export a feed file."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from eligo.catalog.reference_feed import ReferenceFeed

app = typer.Typer(help="Product feeds: reference server, checks, exports.", no_args_is_help=True)


def _logging() -> None:
    from eligo.logging import configure_logging
    from eligo.settings import get_settings

    configure_logging(get_settings().log.level, json_format=False)


def _build(products: int, seed: int, version: int, mutate_percent: float) -> ReferenceFeed:
    from eligo.catalog.reference_feed import ReferenceFeed

    started = time.perf_counter()
    try:
        feed = ReferenceFeed(products, seed=seed)
    except (OSError, ValueError) as exc:
        typer.echo(f"cannot build the reference feed: {exc}", err=True)
        raise typer.Exit(1) from exc
    for _ in range(version - 1):
        feed.publish(mutate_percent)
    typer.echo(
        f"built {products:,} products, version {feed.current.number}, "
        f"in {time.perf_counter() - started:.2f}s (data: {feed.data_dir})"
    )
    return feed


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="TCP port (0 picks a free one)")] = 8100,
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    products: Annotated[int, typer.Option(min=1, help="Records in version 1")] = 200_000,
    version: Annotated[int, typer.Option(min=1, help="Start at this version number")] = 1,
    mutate_percent: Annotated[
        float, typer.Option(min=0, max=100, help="Percent of records changed per version")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed: same seed, same feed")] = 0,
    publish_every: Annotated[
        float, typer.Option(min=0, help="Publish a new version every N seconds (0: never)")
    ] = 0.0,
    admin: Annotated[bool, typer.Option(help="Enable /admin endpoints (publish, faults)")] = True,
) -> None:
    """Serve a realistic, versioned product feed built from the shared data (see docs/feed.md)."""
    from eligo.catalog.reference_feed import ReferenceFeedServer

    _logging()
    feed = _build(products, seed, version, mutate_percent)
    server = ReferenceFeedServer(feed, host, port, admin=admin)
    stop = threading.Event()

    def publisher() -> None:
        while not stop.wait(publish_every):
            v = server.publish(mutate_percent)
            typer.echo(f"published version {v.number} ({len(v.changes)} changes)")

    if publish_every > 0:
        threading.Thread(target=publisher, name="feed-publisher", daemon=True).start()
    typer.echo(f"serving on {server.url}  (paged: {server.url}/feed.jsonl, "
               f"files: /feed.csv /feed.csv.gz, index: /)")  # fmt: skip
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopping")
    finally:
        stop.set()
        server.stop()


@app.command()
def check(
    location: Annotated[str, typer.Argument(help="Feed URL (http/https) or file path")],
    etag: Annotated[str | None, typer.Option(help="Send If-None-Match with this ETag")] = None,
    max_bad_share: Annotated[
        float, typer.Option(min=0, max=1, help="Exit 2 if the bad-row share exceeds this")
    ] = 0.05,
    show: Annotated[int, typer.Option(min=0, help="Quarantined rows to print")] = 10,
) -> None:
    """Download and validate a feed without touching the database; report bad rows."""
    from eligo.catalog.feed import FeedError, FeedStats, QuarantinedRow
    from eligo.catalog.sources import open_source

    _logging()
    stats = FeedStats()
    reasons: Counter[str] = Counter()
    shown = 0
    started = time.perf_counter()
    try:
        with open_source(location).fetch(etag=etag) as fetch:
            if fetch.not_modified:
                typer.echo(f"not modified (etag {fetch.meta.etag})")
                return
            for item in fetch.records(stats):
                if isinstance(item, QuarantinedRow):
                    reasons[item.code] += 1
                    if shown < show:
                        shown += 1
                        typer.echo(f"  line {item.line_no}: {item.reason}  | {item.raw[:80]}")
    except FeedError as exc:
        typer.echo(f"feed error: {exc}", err=True)
        raise typer.Exit(1) from exc
    elapsed = time.perf_counter() - started
    meta = fetch.meta
    typer.echo(
        f"{stats.records:,} valid, {stats.quarantined:,} quarantined "
        f"({stats.bad_share:.2%}) in {elapsed:.2f}s; {fetch.pages} page(s), "
        f"{fetch.retries} retries, {fetch.bytes_read:,} bytes"
    )
    typer.echo(f"version={meta.version} etag={meta.etag} last_modified={meta.last_modified}")
    for code, n in reasons.most_common():
        typer.echo(f"  {code}: {n:,}")
    if stats.bad_share > max_bad_share:
        typer.echo(f"bad-row share above {max_bad_share:.0%}: a sync would abort", err=True)
        raise typer.Exit(2)


@app.command()
def export(
    out: Annotated[Path, typer.Argument(help="Output file: .csv, .jsonl, optionally .gz")],
    products: Annotated[int, typer.Option(min=1)] = 200_000,
    version: Annotated[int, typer.Option(min=1)] = 1,
    mutate_percent: Annotated[float, typer.Option(min=0, max=100)] = 1.0,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Write one version of the reference feed to a file (for file-based syncs and demos)."""
    from eligo.catalog.feed import write_feed

    _logging()
    feed = _build(products, seed, version, mutate_percent)
    try:
        count = write_feed(feed.current.records, out)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="OUT") from exc
    typer.echo(f"wrote {count:,} records to {out}")
