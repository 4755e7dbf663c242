"""Eligibility serving benchmark against a real server (1 worker, loopback).

    python bench/eligibility.py [--products 200000] [--requests 2000] [--bulk 100000]
                                [--database-url URL] [--workdir DIR]

Sets up a database with an eligible-product list synced from the reference feed (real code
path: `eligo.catalog.sync.run_sync` on a feed file), starts `eligo serve --workers 1`, and
measures from a client on loopback:
  - POST /v1/eligibility/check latency for GTINs on the list (p50/p99),
  - the same for titles no cache has seen (p50/p99),
  - POST /v1/baskets with 500 items (p50, max),
  - server RSS after the load,
and `eligo classify` throughput on --bulk distinct real product names (Open Food Facts).
Needs the trained model in settings.eligibility.model_dir (`make models`).
Prints figures, then one line: BENCH {...}.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "HF_HUB_OFFLINE": "1"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setup_database(url: str, products: int, workdir: Path) -> tuple[list[str], str]:
    """Migrate, sync a `products`-item list from the reference feed, issue a merchant key."""
    from eligo.catalog.feed import write_feed
    from eligo.catalog.reference_feed import ReferenceFeed
    from eligo.catalog.sync import run_sync
    from eligo.db import migrate
    from eligo.db.session import Database
    from eligo.security import service
    from eligo.security.roles import Role
    from eligo.settings import CatalogSettings

    database = Database.from_url(url)
    migrate.upgrade(database.engine)
    feed = ReferenceFeed(products, seed=7)
    records = list(feed.current.records)
    feed_file = workdir / "feed.csv"
    write_feed(records, feed_file)
    started = time.perf_counter()
    outcome = run_sync(database.sessionmaker, CatalogSettings(), feed=str(feed_file))
    print(
        f"list synced: {len(records)} products in {time.perf_counter() - started:.1f} s "
        f"({outcome.status})"
    )
    with database.sessionmaker() as session:
        tenant = service.create_tenant(
            session, name=f"bench-{os.getpid()}-{time.time_ns()}", kind="merchant", actor="bench"
        )
        key = service.issue_key(
            session, tenant_id=tenant.id, role=Role.MERCHANT, name="bench", actor="bench"
        ).secret
    database.dispose()
    return [r.gtin for r in records], key


def unseen_titles(n: int, rng: random.Random) -> list[str]:
    """Distinct titles: real product names with a size/count variant no cache has seen."""
    names = real_names(n)
    sizes = ["oz", "ct", "fl oz", "count", "pack", "mg", "ml"]
    return [
        f"{name} {rng.randint(2, 999)} {rng.choice(sizes)} #{i}" for i, name in enumerate(names)
    ]


def real_names(n: int) -> list[str]:
    shared = Path(os.environ.get("ELIGO_SHARED_DATA", ROOT.parent / "shared" / "data"))
    path = shared / "off_us_grocery_upcs" / "off_2018_upc_names.csv"
    seen: set[str] = set()
    names: list[str] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("product_name") or "").strip()
            if name and name.lower() not in seen:
                seen.add(name.lower())
                names.append(name)
    while len(names) < n:  # pad with numbered variants if the file has fewer distinct names
        names.append(f"{names[len(names) % len(seen)]} variety {len(names)}")
    return names[:n]


def measure(client: httpx.Client, bodies: list[dict[str, str]]) -> list[float]:
    latencies = []
    for body in bodies:
        started = time.perf_counter()
        response = client.post("/v1/eligibility/check", json=body)
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code}: {response.text[:200]}")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--bulk", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="eligo-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    rng = random.Random(2026)
    gtins, key = setup_database(url, args.products, workdir)

    port = free_port()
    env = {**ENV, "ELIGO_DATABASE_URL": url, "ELIGO_LOG__LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "eligo.cli.main", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("server did not become ready (is the model built? make models)")
            time.sleep(0.3)
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            measure(client, [{"gtin": g} for g in rng.sample(gtins, 200)])  # warm-up
            list_hits = measure(client, [{"gtin": g} for g in rng.sample(gtins, args.requests)])
            titles = unseen_titles(args.requests + 200, rng)
            measure(client, [{"title": t} for t in titles[:200]])  # warm-up
            unseen = measure(client, [{"title": t} for t in titles[200:]])
            baskets = []
            for round_ in range(20):  # 500-item baskets: half list hits, half new titles
                items = [
                    {"gtin": g, "quantity": 1 + i % 3, "unit_price_cents": 199 + i}
                    for i, g in enumerate(rng.sample(gtins, 250))
                ] + [
                    {"title": f"{t} basket {round_}", "quantity": 1, "unit_price_cents": 350}
                    for t in rng.sample(titles, 250)
                ]
                started = time.perf_counter()
                response = client.post("/v1/baskets", json={"items": items})
                baskets.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"basket failed: {response.status_code}")
        process = psutil.Process(server.pid)
        rss_mb = (
            process.memory_info().rss
            + sum(c.memory_info().rss for c in process.children(recursive=True))
        ) / 2**20
    finally:
        server.terminate()
        server.wait(timeout=30)

    bulk_in = workdir / "bulk.csv"
    with bulk_in.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title"])
        for index, title in enumerate(real_names(args.bulk)):
            writer.writerow([f"SKU{index}", title])
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "eligo.cli.main",
            "classify",
            str(bulk_in),
            "--out",
            str(workdir / "bulk.out.csv"),
        ],
        env={**env, "ELIGO_DATABASE_URL": url},
        check=True,
        stderr=subprocess.DEVNULL,
    )
    bulk_seconds = time.perf_counter() - started
    with (workdir / "bulk.out.csv").open(encoding="utf-8") as handle:
        classified = sum(1 for _ in handle) - 1

    figures = {
        "list_hit_p50_ms": round(statistics.median(list_hits), 2),
        "list_hit_p99_ms": round(percentile(list_hits, 99), 2),
        "unseen_title_p50_ms": round(statistics.median(unseen), 2),
        "unseen_title_p99_ms": round(percentile(unseen, 99), 2),
        "basket_500_p50_ms": round(statistics.median(baskets), 1),
        "basket_500_max_ms": round(max(baskets), 1),
        "server_rss_mb": round(rss_mb, 1),
        "bulk_titles": classified,
        "bulk_seconds": round(bulk_seconds, 1),
        "bulk_titles_per_s": round(classified / bulk_seconds, 1),
        "list_products": len(gtins),
        "requests": args.requests,
        "database": url.split(":", 1)[0],
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, load {os.getloadavg()[0]:.1f}",
    }
    print(
        f"GTIN list hit     p50 {figures['list_hit_p50_ms']:.2f} ms   "
        f"p99 {figures['list_hit_p99_ms']:.2f} ms   (target p50 <= 3 ms)"
    )
    print(
        f"unseen title      p50 {figures['unseen_title_p50_ms']:.2f} ms   "
        f"p99 {figures['unseen_title_p99_ms']:.2f} ms   (targets p50 <= 15, p99 <= 40 ms)"
    )
    print(
        f"500-item basket   p50 {figures['basket_500_p50_ms']:.1f} ms   "
        f"max {figures['basket_500_max_ms']:.1f} ms   (target < 300 ms)"
    )
    print(f"server RSS        {figures['server_rss_mb']:.0f} MB   (target < 1500 MB)")
    print(
        f"eligo classify    {figures['bulk_titles_per_s']:.0f} titles/s on {classified} titles "
        f"(target >= 2000/s; includes start-up)"
    )
    print("BENCH " + json.dumps(figures))


if __name__ == "__main__":
    main()
