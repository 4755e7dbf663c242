"""Reference feed: a realistic, versioned product feed and a loopback HTTP server for it.

Demos, benchmarks and fault tests need a real peer that behaves like the trusted source. The
data comes from the shared data folder (``ELIGO_SHARED_DATA``, default ``<repo>/../shared/data``):

- Open Food Facts US grocery UPCs: real GTINs and names, status ``not_eligible``;
  ``source=off:<upc12>``.
- NIH DSLD supplements: status ``lmn``, brand and supplement form from DSLD. DSLD has no
  barcodes, so the GTIN is synthetic: GS1 restricted-circulation prefix ``291`` + DSLD id + check
  digit (never a real traded GTIN); ``source=dsld:<dsld_id>``.
- FDA device product codes: ``eligible`` OTC-style devices, ``rx`` for class 3, implants and
  life-sustaining devices. Synthetic GTIN: prefix ``292`` + the 3-letter code as digits;
  ``source=fda:<product_code>``.
- When more products are asked for than the sources hold, case-level GTIN-14s (indicator digit
  1-8 on an existing item, "case of N") fill the rest; ``source=<base source>/case<indicator>``.

Version k+1 is version k with a given percentage of records mutated (status changed, renamed,
a few removed and added), all deterministic from the seed. :class:`ReferenceFeedServer` serves
the versions over HTTP with paging, ETag / Last-Modified, Range and injectable faults; the
protocol is described in ``docs/feed.md``.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import io
import json
import logging
import os
import random
import sys
import threading
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final, TypeVar
from urllib.parse import parse_qs, urlsplit

from eligo.catalog.feed import (
    FEED_FIELDS,
    STATUSES,
    FeedRecord,
    record_to_csv_row,
    record_to_json,
)
from eligo.catalog.gtin import InvalidGtin, gtin_check_digit, normalize_gtin

__all__ = [
    "Change",
    "FaultPlan",
    "FeedVersion",
    "ReferenceFeed",
    "ReferenceFeedServer",
    "shared_data_dir",
]

logger = logging.getLogger(__name__)
K = TypeVar("K")
V = TypeVar("V")

DEFAULT_PER_PAGE: Final = 10_000
MAX_PER_PAGE: Final = 100_000
_BASE_TIME: Final = datetime(2025, 1, 1, tzinfo=UTC)
_VERSION_TIME: Final = datetime(2026, 1, 1, tzinfo=UTC)
_CASE_SIZES: Final = (0, 6, 12, 24, 4, 8, 36, 48, 10)  # by indicator digit 1..8
_RENAME_SUFFIXES: Final = (" - New Formula", " - Value Size", " (Improved)", " - 2 Pack")
_JSON_TYPE: Final = "application/json"


def shared_data_dir() -> Path:
    """``ELIGO_SHARED_DATA`` or ``<repo>/../shared/data``."""
    env = os.environ.get("ELIGO_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


# -- source data --------------------------------------------------------------------------------


def _with_check(body: str) -> str:
    return (body + str(gtin_check_digit(body))).zfill(14)


# A source row before it becomes a record: (code, code_has_check_digit, name, brand, status,
# category, source). Records are only built for the rows a feed uses, so small feeds are fast.
_Raw = tuple[str, bool, str, str, str, str, str]


def _make(raw: _Raw) -> FeedRecord | None:
    code, has_check, name, brand, status, category, source = raw
    if has_check:
        try:
            gtin = normalize_gtin(code)
        except InvalidGtin:
            return None
    else:
        gtin = _with_check(code)
    # A stable pseudo-random "last updated" within 2025, derived from the source id.
    stamp = _BASE_TIME + timedelta(seconds=zlib.crc32(source.encode()) % (365 * 86400))
    return FeedRecord(gtin, name, brand, status, category, stamp, source)


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


@lru_cache(maxsize=4)
def _load_sources(data_dir: Path) -> tuple[tuple[_Raw, ...], ...]:
    """All usable source rows (grocery, supplements, devices); cached per folder."""
    grocery: list[_Raw] = []
    for row in _read_csv(data_dir / "off_us_grocery_upcs" / "off_2018_upc_names.csv"):
        upc, name = row["upc12"], row["product_name"].strip()
        if 0 < len(name) <= 200:
            grocery.append((upc, True, name, "", "not_eligible", "grocery", f"off:{upc}"))
    supplements: list[_Raw] = []
    for row in _read_csv(data_dir / "dsld_supplements" / "dsld_products_2019.csv"):
        name, dsld_id = row["product_name"].strip()[:200], row["dsld_id"]
        if name and dsld_id.isdigit():
            form = row["supplement_form"].split(" (")[0].strip().lower()[:100] or "other"
            brand = row["brand"].strip()[:200]
            supplements.append((f"291{int(dsld_id):09d}", False, name, brand, "lmn",
                                f"supplement:{form}", f"dsld:{dsld_id}"))  # fmt: skip
    devices: list[_Raw] = []
    for row in _read_csv(
        data_dir / "fda_device_product_codes" / "fda_device_product_codes_2019.csv"
    ):
        code, name = row["product_code"].strip().upper(), row["device_name"].strip()[:200]
        if len(code) != 3 or not code.isalpha() or not name:
            continue
        rx = row["device_class"] == "3" or "Y" in (row["implant"], row["life_sustaining"])
        body = "292" + "".join(f"{ord(c) - 55:02d}" for c in code) + "000"  # A=10 .. Z=35
        specialty = (row["medical_specialty"] or row["review_panel"] or "general").lower()
        devices.append((body, False, name, "", "rx" if rx else "eligible",
                        f"device:{specialty}", f"fda:{code}"))  # fmt: skip
    logger.info(
        "reference feed sources: %d grocery, %d supplements, %d devices",
        len(grocery), len(supplements), len(devices),
    )  # fmt: skip
    return tuple(grocery), tuple(supplements), tuple(devices)


def _case_variant(base: FeedRecord, indicator: int) -> FeedRecord:
    gtin = _with_check(f"{indicator}{base.gtin[1:13]}")
    size = _CASE_SIZES[indicator]
    return dataclasses.replace(
        base,
        gtin=gtin,
        name=f"{base.name} (case of {size})"[:500],
        source=f"{base.source}/case{indicator}",
    )


# -- versions -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One record-level change between a version and the one before it."""

    kind: str  # added | removed | status_changed | renamed
    gtin: str
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class FeedVersion:
    number: int
    records: tuple[FeedRecord, ...]  # sorted by GTIN
    published_at: datetime  # wall clock, for Last-Modified
    digest: str  # identifies the content; ETags derive from it
    changes: tuple[Change, ...] = ()


class ReferenceFeed:
    """Deterministic versioned product list built from the shared data."""

    def __init__(
        self,
        products: int,
        *,
        seed: int = 0,
        data_dir: Path | None = None,
        keep_versions: int = 10,
    ) -> None:
        if products < 1:
            raise ValueError("products must be at least 1")
        self.seed = seed
        self.data_dir = (data_dir or shared_data_dir()).resolve()
        self.keep_versions = keep_versions
        self._lock = threading.Lock()
        self._pool = self._candidate_pool(products)
        self._next_candidate = min(products, len(self._pool))
        stat = [
            (p.name, p.stat().st_size, int(p.stat().st_mtime))
            for p in sorted(self.data_dir.glob("*/*.csv"))
        ]
        digest = hashlib.sha256(repr((seed, products, stat)).encode()).hexdigest()[:16]
        first = tuple(sorted(self._pool[: self._next_candidate], key=lambda r: r.gtin))
        self._versions: dict[int, FeedVersion] = {
            1: FeedVersion(1, first, _now_seconds(None), digest)
        }
        self._current = 1

    def _candidate_pool(self, products: int) -> list[FeedRecord]:
        """Every record this feed may ever publish, in the order it starts using them."""
        grocery, supplements, devices = (list(s) for s in _load_sources(self.data_dir))
        rng = random.Random(f"{self.seed}:pool")
        for src in (grocery, supplements, devices):
            rng.shuffle(src)
        # Initial mix: ~5% devices, ~35% supplements, the rest grocery; keep spares of each so
        # later versions can add records that were not there before.
        total = products + max(100, products // 10)
        n_dev = min(len(devices), max(1, round(total * 0.05)))
        n_sup = min(len(supplements), round((total - n_dev) * 0.35))
        n_gro = min(len(grocery), total - n_dev - n_sup)
        initial: list[FeedRecord] = []
        spares: list[FeedRecord] = []
        for src, n in ((devices, n_dev), (supplements, n_sup), (grocery, n_gro)):
            cut = round(n * products / total)
            initial += filter(None, map(_make, src[:cut]))
            spares += filter(None, map(_make, src[cut:n]))
        rng.shuffle(initial)
        rng.shuffle(spares)
        pool = initial + spares
        if len(pool) < total:
            bases = list(pool)
            for indicator in range(1, 9):
                pool += (_case_variant(b, indicator) for b in bases[: total - len(pool)])
                if len(pool) >= total:
                    break
        if len(pool) < products:
            raise ValueError(f"the shared data can build at most {len(pool)} products")
        # Put the fill-in variants evenly into the initial list too.
        head = pool[:products]
        rng.shuffle(head)
        return head + pool[products:]

    # public API

    @property
    def current(self) -> FeedVersion:
        with self._lock:
            return self._versions[self._current]

    def version(self, number: int) -> FeedVersion | None:
        with self._lock:
            return self._versions.get(number)

    def versions(self) -> list[int]:
        with self._lock:
            return sorted(self._versions)

    def publish(self, mutate_percent: float = 1.0) -> FeedVersion:
        """Make version k+1 from k with ``mutate_percent`` % of records changed."""
        if not 0 <= mutate_percent <= 100:
            raise ValueError("mutate_percent must be between 0 and 100")
        with self._lock:
            prev = self._versions[self._current]
            number = prev.number + 1
            records, changes = self._mutate(prev, number, mutate_percent)
            digest = hashlib.sha256(f"{prev.digest}:{mutate_percent!r}".encode()).hexdigest()
            version = FeedVersion(
                number, records, _now_seconds(prev.published_at), digest[:16], changes
            )
            self._versions[number] = version
            self._current = number
            for old in sorted(self._versions)[: -self.keep_versions]:
                del self._versions[old]
        logger.info(
            "reference feed published version %d: %d records, %d changes",
            number,
            len(records),
            len(changes),
        )
        return version

    def _mutate(
        self, prev: FeedVersion, number: int, percent: float
    ) -> tuple[tuple[FeedRecord, ...], tuple[Change, ...]]:
        rng = random.Random(f"{self.seed}:v{number}")
        records = list(prev.records)
        n = round(len(records) * percent / 100)
        stamp = _VERSION_TIME + timedelta(days=number - 1)
        n_removed = n * 75 // 1000
        n_added = min(n * 75 // 1000, len(self._pool) - self._next_candidate)
        n_renamed = n * 25 // 100
        picked = rng.sample(range(len(records)), min(len(records), n - n_added))
        changes: list[Change] = []
        removed: set[int] = set(picked[:n_removed])
        for i in picked[:n_removed]:
            changes.append(Change("removed", records[i].gtin))
        for i in picked[n_removed : n_removed + n_renamed]:
            rec = records[i]
            new_name = _rename(rec.name, rng)
            records[i] = dataclasses.replace(rec, name=new_name, updated_at=stamp)
            changes.append(Change("renamed", rec.gtin, rec.name, new_name))
        for i in picked[n_removed + n_renamed :]:
            rec = records[i]
            status = rng.choice(sorted(STATUSES - {rec.status}))
            records[i] = dataclasses.replace(rec, status=status, updated_at=stamp)
            changes.append(Change("status_changed", rec.gtin, rec.status, status))
        if removed:
            records = [r for i, r in enumerate(records) if i not in removed]
        for rec in self._pool[self._next_candidate : self._next_candidate + n_added]:
            records.append(dataclasses.replace(rec, updated_at=stamp))
            changes.append(Change("added", rec.gtin, "", rec.status))
        self._next_candidate += n_added
        records.sort(key=lambda r: r.gtin)
        changes.sort(key=lambda c: c.gtin)
        return tuple(records), tuple(changes)


def _rename(name: str, rng: random.Random) -> str:
    for suffix in _RENAME_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return (name + rng.choice(_RENAME_SUFFIXES))[:500]


def _now_seconds(after: datetime | None) -> datetime:
    """Wall clock in whole seconds, strictly after ``after`` so Last-Modified always moves."""
    now = datetime.now(UTC).replace(microsecond=0)
    if after is not None and now <= after:
        now = after + timedelta(seconds=1)
    return now


# -- rendering ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rendered:
    """One representation of a version: bytes plus line offsets for paging."""

    body: bytes
    offsets: array[int]  # start offset of each line, plus the end

    def lines(self) -> int:
        return len(self.offsets) - 1

    def slice(self, first: int, count: int) -> bytes:
        end = min(first + count, self.lines())
        return self.body[self.offsets[first] : self.offsets[end]]


def _garbage_lines(
    records: tuple[FeedRecord, ...], percent: float, seed: int, fmt: str
) -> Iterator[str]:
    """Each record's line, with ``percent`` % extra rows that must all be quarantined."""
    rng = random.Random(f"{seed}:garbage:{percent}")
    n = round(len(records) * percent / 100)
    after = set(rng.sample(range(len(records)), min(n, len(records)))) if n else set()
    render = record_to_json if fmt == "jsonl" else _csv_line
    for i, rec in enumerate(records):
        yield render(rec)
        if i not in after:
            continue
        kind = rng.randrange(5)
        if kind == 0:
            bad = rec.gtin[:-1] + str((int(rec.gtin[-1]) + 1) % 10)
            yield render(dataclasses.replace(rec, gtin=bad))
        elif kind == 1:
            yield render(dataclasses.replace(rec, status="discontinued"))
        elif kind == 2:
            yield render(dataclasses.replace(rec, name=""))
        elif kind == 3:
            yield render(rec)  # duplicate of the row just sent
        else:
            yield "".join(rng.choice('abc{}[]",;: 0123456789') for _ in range(40))


def _csv_line(rec: FeedRecord) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(record_to_csv_row(rec))
    return buf.getvalue()


def _render(version: FeedVersion, fmt: str, garbage: float, seed: int) -> _Rendered:
    out = io.BytesIO()
    if fmt == "csv":
        out.write((",".join((*FEED_FIELDS, "source")) + "\n").encode())
    # Paging counts record lines; the CSV header is not one of them.
    offsets = array("Q", [out.tell()])
    for line in _garbage_lines(version.records, garbage, seed, fmt):
        out.write(line.encode("utf-8"))
        out.write(b"\n")
        offsets.append(out.tell())
    return _Rendered(out.getvalue(), offsets)


def _lru(cache: OrderedDict[K, V], key: K, build: Callable[[], V], size: int = 4) -> V:
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = build()
        while len(cache) > size:
            cache.popitem(last=False)
    cache.move_to_end(key)
    return hit


# -- faults -------------------------------------------------------------------------------------


@dataclass
class FaultPlan:
    """Faults for the next feed requests (paths under /feed), consumed as they fire."""

    after_requests: int = 0  # let this many feed requests through untouched first
    fail_count: int = 0  # then answer this many with ``fail_status``
    fail_status: int = 500
    drop_count: int = 0  # then cut this many responses after ``drop_after_bytes`` of body
    drop_after_bytes: int = 4096
    truncate_gzip: bool = False  # serve .gz files cut in half (Content-Length matches the cut)
    garbage_percent: float = 0.0  # extra invalid rows in every representation

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultPlan:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        return cls(**data)


@dataclass
class ServerStats:
    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    dropped: int = 0
    bytes_sent: int = 0


# -- HTTP ---------------------------------------------------------------------------------------


class ReferenceFeedServer:
    """Serve a :class:`ReferenceFeed` on loopback; usable in-process (port 0) or from the CLI."""

    def __init__(
        self,
        feed: ReferenceFeed,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        faults: FaultPlan | None = None,
        admin: bool = True,
    ) -> None:
        self.feed = feed
        self.faults = faults or FaultPlan()
        self.admin = admin
        self.stats = ServerStats()
        self._lock = threading.Lock()
        # Rendered bodies are ~200 bytes per record; keep only the few most recently asked for.
        self._cache: OrderedDict[tuple[int, str, float], _Rendered] = OrderedDict()
        self._gz_cache: OrderedDict[tuple[int, float], bytes] = OrderedDict()
        self._render_lock = threading.Lock()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.feed_server = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReferenceFeedServer:
        # A short poll interval keeps stop() quick for tests.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="reference-feed", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ReferenceFeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_faults(self, plan: FaultPlan) -> None:
        with self._lock:
            self.faults = plan

    def publish(self, mutate_percent: float = 1.0) -> FeedVersion:
        return self.feed.publish(mutate_percent)

    def rendered(self, version: FeedVersion, fmt: str, garbage: float) -> _Rendered:
        key = (version.number, fmt, garbage)
        with self._render_lock:
            return _lru(self._cache, key, lambda: _render(version, fmt, garbage, self.feed.seed))

    def gzipped(self, version: FeedVersion, garbage: float) -> bytes:
        plain = self.rendered(version, "csv", garbage)
        with self._render_lock:
            # mtime=0 keeps the bytes (and so Range resumption) stable across renders.
            return _lru(
                self._gz_cache,
                (version.number, garbage),
                lambda: gzip.compress(plain.body, compresslevel=5, mtime=0),
            )

    def take_fault(self) -> tuple[str, int]:
        """Decide the fault for one feed request: ("fail", status), ("drop", bytes) or ("", 0)."""
        with self._lock:
            plan = self.faults
            if plan.after_requests > 0:
                plan.after_requests -= 1
                return "", 0
            if plan.fail_count > 0:
                plan.fail_count -= 1
                return "fail", plan.fail_status
            if plan.drop_count > 0:
                plan.drop_count -= 1
                return "drop", plan.drop_after_bytes
            return "", 0

    def record(self, status: int, sent: int, dropped: bool = False) -> None:
        with self._lock:
            self.stats.requests += 1
            self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
            self.stats.bytes_sent += sent
            self.stats.dropped += int(dropped)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    feed_server: ReferenceFeedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            # Clients that hang up (including ours after an injected fault) are routine.
            logger.debug("reference feed: client %s went away: %s", client_address, exc)
            return
        logger.exception("reference feed: error serving %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "eligo-reference-feed/1"

    @property
    def owner(self) -> ReferenceFeedServer:
        assert isinstance(self.server, _HTTPServer)
        return self.server.feed_server

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    # plumbing

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
        drop_after: int | None = None,
    ) -> None:
        head = self.command == "HEAD"
        drop = drop_after is not None and drop_after < len(body) and not head
        sent = 0 if head else (drop_after if drop and drop_after is not None else len(body))
        # Count before the client can see the answer, so tests may read stats right after.
        self.owner.record(status, sent, dropped=drop)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if head:
            return
        self.wfile.write(body[:sent])
        if drop:
            self.wfile.flush()
            self.close_connection = True

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode() + b"\n", _JSON_TYPE)

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": {"code": HTTPStatus(status).phrase, "message": message}})

    def _read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 65536:
            raise ValueError("request body too large")
        raw = self.rfile.read(length) if length else b""
        data = json.loads(raw) if raw.strip() else {}
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data

    # routes

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            if parts.path in ("/feed.jsonl", "/feed.csv", "/feed.csv.gz"):
                self._feed(parts.path, query)
            elif parts.path == "/":
                self._index()
            elif parts.path == "/changes":
                self._changes(query)
            elif parts.path == "/admin/stats" and self.owner.admin:
                stats = self.owner.stats
                self._json(200, dataclasses.asdict(stats))
            else:
                self._error(404, f"no route {parts.path}")
        except ValueError as exc:
            self._error(400, str(exc))

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if not self.owner.admin or path not in ("/admin/publish", "/admin/faults"):
            self._error(404, f"no route {path}")
            return
        try:
            body = self._read_json()
            if path == "/admin/publish":
                version = self.owner.publish(float(body.get("mutate_percent", 1.0)))
                self._json(
                    200,
                    {
                        "version": version.number,
                        "changes": len(version.changes),
                        "records": len(version.records),
                    },
                )
            else:
                plan = FaultPlan.from_json(body)
                self.owner.set_faults(plan)
                self._json(200, dataclasses.asdict(plan))
        except (ValueError, TypeError) as exc:
            self._error(400, str(exc))

    def do_DELETE(self) -> None:
        if self.owner.admin and urlsplit(self.path).path == "/admin/faults":
            self.owner.set_faults(FaultPlan())
            self._send(204)
        else:
            self._error(404, "no route")

    def _version(self, query: dict[str, str]) -> FeedVersion | None:
        if "version" not in query:
            return self.owner.feed.current
        return self.owner.feed.version(int(query["version"]))

    def _index(self) -> None:
        feed = self.owner.feed
        cur = feed.current
        self._json(
            200,
            {
                "current_version": cur.number,
                "versions": feed.versions(),
                "records": len(cur.records),
                "published_at": cur.published_at.isoformat(),
                "links": {
                    "jsonl_pages": f"/feed.jsonl?version={cur.number}&page=1",
                    "csv": f"/feed.csv?version={cur.number}",
                    "csv_gz": f"/feed.csv.gz?version={cur.number}",
                    "changes": f"/changes?version={cur.number}",
                },
            },
        )

    def _changes(self, query: dict[str, str]) -> None:
        version = self._version(query)
        if version is None:
            self._error(410, "that version is no longer kept")
            return
        self._json(
            200,
            {
                "version": version.number,
                "changes": [dataclasses.asdict(c) for c in version.changes],
            },
        )

    def _feed(self, path: str, query: dict[str, str]) -> None:
        owner = self.owner
        kind, arg = owner.take_fault()
        if kind == "fail":
            self._error(arg, "injected fault")
            return
        version = self._version(query)
        if version is None:
            self._error(410, "that version is no longer kept; start again from the current one")
            return
        garbage = owner.faults.garbage_percent
        fmt = "jsonl" if path == "/feed.jsonl" else "csv"
        variant = path.removeprefix("/feed.")
        headers = {
            "X-Feed-Version": str(version.number),
            "Last-Modified": format_datetime(version.published_at, usegmt=True),
            "Cache-Control": "no-cache",
            "Accept-Ranges": "bytes",
        }
        if fmt == "jsonl":
            rendered = owner.rendered(version, fmt, garbage)
            per_page = min(int(query.get("per_page", DEFAULT_PER_PAGE)), MAX_PER_PAGE)
            page = int(query.get("page", 1))
            if per_page < 1 or page < 1:
                raise ValueError("page and per_page must be positive")
            pages = max(1, -(-rendered.lines() // per_page))
            if page > pages:
                self._error(404, f"page {page} is past the last page ({pages})")
                return
            body = rendered.slice((page - 1) * per_page, per_page)
            headers["X-Page-Count"] = str(pages)
            headers["X-Total-Count"] = str(rendered.lines())
            if page < pages:
                nxt = f"/feed.jsonl?version={version.number}&per_page={per_page}&page={page + 1}"
                headers["Link"] = f'<{nxt}>; rel="next"'
            variant = f"jsonl.{per_page}.p{page}"
            content_type = "application/x-ndjson"
        elif path == "/feed.csv":
            body = owner.rendered(version, fmt, garbage).body
            content_type = "text/csv; charset=utf-8"
        else:
            body = owner.gzipped(version, garbage)
            if owner.faults.truncate_gzip:
                body = body[: len(body) // 2]
                variant += ".cut"
            content_type = "application/gzip"
        etag = f'"{version.digest}-v{version.number}-{variant}-g{garbage:g}"'
        headers["ETag"] = etag
        if self._not_modified(etag, version.published_at):
            del headers["Accept-Ranges"]
            self._send(304, b"", content_type, headers)
            return
        status = 200
        start = self._range_start(etag, len(body))
        if start is not None:
            if start >= len(body):
                self._send(416, b"", content_type, {"Content-Range": f"bytes */{len(body)}"})
                return
            headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
            body = body[start:]
            status = 206
        self._send(status, body, content_type, headers, arg if kind == "drop" else None)

    def _not_modified(self, etag: str, published_at: datetime) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or etag in tags or f"W/{etag}" in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            return published_at <= since
        return False

    def _range_start(self, etag: str, length: int) -> int | None:
        rng = self.headers.get("Range")
        if not rng or not rng.startswith("bytes=") or "," in rng:
            return None
        if_range = self.headers.get("If-Range")
        if if_range is not None and if_range.strip() != etag:
            return None  # representation changed: send it whole
        first, _, last = rng[len("bytes=") :].partition("-")
        if not first.isdigit() or last:
            return None  # only "bytes=N-" is supported; anything else gets the full body
        return int(first)
