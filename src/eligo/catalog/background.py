"""CPU placement of a sync process, so that the request path does not feel it (Linux).

Measured on the shared 2-core host (``bench/sync.py``, docs/sync.md): a busy process at
nice 10 that may run on either core raised the lookup p99 2-2.5x, because the request path's
threads keep waking up on the core it occupies. Kept to one core, the same process raised it
~1.1x. A process that keeps stopping and starting (a sync waits on the feed and the database)
still hurt at nice 10 when kept to one core; under ``SCHED_IDLE`` it did not, since the
scheduler counts a core that runs only idle-class work as free and places waking request
threads there.

So a sync process (``eligo sync run``, also the in-service scheduler's child):

1. keeps to one CPU, the last one it may use, when it may use more than one;
2. runs under ``SCHED_IDLE`` when it can leave that class again: ``SCHED_IDLE`` alone starves
   on a loaded host (a full sync took 57 s instead of 10 at load 6), so a guard thread watches
   how long the sync waits for a CPU and, when it waits most of the time (60% of 2 s), moves
   it back to normal scheduling at its nice value and lets it use every CPU again.

Leaving ``SCHED_IDLE`` needs CAP_SYS_NICE or an RLIMIT_NICE that allows the nice value;
without either the sync stays in the normal class (no guard could rescue it).
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["BackgroundCpu", "StarvationGuard", "run_in_background"]


def _can_leave_idle_class(nice: int) -> bool:
    """Whether this process may switch from SCHED_IDLE back to SCHED_OTHER at ``nice``
    (the kernel's ``can_nice`` check: RLIMIT_NICE ceiling, or CAP_SYS_NICE)."""
    if os.geteuid() == 0:
        return True
    soft, _hard = resource.getrlimit(resource.RLIMIT_NICE)
    return soft == resource.RLIM_INFINITY or 20 - nice <= soft


def _wait_ns(tid: int) -> int:
    """Nanoseconds thread ``tid`` has spent runnable but waiting for a CPU (schedstat)."""
    fields = Path(f"/proc/self/task/{tid}/schedstat").read_text().split()
    return int(fields[1])


class StarvationGuard(threading.Thread):
    """Moves thread ``tid`` out of SCHED_IDLE once it has waited for a CPU more than
    ``max_wait_share`` of the last ``window_seconds``; looks every ``check_seconds``.

    Start it before the thread is moved into SCHED_IDLE and onto one CPU: a new thread
    inherits both, and the guard must get a CPU when the sync does not."""

    def __init__(
        self,
        *,
        tid: int,
        nice: int,
        cpus: set[int],
        window_seconds: float = 2.0,
        check_seconds: float = 0.5,
        max_wait_share: float = 0.6,
    ) -> None:
        super().__init__(name="sync-starvation-guard", daemon=True)
        self.tid = tid
        self.nice = nice
        self.cpus = cpus
        self.window_seconds = window_seconds
        self.check_seconds = check_seconds
        self.max_wait_share = max_wait_share
        self.promoted = False
        self._stop_event = threading.Event()
        self.started_at = time.monotonic()
        self.started_wait_ns = _wait_ns(tid)

    def run(self) -> None:
        samples = [self.started_wait_ns]
        keep = round(self.window_seconds / self.check_seconds)
        while not self._stop_event.wait(self.check_seconds):
            try:
                samples.append(_wait_ns(self.tid))
            except OSError:  # the thread has exited
                return
            samples = samples[-keep - 1 :]
            if len(samples) <= keep:
                continue
            waited = (samples[-1] - samples[0]) / 1e9
            if waited > self.max_wait_share * self.window_seconds:
                self.promote(waited)
                return

    def promote(self, waited: float) -> None:
        try:
            os.sched_setscheduler(self.tid, os.SCHED_OTHER, os.sched_param(0))
            os.setpriority(os.PRIO_PROCESS, self.tid, self.nice)
            os.sched_setaffinity(self.tid, self.cpus)
        except OSError as exc:  # e.g. a seccomp profile that refuses it: the sync goes on, slowly
            logger.warning("sync starves under SCHED_IDLE and cannot leave it: %s", exc)
            return
        self.promoted = True
        logger.info(
            "sync waited %.1fs of %.1fs for a CPU under SCHED_IDLE: back to normal "
            "scheduling at nice %d on CPUs %s",
            waited,
            self.window_seconds,
            self.nice,
            sorted(self.cpus),
        )

    def stop(self) -> None:
        self._stop_event.set()
        try:
            waited = (_wait_ns(self.tid) - self.started_wait_ns) / 1e9
        except OSError:
            return
        logger.info(
            "sync waited %.1fs for a CPU in %.1fs%s",
            waited,
            time.monotonic() - self.started_at,
            " (moved back to normal scheduling)" if self.promoted else "",
        )


@dataclass
class BackgroundCpu:
    """What :func:`run_in_background` did (reported with the sync's log)."""

    nice: int
    pinned_cpu: int | None = None
    idle_class: bool = False
    guard: StarvationGuard | None = None

    def stop(self) -> None:
        if self.guard is not None:
            self.guard.stop()


def run_in_background(*, nice: int, pin_cpu: bool, idle_class: bool) -> BackgroundCpu:
    """Lower the calling process's CPU priority for a sync; call it before other threads
    start (affinity and scheduling class are per thread and inherited by new threads)."""
    if nice > 0:
        os.nice(nice)
    placed = BackgroundCpu(nice=max(nice, 0))
    if not sys.platform.startswith("linux"):
        return placed
    cpus = os.sched_getaffinity(0)
    if idle_class and _can_leave_idle_class(placed.nice):
        placed.guard = StarvationGuard(tid=threading.get_native_id(), nice=placed.nice, cpus=cpus)
        placed.guard.start()
    if pin_cpu and len(cpus) > 1:
        placed.pinned_cpu = max(cpus)
        os.sched_setaffinity(0, {placed.pinned_cpu})
    if placed.guard is not None:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        placed.idle_class = True
    logger.info(
        "sync CPU placement: nice %d, CPU %s, SCHED_IDLE %s",
        placed.nice,
        "any" if placed.pinned_cpu is None else placed.pinned_cpu,
        placed.idle_class,
    )
    return placed
