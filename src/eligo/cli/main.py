"""The ``eligo`` command. Heavy imports stay inside commands so ``eligo --help`` is instant."""

from __future__ import annotations

from typing import Annotated

import typer

from eligo.cli import admin as admin_cli
from eligo.cli import card_admin as card_admin_cli
from eligo.cli import cards as cards_cli
from eligo.cli import catalog as catalog_cli
from eligo.cli import db as db_cli
from eligo.cli import eligibility as eligibility_cli
from eligo.cli import feed as feed_cli
from eligo.cli import models as models_cli
from eligo.cli import monitor as monitor_cli
from eligo.cli import sync as sync_cli
from eligo.cli import train as train_cli
from eligo.cli import webhooks as webhooks_cli

app = typer.Typer(
    name="eligo",
    help="eligo: FSA/HSA eligibility, insurance-card scanning, MLOps and compliance.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db_cli.app, name="db")
app.add_typer(admin_cli.admin_app, name="admin")
app.add_typer(admin_cli.audit_app, name="audit")
app.add_typer(admin_cli.tenants_app, name="tenants")
app.add_typer(admin_cli.keys_app, name="keys")
app.add_typer(admin_cli.demo_app, name="demo")
app.add_typer(train_cli.app, name="train")
app.add_typer(feed_cli.app, name="feed")
app.add_typer(models_cli.app, name="models")
app.add_typer(monitor_cli.app, name="monitor")
app.add_typer(webhooks_cli.app, name="webhooks")
app.add_typer(cards_cli.app, name="cards")
app.add_typer(card_admin_cli.app, name="card-admin")
app.add_typer(catalog_cli.app, name="catalog")
app.add_typer(sync_cli.app, name="sync")
app.command("check")(eligibility_cli.check)
app.command("classify")(eligibility_cli.classify)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Serve the HTTP API (and docs at /docs)."""
    import uvicorn

    from eligo.logging import configure_logging
    from eligo.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log.level, json_format=settings.log.json_format)
    uvicorn.run(
        "eligo.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        server_header=False,
    )


if __name__ == "__main__":  # pragma: no cover
    app()
