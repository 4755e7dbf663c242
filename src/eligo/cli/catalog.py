"""``eligo catalog``: list versions, diffs, rollbacks and merchant catalog imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="The eligible-product list and merchant catalogs.", no_args_is_help=True)

CLI_ACTOR = "cli"


@app.command("versions")
def versions() -> None:
    """Every list version: state, product count, changes, source; the active one is marked."""
    from eligo.catalog import service
    from eligo.cli.common import cli_session

    with cli_session() as session:
        active = service.active_version(session)
        for v in service.list_versions(session):
            mark = "*" if v.id == active else " "
            summary = v.summary or {}
            changes = " ".join(
                f"{k} {summary[k]:,}"
                for k in ("added", "removed", "status_changed", "renamed", "updated")
                if k in summary
            )
            typer.echo(
                f"{mark} v{v.id:<5} {v.state:<10} {v.product_count:>9,} products  "
                f"{v.created_at:%Y-%m-%d %H:%M:%S}  {changes}  {v.source}"
            )


@app.command("diff")
def diff(
    old: int,
    new: int,
    limit: Annotated[int, typer.Option(min=0, help="Changes to print (0: counts only)")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Every change as JSON lines")] = False,
) -> None:
    """Product-level changes from list version OLD to NEW (added, removed, status, name)."""
    from eligo.catalog.versions import CHANGE_KINDS, diff_versions, version_exists
    from eligo.cli.common import cli_session

    with cli_session() as session:
        for number in (old, new):
            if version_exists(session, number) is None:
                typer.echo(f"no list version {number}", err=True)
                raise typer.Exit(1)
        counts = dict.fromkeys(CHANGE_KINDS, 0)
        for change in diff_versions(session, old, new):
            counts[change.kind] += 1
            if as_json:
                typer.echo(json.dumps(change.as_dict()))
            elif sum(counts.values()) <= limit:
                before = change.before_status or "-"
                after = change.after_status or "-"
                name = change.after_name or change.before_name
                typer.echo(f"{change.kind:<15} {change.gtin}  {before} -> {after}  {name}")
    if not as_json:
        typer.echo("total: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


@app.command("rollback")
def rollback(
    version: int,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Publish version V's content as a new version (history only grows; audited)."""
    from eligo.catalog.sync import rollback as do_rollback
    from eligo.cli.common import cli_settings
    from eligo.db.session import Database
    from eligo.errors import EligoError

    if not yes:
        typer.confirm(f"Publish list version {version}'s content as the new version?", abort=True)
    settings = cli_settings()
    database = Database.from_url(settings.database_url)
    try:
        outcome = do_rollback(
            database.sessionmaker, settings.catalog, version=version, actor=CLI_ACTOR
        )
    except EligoError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    finally:
        database.dispose()
    typer.echo(
        f"version {outcome.list_version} published with the content of version {version}: "
        + ", ".join(f"{k} {v:,}" for k, v in outcome.counts.items())
    )


@app.command("import")
def import_items(
    file: Annotated[Path, typer.Argument(help=".csv (sku,gtin,title), .jsonl or .json")],
    tenant: Annotated[str, typer.Option(help="Tenant name")],
    errors: Annotated[int, typer.Option(min=0, help="Row errors to print")] = 20,
) -> None:
    """Import (upsert by SKU) a merchant's product list from a file; report counts and errors."""
    from eligo.catalog import merchant
    from eligo.cli.common import cli_session
    from eligo.errors import EligoError
    from eligo.security import audit
    from eligo.security import service as security_service

    with cli_session() as session:
        found = security_service.get_tenant_by_name(session, name=tenant)
        if found is None:
            typer.echo(f"no tenant named {tenant!r}", err=True)
            raise typer.Exit(1)
        try:
            report = merchant.import_file(session, tenant_id=found.id, path=str(file))
        except (EligoError, OSError) as exc:
            typer.echo(f"import stopped: {getattr(exc, 'message', exc)}", err=True)
            raise typer.Exit(1) from exc
        audit.record(
            session,
            action="catalog.items_imported",
            actor=CLI_ACTOR,
            tenant_id=found.id,
            object_type="merchant_catalog",
            object_id=found.id,
            detail=report.counts(),
        )
        session.commit()
    typer.echo(", ".join(f"{k} {v:,}" for k, v in report.counts().items()))
    for error in report.errors[:errors]:
        typer.echo(f"line {error.line_no}: {error.code}: {error.reason} (sku {error.sku})")
