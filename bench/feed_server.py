"""Reference feed: build time and serve throughput for N products (default 200,000).

Starts ``eligo feed serve`` in a child process (so server and client do not share a GIL),
then measures on loopback: raw download of each representation (cold = first request, which
renders and caches; warm = second), download + parse + validate through ``HttpFeedSource``,
a conditional GET, and several clients at once. Prints one line per figure.

    .venv/bin/python bench/feed_server.py [--products 200000] [--clients 4]
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil

from eligo.catalog.feed import FeedStats
from eligo.catalog.sources import HttpFeedSource

SERVER = "from eligo.cli.feed import app; app()"


def start_server(products: int) -> tuple[subprocess.Popen[str], str, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, "serve", "--port", "0", "--products", str(products)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    build = 0.0
    for line in proc.stdout:
        if m := re.search(r"in ([0-9.]+)s \(data", line):
            build = float(m.group(1))
        if m := re.search(r"serving on (http://\S+)", line):
            print(f"server up after {time.perf_counter() - started:.2f}s (process start + build)")
            return proc, m.group(1), build
    raise SystemExit("server did not start:\n" + proc.stdout.read())


def download(url: str) -> tuple[int, float, int]:
    """Bytes, seconds and pages for a full raw download following Link rel=next."""
    total = pages = 0
    started = time.perf_counter()
    with httpx.Client(timeout=120, headers={"Accept-Encoding": "identity"}) as client:
        nxt: str | None = url
        while nxt:
            with client.stream("GET", nxt) as resp:
                resp.raise_for_status()
                for chunk in resp.iter_raw():
                    total += len(chunk)
                link = resp.links.get("next")
                nxt = str(resp.url.join(link["url"])) if link else None
            pages += 1
    return total, time.perf_counter() - started, pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    n = args.products
    proc, base, build = start_server(n)
    server = psutil.Process(proc.pid)
    try:
        print(f"build {n:,} products: {build:.2f}s (reported by the server)")
        paths = ["/feed.csv.gz", "/feed.csv", "/feed.jsonl?per_page=10000"]
        for path in paths:
            for label in ("cold", "warm"):
                size, secs, pages = download(base + path)
                print(
                    f"raw {label:4} {path:28} {size / 1e6:7.1f} MB {pages:3} page(s) "
                    f"{secs:6.2f}s  {size / 1e6 / secs:7.1f} MB/s  {n / secs:9,.0f} records/s"
                )
        for path in paths:
            stats = FeedStats()
            started = time.perf_counter()
            with HttpFeedSource(base + path).fetch() as fetch:
                for _ in fetch.records(stats):
                    pass
            secs = time.perf_counter() - started
            print(
                f"fetch+parse {path:28} {stats.records:,} records, {stats.quarantined} bad, "
                f"{secs:6.2f}s  {stats.records / secs:9,.0f} records/s"
            )
            started = time.perf_counter()
            with HttpFeedSource(base + path).fetch(etag=fetch.meta.etag) as again:
                assert again.not_modified
            print(
                f"conditional GET {path:24} 304 in {(time.perf_counter() - started) * 1000:.1f} ms"
            )
        url = base + "/feed.jsonl?per_page=10000"
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(download, [url] * args.clients))
        secs = time.perf_counter() - started
        size = sum(r[0] for r in results)
        print(
            f"{args.clients} clients at once, paged JSONL: {size / 1e6:.1f} MB in {secs:.2f}s "
            f"= {size / 1e6 / secs:.1f} MB/s, {args.clients * n / secs:,.0f} records/s"
        )
        started = time.perf_counter()
        resp = httpx.post(base + "/admin/publish", json={"mutate_percent": 1.0}, timeout=60)
        print(f"publish next version (1%): {resp.json()} in {time.perf_counter() - started:.2f}s")
        print(f"server RSS {server.memory_info().rss / 2**20:.0f} MB")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"client peak RSS {peak:.0f} MB (download + parse, streaming)")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
