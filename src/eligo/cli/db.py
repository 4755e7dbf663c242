"""eligo db ..."""

from __future__ import annotations

import typer

from eligo.cli.common import cli_settings

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Apply all pending migrations."""
    from eligo.db import migrate
    from eligo.db.session import Database

    database = Database.from_url(cli_settings().database_url)
    try:
        migrate.upgrade(database.engine)
        typer.echo(f"database at revision {migrate.current_revision(database.engine)}")
    finally:
        database.dispose()
