"""Catalog sync at scale: full and incremental sync of N products, lookups idle and during syncs.

Three separate processes, as in production: the reference feed (``eligo feed serve``), the API
(``eligo serve``, one worker) and each sync (``eligo sync run``). The bench:

1. seeds the list with the first 5,000 feed records as a small version 1 (so lookups hit the
   list before, during and after the full sync),
2. measures ``POST /v1/eligibility/check`` (GTINs on the list) idle, at ``--rate`` checks per
   second with ``--rate`` (open loop), else back to back (the default, as in earlier reports),
3. runs a full sync of N products while one client keeps checking GTINs,
4. measures idle again on the full list,
5. publishes a version with 1% of records changed, syncs it incrementally under the same load
   and checks that the sync's diff is exactly the feed's ``/changes``, then measures idle again;
   each sync's lookup p99 is compared with the pooled idle windows just before and after it,
6. prints the figures and one ``BENCH {...}`` JSON line: per sync also the lookup p50 / p99 in
   each of its phases and the CPU seconds of the sync, the local PostgreSQL server and the API.

``--control-seconds N`` adds control windows before the full sync: lookups while a process that
only burns CPU (no database) runs at the sync's nice value, busy all and half of the time.

    .venv/bin/python bench/sync.py [--products 200000] [--database-url URL] [--keep]

SQLite in a temporary directory by default; ``--database-url`` for PostgreSQL (its tables are
used as they are: give it an empty database or schema).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "eligo.cli.main"]
SEED_RECORDS = 5000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args!r} exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not come up:\n{log.read_text()[-3000:]}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Checker(threading.Thread):
    """One client checking GTINs on the list; latencies in ms.

    At ``rate`` requests per second (open loop, like wrk2): each request has a scheduled start,
    and its latency counts from then, so a stall that delays the following requests is charged
    to them too (no coordinated omission). ``rate`` 0 sends back to back: the API and this
    client then keep both cores busy, and any other work on the machine shows up as latency.
    """

    rate = 0.0  # set from --rate in main()

    def __init__(self, api: str, key: str, gtins: list[str]) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(
            base_url=api, headers={"Authorization": f"Bearer {key}"}, timeout=30
        )
        self.gtins = gtins
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.started_at: list[float] = []  # perf_counter at each request's start
        self.errors = 0
        self.rng = random.Random(7)

    def run(self) -> None:
        interval = 1.0 / self.rate if self.rate > 0 else 0.0
        scheduled = time.perf_counter()
        while not self.stop.is_set():
            gtin = self.rng.choice(self.gtins)
            if interval:
                scheduled += interval
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                started = scheduled
            else:
                started = time.perf_counter()
            response = self.client.post("/v1/eligibility/check", json={"gtin": gtin})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or response.json().get("source") != "list":
                self.errors += 1
            self.latencies.append(elapsed)
            self.started_at.append(started)

    def finish(self) -> Checker:
        self.stop.set()
        self.join(30)
        self.client.close()
        return self


def summary(*windows: Checker) -> dict[str, float]:
    """p50 / p99 over the pooled samples of one or more measurement windows."""
    latencies = [x for w in windows for x in w.latencies]
    return {
        "n": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "errors": sum(w.errors for w in windows),
    }


def idle(api: str, key: str, gtins: list[str], seconds: float) -> Checker:
    checker = Checker(api, key, gtins)
    checker.start()
    time.sleep(seconds)
    return checker.finish()


def spin_window(
    api: str, key: str, gtins: list[str], seconds: float, nice: int, duty: float = 1.0
) -> Checker:
    """Lookups while a process that only burns CPU (no database, no I/O) runs at ``nice``,
    busy ``duty`` of the time (in 20 ms periods)."""
    spin = (
        "import time\n"
        f"end = time.monotonic() + {seconds}\n"
        "while (now := time.monotonic()) < end:\n"
        f"    busy_until = now + 0.02 * {duty}\n"
        "    while time.monotonic() < busy_until: pass\n"
        f"    time.sleep(0.02 * (1 - {duty}))\n"
    )
    checker = Checker(api, key, gtins)
    checker.start()
    subprocess.run(["nice", "-n", str(nice), sys.executable, "-c", spin], check=True)
    return checker.finish()


def warm(feed_url: str) -> float:
    """Have the reference server render the current version before a timed sync: a publisher
    serves a prepared file, the reference server renders it on the first request."""
    started = time.perf_counter()
    with httpx.stream("GET", feed_url, timeout=120) as response:
        for _ in response.iter_bytes():
            pass
    return time.perf_counter() - started


@dataclass
class SyncRun:
    """One ``eligo sync run`` child: outcome, wall seconds, peak RSS and CPU seconds."""

    outcome: dict[str, Any]
    started: float  # perf_counter when the child was started
    wall: float
    rss_mb: float
    cpu_s: float  # the sync process (user + system)
    cpu_others: dict[str, float]  # other processes over the same time (database server, API)


@dataclass(frozen=True)
class ProcessGroup:
    """Processes to account CPU time to: by name (a local database server) or by pid."""

    names: tuple[str, ...] = ()
    pid: int = 0

    def __call__(self, proc: psutil.Process) -> bool:
        return proc.pid == self.pid if self.pid else proc.info["name"] in self.names


def _sample_cpu(groups: dict[str, ProcessGroup], conn: Any) -> None:
    """Child process: CPU seconds per group until told to stop, sampled every second so
    processes that start and exit inside the window (a sync's database backend) are counted
    too (up to the last second of their life)."""
    os.nice(19)
    base: dict[str, dict[int, float]] = {name: {} for name in groups}
    last: dict[str, dict[int, float]] = {name: {} for name in groups}
    first = True
    while True:
        for proc in psutil.process_iter(["name"]):
            for name, group in groups.items():
                try:
                    if not group(proc):
                        continue
                    times = proc.cpu_times()
                except psutil.Error:
                    continue
                if first:
                    base[name][proc.pid] = times.user + times.system
                last[name][proc.pid] = times.user + times.system
        if first:
            conn.send("ready")
            first = False
        if conn.poll(1.0):
            break
    conn.send(
        {
            name: round(sum(used - base[name].get(pid, 0.0) for pid, used in seen.items()), 2)
            for name, seen in last.items()
        }
    )


class CpuSampler:
    """CPU seconds of groups of processes over a window, measured by a separate process: the
    sampling (~2.5 ms a pass over /proc) must not hold the lookup client's interpreter lock,
    or it would show up as lookup latency during syncs only."""

    def __init__(self, groups: dict[str, ProcessGroup]) -> None:
        import multiprocessing

        self.conn, child = multiprocessing.Pipe()
        self.proc = multiprocessing.get_context("spawn").Process(
            target=_sample_cpu, args=(groups, child), daemon=True
        )
        self.proc.start()
        self.conn.recv()  # first sample taken

    def finish(self) -> dict[str, float]:
        self.conn.send("stop")
        totals: dict[str, float] = self.conn.recv()
        self.proc.join(5)
        return totals


class BackendDemoter(threading.Thread):
    """Experiment: puts the sync's PostgreSQL backends (application_name ``eligo-sync``, set
    through PGAPPNAME) under SCHED_IDLE as soon as they appear (local server, root only)."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        import psycopg

        dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
        self.conn = psycopg.connect(dsn, autocommit=True)
        self.stop = threading.Event()
        self.demoted: set[int] = set()

    def run(self) -> None:
        while not self.stop.wait(0.05):
            rows = self.conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'eligo-sync'"
            ).fetchall()
            for (pid,) in rows:
                if pid not in self.demoted:
                    self.demoted.add(pid)
                    try:
                        os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
                    except OSError as exc:
                        print(f"cannot demote backend {pid}: {exc}")

    def finish(self) -> int:
        self.stop.set()
        self.join(5)
        self.conn.close()
        return len(self.demoted)


def run_sync(
    feed_url: str,
    env: dict[str, str],
    log: Path,
    sampler: CpuSampler,
) -> SyncRun:
    """``eligo sync run`` as a child; ``sampler`` (started just before, so that its own start
    is not in the lookup window) reports the CPU time of other processes over the run
    (database server, API)."""
    demoter = BackendDemoter(env["ELIGO_DATABASE_URL"]) if "PGAPPNAME" in env else None
    if demoter is not None:
        demoter.start()
    started = time.perf_counter()
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [*CLI, "sync", "run", "--feed", feed_url, "--json"],
            env={**env, "ELIGO_LOG__LEVEL": "INFO"},
            stdout=subprocess.PIPE,
            stderr=err,
        )
    # Read the output, then reap the child ourselves to get its own rusage.
    assert proc.stdout is not None
    output = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    others: dict[str, float] = sampler.finish()
    if demoter is not None:
        others["backends_demoted"] = demoter.finish()
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"sync printed no outcome (exit {proc.returncode}):\n{output}")
    return SyncRun(
        json.loads(lines[-1]),
        started,
        wall,
        usage.ru_maxrss / 1024,
        round(usage.ru_utime + usage.ru_stime, 2),
        others,
    )


def by_phase(checker: Checker, run: SyncRun) -> dict[str, dict[str, float]]:
    """Lookup p50 / p99 in each phase of a sync (start-up, fingerprint load, parse and diff,
    apply, publish), from the run's phase durations; boundaries are approximate (+-0.1 s)."""
    phases = run.outcome["durations"]
    in_process = float(phases.get("total", 0.0))
    start = run.started + run.wall - in_process  # the child's imports, lease and cleanup before
    load_from = start + float(phases.get("fetch_open", 0.0))
    parse_from = load_from + float(phases.get("load_active", 0.0))
    diff_end = (
        start + float(phases.get("fetch_open", 0.0)) + float(phases.get("fetch_parse_diff", 0.0))
    )
    publish_end = start + in_process
    apply_from = publish_end - float(phases.get("publish", 0.0)) - float(phases.get("apply", 0.0))
    bounds = {
        "startup": (run.started, start),
        "load": (load_from, parse_from),
        "parse_diff": (parse_from, diff_end),
        "apply": (apply_from, apply_from + float(phases.get("apply", 0.0))),
        "publish": (publish_end - float(phases.get("publish", 0.0)), publish_end),
    }
    out: dict[str, dict[str, float]] = {}
    for name, (low, high) in bounds.items():
        picked = [
            lat
            for at, lat in zip(checker.started_at, checker.latencies, strict=True)
            if low <= at < high
        ]
        out[name] = {
            "n": len(picked),
            "p50_ms": round(percentile(picked, 0.50), 1),
            "p99_ms": round(percentile(picked, 0.99), 1),
        }
    return out


def seed_list(database_url: str, records: list[dict[str, str]]) -> None:
    """A small version 1 made of the feed's first records (as a previous sync would leave it)."""
    from eligo.catalog.models import CatalogProduct, CatalogState, ListVersion
    from eligo.db.session import Database
    from eligo.db.types import utcnow

    db = Database.from_url(database_url)
    with db.sessionmaker() as session:
        session.add(
            ListVersion(
                id=1,
                state="active",
                source="bench seed",
                product_count=len(records),
                activated_at=utcnow(),
            )
        )
        session.flush()
        session.add_all(
            CatalogProduct(
                gtin=r["gtin"],
                name=r["name"],
                brand=r.get("brand", ""),
                status=r["status"],
                category=r.get("category", ""),
                source=r.get("source", ""),
                source_updated_at=datetime.fromisoformat(r["updated_at"])
                if r.get("updated_at")
                else None,
                valid_from=1,
            )
            for r in records
        )
        state = session.get(CatalogState, 1)
        assert state is not None
        state.active_version = 1
        session.commit()
    db.dispose()


def make_key(database_url: str) -> str:
    from eligo.db.session import Database
    from eligo.security import service
    from eligo.security.roles import Role

    db = Database.from_url(database_url)
    with db.sessionmaker() as session:
        tenant = service.create_tenant(
            session, name=f"bench-{os.getpid()}-{time.time_ns()}", kind="merchant", actor="bench"
        )
        issued = service.issue_key(
            session, tenant_id=tenant.id, role=Role.MERCHANT, name="bench", actor="bench"
        )
    db.dispose()
    return issued.secret


def diff_matches(database_url: str, old: int, new: int, changes: list[dict[str, str]]) -> bool:
    from eligo.catalog.versions import diff_versions
    from eligo.db.session import Database

    db = Database.from_url(database_url)
    with db.sessionmaker() as session:
        got = {(c.kind, c.gtin) for c in diff_versions(session, old, new)}
    db.dispose()
    want = {(c["kind"], c["gtin"]) for c in changes}
    if got != want:
        print(f"diff mismatch: {len(got - want)} extra, {len(want - got)} missing")
    return got == want


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=200_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="lookups per second, open loop (default 0: back to back, as in earlier reports)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--sync-nice", type=int, default=10, help="CPU priority decrease of the sync process"
    )
    parser.add_argument(
        "--no-sync-pin", action="store_true", help="catalog.sync_pin_cpu=false (any CPU)"
    )
    parser.add_argument(
        "--no-sync-idle-class",
        action="store_true",
        help="catalog.sync_idle_class=false (normal scheduling at the nice value)",
    )
    parser.add_argument(
        "--backend-idle",
        action="store_true",
        help="experiment: put the sync's PostgreSQL backends under SCHED_IDLE",
    )
    parser.add_argument(
        "--control-seconds",
        type=float,
        default=0.0,
        help="control window: lookups while a CPU-only process (no database) spins at the "
        "sync's nice value for this long; tells CPU contention from database effects",
    )
    parser.add_argument(
        "--control-only", action="store_true", help="stop after the control windows"
    )
    parser.add_argument(
        "--load-procs",
        type=int,
        default=0,
        help="a loaded host: this many processes that only burn CPU at normal priority run "
        "through the whole bench (the sync's starvation guard then has to step in)",
    )
    parser.add_argument(
        "--feed-nice",
        type=int,
        default=10,
        help="CPU priority decrease of the reference feed server (in production it runs on "
        "another host; here it shares the cores with the API)",
    )
    parser.add_argument(
        "--feed-path", default="/feed.csv.gz", help="feed representation, e.g. /feed.jsonl"
    )
    parser.add_argument("--batch-size", type=int, default=5000, help="catalog.batch_size")
    parser.add_argument(
        "--batch-pause", type=float, default=0.0, help="catalog.batch_pause_seconds"
    )
    args = parser.parse_args()
    Checker.rate = args.rate

    from eligo.db import migrate
    from eligo.db.session import Database

    work = Path(tempfile.mkdtemp(prefix="eligo-bench-sync-"))
    database_url = args.database_url or f"sqlite:///{work / 'bench.db'}"
    db = Database.from_url(database_url)
    migrate.upgrade(db.engine)
    db.dispose()
    env = {
        **os.environ,
        "ELIGO_DATABASE_URL": database_url,
        "ELIGO_LOG__LEVEL": "WARNING",
        "ELIGO_API__MIGRATE_ON_START": "false",
        "ELIGO_CATALOG__SYNC_INTERVAL_SECONDS": "0",
        "ELIGO_CATALOG__SYNC_NICE": str(args.sync_nice),
        "ELIGO_CATALOG__BATCH_SIZE": str(args.batch_size),
        "ELIGO_CATALOG__BATCH_PAUSE_SECONDS": str(args.batch_pause),
        "ELIGO_CATALOG__SYNC_PIN_CPU": str(not args.no_sync_pin).lower(),
        "ELIGO_CATALOG__SYNC_IDLE_CLASS": str(not args.no_sync_idle_class).lower(),
    }
    # The sync's own connections only (the API keeps its normal backends).
    sync_env = {**env, "PGAPPNAME": "eligo-sync"} if args.backend_idle else env
    procs: list[subprocess.Popen[bytes]] = []
    try:
        feed_port, api_port = free_port(), free_port()
        feed_log, api_log = work / "feed.log", work / "api.log"
        started = time.perf_counter()
        with feed_log.open("wb") as out:
            feed_proc = subprocess.Popen(
                [
                    "nice",
                    "-n",
                    str(args.feed_nice),
                    *CLI,
                    "feed",
                    "serve",
                    "--port",
                    str(feed_port),
                    "--products",
                    str(args.products),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        procs.append(feed_proc)
        feed = f"http://127.0.0.1:{feed_port}"
        with api_log.open("wb") as out:
            api_proc = subprocess.Popen(
                [*CLI, "serve", "--port", str(api_port), "--workers", "1"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        procs.append(api_proc)
        for _ in range(args.load_procs):
            procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
        api = f"http://127.0.0.1:{api_port}"
        wait_for(feed + "/", feed_proc, feed_log)
        wait_for(api + "/healthz", api_proc, api_log)
        build = re.search(r"in ([0-9.]+)s", feed_log.read_text())
        print(
            f"feed server ({args.products:,} products) and API up after "
            f"{time.perf_counter() - started:.1f}s (feed build {build.group(1) if build else '?'}s)"
        )

        first_page = httpx.get(
            feed + "/feed.jsonl", params={"per_page": SEED_RECORDS}, timeout=60
        ).text
        seed = [json.loads(line) for line in first_page.splitlines() if line.strip()]
        seed_list(database_url, seed)
        key = make_key(database_url)
        gtins = [r["gtin"] for r in seed]
        api_rss = psutil.Process(api_proc.pid).memory_info().rss / 2**20
        watch = {
            "database": ProcessGroup(names=("postgres", "postmaster")),
            "api": ProcessGroup(pid=api_proc.pid),
        }

        # Idle windows before and after each sync; each sync is compared with the pooled idle
        # samples around it, so load drift from other work on the machine affects both sides.
        idle_a = idle(api, key, gtins, args.idle_seconds)
        print(f"lookups idle ({len(seed):,}-product list): {summary(idle_a)}")

        control: dict[str, dict[str, float]] = {}
        for duty in (1.0, 0.5) if args.control_seconds > 0 else ():
            window = spin_window(api, key, gtins, args.control_seconds, args.sync_nice, duty)
            control[f"duty_{duty}"] = summary(window)
            after = summary(idle(api, key, gtins, args.idle_seconds))
            control[f"idle_after_{duty}"] = after
            print(
                f"lookups while a CPU-only process spins at nice {args.sync_nice}, "
                f"{duty:.0%} busy: {control[f'duty_{duty}']}; idle after: {after}"
            )
        if args.control_only:
            return

        print(f"feed render (reference server, untimed): {warm(feed + args.feed_path):.1f}s")
        sampler = CpuSampler(watch)
        checker = Checker(api, key, gtins)
        checker.start()
        full_run = run_sync(feed + args.feed_path, sync_env, work / "sync-full.log", sampler)
        full, full_wall, full_rss = full_run.outcome, full_run.wall, full_run.rss_mb
        during_full = summary(checker.finish())
        full_phases = by_phase(checker, full_run)
        print(
            f"full sync: {full['status']} v{full['list_version']} in {full_wall:.1f}s wall "
            f"(phases {full['durations']}), peak RSS {full_rss:.0f} MB; counts {full['counts']}"
        )
        print(f"  CPU seconds: sync {full_run.cpu_s}, {full_run.cpu_others}")
        print(f"lookups during full sync: {during_full}")
        print(f"  by phase: {full_phases}")

        idle_b = idle(api, key, gtins, args.idle_seconds)
        print(f"lookups idle ({args.products:,}-product list): {summary(idle_b)}")

        published = httpx.post(feed + "/admin/publish", json={"mutate_percent": 1.0}, timeout=60)
        feed_version = published.json().get("version", published.json())
        changes = httpx.get(feed + "/changes", params={"version": feed_version}, timeout=60).json()
        change_list = changes["changes"] if isinstance(changes, dict) else changes
        print(f"feed render (reference server, untimed): {warm(feed + args.feed_path):.1f}s")
        sampler = CpuSampler(watch)
        checker = Checker(api, key, gtins)
        checker.start()
        incr_run = run_sync(feed + args.feed_path, sync_env, work / "sync-incremental.log", sampler)
        incr, incr_wall, incr_rss = incr_run.outcome, incr_run.wall, incr_run.rss_mb
        during_incr = summary(checker.finish())
        incr_phases = by_phase(checker, incr_run)
        exact = diff_matches(
            database_url,
            int(str(full["list_version"])),
            int(str(incr["list_version"])),
            change_list,
        )
        print(
            f"incremental sync (1%): {incr['status']} v{incr['list_version']} in "
            f"{incr_wall:.1f}s wall (phases {incr['durations']}), peak RSS {incr_rss:.0f} MB; "
            f"counts {incr['counts']}; diff == /changes ({len(change_list)} records): {exact}"
        )
        print(f"  CPU seconds: sync {incr_run.cpu_s}, {incr_run.cpu_others}")
        print(f"lookups during incremental sync: {during_incr}")
        print(f"  by phase: {incr_phases}")
        idle_c = idle(api, key, gtins, args.idle_seconds)
        print(f"lookups idle after: {summary(idle_c)}")
        api_rss_after = psutil.Process(api_proc.pid).memory_info().rss / 2**20
        idle_full_base = summary(idle_a, idle_b)
        idle_incr_base = summary(idle_b, idle_c)

        def ratio(during: dict[str, float], base: dict[str, float]) -> float:
            return round(during["p99_ms"] / base["p99_ms"], 2)

        figures = {
            "products": args.products,
            "backend": database_url.split(":", 1)[0],
            "full_sync_s": round(full_wall, 2),
            "full_sync_phases": full["durations"],
            "incremental_sync_s": round(incr_wall, 2),
            "incremental_sync_phases": incr["durations"],
            "incremental_changes": len(change_list),
            "incremental_diff_exact": exact,
            "sync_peak_rss_mb": round(max(full_rss, incr_rss), 1),
            "lookup_idle_around_full": idle_full_base,
            "lookup_idle_around_incremental": idle_incr_base,
            "lookup_during_full": during_full,
            "lookup_during_incremental": during_incr,
            "lookup_by_phase_full": full_phases,
            "lookup_by_phase_incremental": incr_phases,
            "cpu_s_full": {"sync": full_run.cpu_s, **full_run.cpu_others},
            "cpu_s_incremental": {"sync": incr_run.cpu_s, **incr_run.cpu_others},
            "lookup_control_spin": control,
            "p99_ratio_full": ratio(during_full, idle_full_base),
            "p99_ratio_incremental": ratio(during_incr, idle_incr_base),
            "api_rss_mb": [round(api_rss, 1), round(api_rss_after, 1)],
            "load_avg": [round(x, 2) for x in os.getloadavg()],
            "lookup_rate_per_s": args.rate,
            "sync_nice": args.sync_nice,
            "sync_pin_cpu": not args.no_sync_pin,
            "sync_idle_class": not args.no_sync_idle_class,
            "feed_nice": args.feed_nice,
            "load_procs": args.load_procs,
            "feed_path": args.feed_path,
            "batch_size": args.batch_size,
            "batch_pause_seconds": args.batch_pause,
        }
        targets = {
            "full<=60s": full_wall <= 60,
            "incremental<=10s": incr_wall <= 10,
            "p99 during<=1.5x idle": max(
                ratio(during_full, idle_full_base), ratio(during_incr, idle_incr_base)
            )
            <= 1.5,
            "rss<500MB": max(full_rss, incr_rss) < 500,
            "diff exact": exact,
        }
        print("targets: " + ", ".join(f"{k} {'ok' if v else 'MISSED'}" for k, v in targets.items()))
        print("BENCH " + json.dumps(figures, sort_keys=True))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
