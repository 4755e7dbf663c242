"""``eligo models ...``: list, show, promote (through the gate), roll back, set the challenger."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from eligo.cli.common import cli_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from eligo.eligibility.training import TrainingConfig, TrainingReport
    from eligo.mlops.registry import Registry

app = typer.Typer(
    help="Registered models: versions, aliases (champion, challenger), gates.",
    no_args_is_help=True,
)

NameArg = Annotated[str, typer.Argument(help="Registered model name, e.g. eligo-eligibility")]


def _actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"[:64]


def _registry() -> Registry:
    from eligo.mlops.registry import open_registry

    return open_registry(cli_settings())


@contextmanager
def _session() -> Iterator[Session]:
    """A session on the configured database, migrated outside prod (audit needs its tables)."""
    from eligo.db import migrate
    from eligo.db.session import Database

    settings = cli_settings()
    database = Database.from_url(settings.database_url)
    try:
        if settings.env != "prod" and not migrate.is_current(database.engine):
            migrate.upgrade(database.engine)
        with database.sessionmaker() as session:
            yield session
    finally:
        database.dispose()


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@app.command("list")
def list_models(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Registered models with their aliases and latest version."""
    registry = _registry()
    summaries = [registry.summary(name) for name in registry.names()]
    if json_output:
        typer.echo(
            json.dumps(
                [
                    {"name": s.name, "aliases": s.aliases, "latest_version": s.latest_version}
                    for s in summaries
                ],
                indent=2,
            )
        )
        return
    if not summaries:
        typer.echo("No registered models: run `eligo train eligibility` first")
    for s in summaries:
        aliases = ", ".join(f"{a}=v{v}" for a, v in sorted(s.aliases.items())) or "no aliases"
        typer.echo(f"{s.name}: {len(s.versions)} versions, latest v{s.latest_version}, {aliases}")


@app.command("show")
def show(
    name: NameArg,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Every version of a model: aliases, run, data fingerprint, code version, key metrics."""
    from eligo.mlops.exceptions import ModelNotRegistered

    try:
        summary = _registry().summary(name)
    except ModelNotRegistered as exc:
        raise _fail(exc.message) from exc
    if json_output:
        typer.echo(
            json.dumps(
                {
                    "name": summary.name,
                    "aliases": summary.aliases,
                    "versions": [
                        {
                            "version": v.version,
                            "run_id": v.run_id,
                            "created_at": v.created_at.isoformat(),
                            "aliases": v.aliases,
                            "tags": v.tags,
                            "metrics": v.metrics,
                        }
                        for v in summary.versions
                    ],
                },
                indent=2,
            )
        )
        return
    typer.echo(f"{summary.name}")
    for v in summary.versions:
        aliases = f" [{', '.join(v.aliases)}]" if v.aliases else ""
        metrics = ", ".join(f"{k} {val:.4f}" for k, val in v.metrics.items())
        typer.echo(
            f"  v{v.version}{aliases} {v.created_at:%Y-%m-%d %H:%M} run {v.run_id} "
            f"git {v.tags.get('git_sha', '?')[:10]} "
            f"reviews {v.tags.get('review_dataset', '-')}: {metrics}"
        )


def _forcing_actor(admin_key: str | None) -> str:
    """A forced promotion must come with a platform admin key; its key id becomes the actor."""
    from eligo.security import service
    from eligo.security.exceptions import InvalidApiKey

    if not admin_key:
        raise _fail("--force needs --admin-key (or ELIGO_ADMIN_KEY): a platform admin key", 3)
    with _session() as session:
        try:
            principal = service.authenticate(session, secret=admin_key)
        except InvalidApiKey as exc:
            raise _fail("the admin key is not valid", 3) from exc
    if not principal.is_platform_admin:
        raise _fail("--force needs a platform admin key", 3)
    return principal.actor


@app.command("promote")
def promote(
    name: NameArg,
    version: Annotated[int, typer.Argument(help="Version to make champion")],
    force: Annotated[
        bool, typer.Option(help="Promote despite a failed gate (admin key and reason needed)")
    ] = False,
    reason: Annotated[str | None, typer.Option(help="Why (required with --force)")] = None,
    admin_key: Annotated[
        str | None, typer.Option(help="Platform admin key for --force [env: ELIGO_ADMIN_KEY]")
    ] = None,
) -> None:
    """Make VERSION the champion if it passes the gate on the gold set; exit 2 when refused."""
    from eligo.mlops import registry as registry_module
    from eligo.mlops.exceptions import ForceNotAllowed, GateRefused, ModelNotRegistered

    actor = _actor()
    if force:
        if not (reason and reason.strip()):
            raise _fail("--force needs --reason", 3)
        actor = _forcing_actor(admin_key or os.environ.get("ELIGO_ADMIN_KEY"))
    registry = _registry()
    try:
        with _session() as session:
            move = registry_module.promote(
                session,
                registry,
                name=name,
                version=version,
                actor=actor,
                force=force,
                reason=reason,
            )
    except GateRefused as exc:
        from eligo.mlops.gates import GateCheck, GateResult

        details = exc.details
        gate = GateResult(
            passed=False,
            candidate_version=details["candidate_version"],
            champion_version=details["champion_version"],
            checks=[GateCheck(**c) for c in details["checks"]],
            gold_rows=details["gold_rows"],
        )
        typer.echo(gate.text())
        raise _fail(
            f"{exc.message}. Use --force --reason ... --admin-key ... to override.", 2
        ) from exc
    except (ModelNotRegistered, ForceNotAllowed) as exc:
        raise _fail(exc.message) from exc
    assert move.gate is not None
    typer.echo(move.gate.text())
    forced = " (FORCED)" if move.action == "force_promoted" else ""
    was = f"v{move.previous_version}" if move.previous_version else "no champion before"
    typer.echo(f"{name} v{version} is now champion{forced} (was {was})")


@app.command("rollback")
def rollback(
    name: NameArg,
    to: Annotated[int | None, typer.Option(help="Version to restore [default: previous]")] = None,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit chain)")] = None,
) -> None:
    """Point champion back at the previous champion (or --to VERSION); serving follows."""
    from eligo.mlops import registry as registry_module
    from eligo.mlops.exceptions import ModelNotRegistered, NothingToRollBack

    registry = _registry()
    try:
        with _session() as session:
            move = registry_module.rollback(
                session, registry, name=name, actor=_actor(), to_version=to, reason=reason
            )
    except (NothingToRollBack, ModelNotRegistered) as exc:
        raise _fail(exc.message) from exc
    typer.echo(f"{name}: champion v{move.previous_version} -> v{move.version}")


@app.command("challenger")
def challenger(
    name: NameArg,
    version: Annotated[int | None, typer.Argument(help="Version for canary/shadow")] = None,
    clear: Annotated[bool, typer.Option(help="Remove the challenger alias")] = False,
) -> None:
    """Set the challenger alias (served to the canary share or in shadow), or --clear it."""
    from eligo.mlops import registry as registry_module
    from eligo.mlops.exceptions import ModelNotRegistered

    if (version is None) == (not clear):
        raise _fail("give a VERSION or --clear")
    registry = _registry()
    try:
        with _session() as session:
            move = registry_module.set_challenger(
                session, registry, name=name, version=None if clear else version, actor=_actor()
            )
    except ModelNotRegistered as exc:
        raise _fail(exc.message) from exc
    before = f"v{move.previous_version}" if move.previous_version else "none"
    after = f"v{move.version}" if move.version else "none"
    typer.echo(f"{name}: challenger {before} -> {after}")


def train_with_tracking(
    config: TrainingConfig,
    model_dir: Path,
    *,
    progress: bool,
    shared_data: Path | None,
    track: bool,
    with_reviews: bool,
    review_dataset: int | None,
) -> TrainingReport:
    """`eligo train eligibility` with contracts, MLflow and (optionally) reviewed labels."""
    from eligo.mlops import retrain
    from eligo.mlops.exceptions import ContractViolation, ModelNotRegistered
    from eligo.mlops.tracking import train_tracked

    settings = cli_settings()
    extra: list[Any] = []
    dataset_name = None
    if with_reviews:
        with _session() as session:
            try:
                dataset = (
                    retrain.get_dataset(session, review_dataset)
                    if review_dataset is not None
                    else retrain.snapshot_reviews(session, settings, actor=_actor())
                )
            except ModelNotRegistered as exc:
                raise _fail(exc.message) from exc
            extra = retrain.load_review_rows(dataset)
            dataset_name = f"reviews-v{dataset.version}"
            typer.echo(
                f"Review dataset v{dataset.version}: {dataset.rows} labels "
                f"(sha256 {dataset.sha256[:12]})"
            )
    try:
        tracked = train_tracked(
            config,
            model_dir,
            settings=settings,
            progress=progress,
            shared_data=shared_data,
            extra_rows=extra,
            review_dataset=dataset_name,
            track=track,
        )
    except ContractViolation as exc:
        from eligo.mlops.contracts import CheckResult, ContractReport

        report = ContractReport(
            checks=[
                CheckResult(c["name"], c["ok"], c["message"], tuple(c["examples"]))
                for c in exc.details["checks"]
            ],
            rows=exc.details["rows"],
        )
        typer.echo(report.markdown(), err=True)
        raise _fail(exc.message) from exc
    if "tracking_error" in tracked.extra:
        typer.echo(
            f"warning: not logged to MLflow ({tracked.extra['tracking_error']}); "
            f"the model in {model_dir} is usable",
            err=True,
        )
    if tracked.run_id:
        typer.echo(
            f"MLflow run {tracked.run_id}; registered "
            f"{settings.mlops.eligibility_model} v{tracked.registered_version}"
            + (f"; trained with {dataset_name}" if dataset_name else "")
        )
    return tracked.report
