"""In-service sync scheduler: runs the catalog sync every ``catalog.sync_interval_seconds``.

Every API process may run one; the sync's database lease (``catalog.lease``) makes sure only
one run happens at a time across all of them, the others skip that tick. By default each run is
a child process (``eligo sync run --trigger scheduler``, niced): the API's interpreter and memory
stay free for requests, and a crash of the run cannot take the API down. ``scheduler_mode =
"thread"`` runs it in a thread of this process instead (tests, single-process setups).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable

from eligo.catalog.sync import SyncOutcome, run_sync
from eligo.db.session import Database
from eligo.settings import Settings

__all__ = ["SyncScheduler", "build_scheduler", "subprocess_runner", "thread_runner"]

logger = logging.getLogger(__name__)

Runner = Callable[[threading.Event], str]


class SyncScheduler:
    """Calls ``runner`` every ``interval`` seconds in a daemon thread until stopped."""

    def __init__(
        self, *, interval: float, runner: Runner, first_delay: float | None = None
    ) -> None:
        self.interval = interval
        self.runner = runner
        self.first_delay = interval if first_delay is None else first_delay
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.outcomes: list[str] = []

    def start(self) -> SyncScheduler:
        self._thread = threading.Thread(target=self._loop, name="catalog-sync", daemon=True)
        self._thread.start()
        logger.info("catalog sync scheduler started: every %.0fs", self.interval)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        delay = self.first_delay
        while not self._stop.wait(delay):
            delay = self.interval
            try:
                outcome = self.runner(self._stop)
            except Exception:  # the scheduler must outlive a broken run; logged with traceback
                logger.exception("scheduled catalog sync crashed")
                outcome = "crashed"
            self.outcomes.append(outcome)
            logger.info("scheduled catalog sync: %s", outcome)


def thread_runner(database: Database, settings: Settings) -> Runner:
    def run(_stop: threading.Event) -> str:
        outcome: SyncOutcome = run_sync(
            database.sessionmaker, settings.catalog, trigger="scheduler", actor="system:scheduler"
        )
        return outcome.status

    return run


def child_env(settings: Settings) -> dict[str, str]:
    """The environment for a sync child: this app's database and catalog settings."""
    env = dict(os.environ)
    env["ELIGO_DATABASE_URL"] = settings.database_url
    for name, value in settings.catalog.model_dump().items():
        key = f"ELIGO_CATALOG__{name.upper()}"
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


def subprocess_runner(settings: Settings) -> Runner:
    command = [sys.executable, "-m", "eligo.cli.main", "sync", "run", "--trigger", "scheduler"]

    def run(stop: threading.Event) -> str:
        child = subprocess.Popen(command, env=child_env(settings))  # noqa: S603 - fixed argv
        while True:
            try:
                code = child.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                if stop.is_set():
                    # Shutting down: the run stops; its building version is cleaned next time.
                    child.terminate()
                    child.wait(timeout=30)
                    return "stopped"
                continue
            return {0: "succeeded", 2: "aborted", 3: "busy"}.get(code, f"failed (exit {code})")

    return run


def build_scheduler(settings: Settings, database: Database) -> SyncScheduler | None:
    """The scheduler the settings ask for, or None (interval 0 or no feed URL)."""
    catalog = settings.catalog
    if catalog.sync_interval_seconds <= 0:
        return None
    if not catalog.feed_url:
        logger.warning("catalog.sync_interval_seconds is set but catalog.feed_url is not")
        return None
    runner = (
        thread_runner(database, settings)
        if catalog.scheduler_mode == "thread"
        else subprocess_runner(settings)
    )
    return SyncScheduler(interval=catalog.sync_interval_seconds, runner=runner)
