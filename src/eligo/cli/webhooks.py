"""eligo webhooks ...: list endpoints, run the delivery worker, replay dead deliveries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from eligo.cli.common import cli_session, cli_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(
    help="Webhook endpoints, delivery worker and dead-letter replay.", no_args_is_help=True
)

CLI_ACTOR = "cli"


def _tenant_id(session: Session, name: str | None) -> str | None:
    from eligo.security import service as security_service

    if name is None:
        return None
    tenant = security_service.get_tenant_by_name(session, name=name)
    if tenant is None:
        typer.echo(f"no tenant named {name!r}", err=True)
        raise typer.Exit(2)
    return tenant.id


@app.command("list")
def list_endpoints(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant (by name)")] = None,
) -> None:
    """List active endpoints with their delivery counts by state."""
    from sqlalchemy import func, select

    from eligo.notify import service
    from eligo.notify.models import WebhookDelivery

    with cli_session() as session:
        endpoints = service.list_endpoints(session, tenant_id=_tenant_id(session, tenant))
        counts: dict[tuple[str, str], int] = {
            (endpoint_id, state): count
            for endpoint_id, state, count in session.execute(
                select(WebhookDelivery.endpoint_id, WebhookDelivery.state, func.count()).group_by(
                    WebhookDelivery.endpoint_id, WebhookDelivery.state
                )
            ).all()
        }
    if not endpoints:
        typer.echo("no webhook endpoints")
        return
    for endpoint in endpoints:
        states = ", ".join(
            f"{state} {counts.get((endpoint.id, state), 0)}"
            for state in ("pending", "delivering", "succeeded", "dead")
        )
        typer.echo(
            f"{endpoint.id}  tenant {endpoint.tenant_id}  {','.join(endpoint.events)}  "
            f"{endpoint.url}  [{states}]"
        )


@app.command()
def deliver(
    once: Annotated[
        bool, typer.Option("--once", help="Send what is due now, then exit (cron mode)")
    ] = False,
) -> None:
    """Run the delivery worker: forever (until SIGTERM/Ctrl-C), or once with --once."""
    import signal
    import threading

    from eligo.db.session import Database
    from eligo.notify.worker import DeliveryWorker

    settings = cli_settings()
    database = Database.from_url(settings.database_url)
    try:
        with DeliveryWorker(database, settings) as worker:
            if once:
                outcomes = worker.drain()
                by_state: dict[str, int] = {}
                for outcome in outcomes:
                    by_state[outcome.state] = by_state.get(outcome.state, 0) + 1
                summary = ", ".join(f"{k} {v}" for k, v in sorted(by_state.items())) or "none due"
                typer.echo(f"webhook deliveries: {summary}")
                return
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                worker.run_forever(stop)
            except KeyboardInterrupt:
                stop.set()
    finally:
        database.dispose()


@app.command()
def replay(
    delivery_id: Annotated[
        str | None, typer.Option("--id", help="Replay this one dead delivery")
    ] = None,
    dead: Annotated[bool, typer.Option("--dead", help="Replay every dead delivery")] = False,
    tenant: Annotated[str | None, typer.Option(help="With --dead: only this tenant")] = None,
    endpoint: Annotated[str | None, typer.Option(help="With --dead: only this endpoint id")] = None,
) -> None:
    """Queue dead deliveries again (same event id and idempotency key); each replay is audited."""
    from eligo.notify import service

    if (delivery_id is None) == (not dead):
        typer.echo("give exactly one of --id DELIVERY_ID or --dead", err=True)
        raise typer.Exit(2)
    with cli_session() as session:
        count = service.replay_dead(
            session,
            actor=CLI_ACTOR,
            tenant_id=_tenant_id(session, tenant),
            endpoint_id=endpoint,
            delivery_id=delivery_id,
        )
    if delivery_id is not None and count == 0:
        typer.echo(f"no dead delivery {delivery_id} on a live endpoint", err=True)
        raise typer.Exit(1)
    typer.echo(f"replayed {count} dead deliver{'y' if count == 1 else 'ies'}")


@app.command()
def prune(
    older_than_days: Annotated[
        float, typer.Option(min=0, help="Delete finished deliveries older than this")
    ] = 30,
) -> None:
    """Delete succeeded and dead deliveries (and their events) older than N days; audited."""
    from datetime import timedelta

    from eligo.db.types import utcnow
    from eligo.notify import service

    with cli_session() as session:
        counts = service.prune(
            session, before=utcnow() - timedelta(days=older_than_days), actor=CLI_ACTOR
        )
    typer.echo(f"pruned {counts['deliveries']} deliveries and {counts['events']} events")
