"""What every CLI command needs: settings, logging and a database, built on demand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from eligo.logging import configure_logging
from eligo.settings import Settings, get_settings

if TYPE_CHECKING:  # SQLAlchemy loads inside the commands that use it (``eligo --help`` stays fast)
    from sqlalchemy.orm import Session


def cli_settings() -> Settings:
    settings = get_settings()
    # Human-readable logs on a terminal; JSON for the server.
    configure_logging(settings.log.level, json_format=False)
    return settings


@contextmanager
def cli_session() -> Iterator[Session]:
    from eligo.db.session import Database

    settings = cli_settings()
    database = Database.from_url(settings.database_url)
    try:
        with database.sessionmaker() as session:
            yield session
    finally:
        database.dispose()
