"""Feed format: records, streaming CSV / JSON Lines parsing and per-row validation.

A feed is a byte stream (optionally gzipped) holding one record per line, either CSV with a
header or JSON Lines. :func:`parse_feed` turns any iterable of byte chunks into a stream of
:class:`FeedRecord` (valid rows) and :class:`QuarantinedRow` (rows rejected with a reason).
Memory stays bounded by the longest line plus one integer per distinct GTIN (for duplicate
detection); the file itself is never held in memory.

Bad rows are data problems and never stop parsing. A stream that cannot be read to its end
(truncated or corrupt gzip, a missing CSV header, a dropped connection surfaced by a source)
raises :class:`FeedError`: the sync run must stop and keep the last good version.
See ``docs/feed.md`` for the format.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

from eligo.catalog.gtin import InvalidGtin, normalize_gtin
from eligo.errors import EligoError

__all__ = [
    "FEED_FIELDS",
    "STATUSES",
    "FeedError",
    "FeedFormat",
    "FeedRecord",
    "FeedStats",
    "QuarantinedRow",
    "iter_lines",
    "parse_feed",
    "parse_lines",
    "record_to_csv_row",
    "record_to_json",
    "write_feed",
]

logger = logging.getLogger(__name__)

FeedFormat = Literal["csv", "jsonl"]
FEED_FIELDS: Final = ("gtin", "name", "brand", "status", "category", "updated_at")
OPTIONAL_FIELDS: Final = ("source",)
STATUSES: Final = frozenset({"eligible", "lmn", "rx", "not_eligible"})

MAX_LINE_BYTES: Final = 64 * 1024
MAX_NAME_CHARS: Final = 500
MAX_FIELD_CHARS: Final = 200
MAX_SOURCE_CHARS: Final = 100  # matches catalog_products.source
RAW_EXCERPT_CHARS: Final = 200
_GZIP_MAGIC: Final = b"\x1f\x8b"
# Decompress in slices so one small, highly compressed chunk cannot balloon in memory.
_INFLATE_SLICE: Final = 256 * 1024


class FeedError(EligoError):
    """The feed as a whole cannot be read; the sync run stops and keeps the last good version."""

    code = "feed_error"
    http_status = 502
    default_message = "The product feed could not be read"


@dataclass(frozen=True, slots=True)
class FeedRecord:
    """One valid product row, GTIN normalized to 14 digits."""

    gtin: str
    name: str
    brand: str
    status: str
    category: str
    updated_at: datetime | None
    # Where the row comes from at the publisher (e.g. ``off:036000291452``); optional.
    source: str = ""


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """A row that failed validation; kept for the sync report, never applied."""

    line_no: int
    reason: str
    raw: str
    # Stable machine-readable reason: bad_gtin, unknown_status, missing_name, duplicate_gtin,
    # malformed_row, bad_field.
    code: str = "malformed_row"


@dataclass(slots=True)
class FeedStats:
    """Counts kept while parsing; read after the stream is exhausted."""

    lines: int = 0
    records: int = 0
    quarantined: int = 0
    bytes_in: int = 0

    @property
    def bad_share(self) -> float:
        total = self.records + self.quarantined
        return self.quarantined / total if total else 0.0


class _RowError(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


# -- bytes -> lines --------------------------------------------------------------------------


def _gunzip(chunks: Iterator[bytes], first: bytes) -> Iterator[bytes]:
    """Inflate a (possibly multi-member) gzip stream; raise FeedError if it ends early."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    pending: bytes = first
    while True:
        while pending:
            try:
                out = inflater.decompress(pending, _INFLATE_SLICE)
            except zlib.error as exc:
                raise FeedError(f"corrupt gzip stream: {exc}") from exc
            if out:
                yield out
            if inflater.eof:
                # Concatenated gzip members are valid gzip; start a fresh inflater.
                pending = inflater.unused_data
                if pending:
                    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            else:
                pending = inflater.unconsumed_tail
        nxt = next(chunks, None)
        if nxt is None:
            break
        pending = nxt
    if not inflater.eof:
        tail = inflater.flush()
        if tail:
            yield tail
        raise FeedError("truncated gzip stream: the feed ended before the gzip trailer")


def _maybe_gunzip(chunks: Iterable[bytes], stats: FeedStats) -> Iterator[bytes]:
    def counted() -> Iterator[bytes]:
        for chunk in chunks:
            if chunk:
                stats.bytes_in += len(chunk)
                yield chunk

    it = counted()
    head = b""
    # Gather two bytes to sniff the gzip magic even if the first chunk is one byte long.
    for chunk in it:
        head += chunk
        if len(head) >= 2:
            break
    if head[:2] == _GZIP_MAGIC:
        yield from _gunzip(it, head)
    else:
        if head:
            yield head
        yield from it


def iter_lines(chunks: Iterable[bytes], stats: FeedStats | None = None) -> Iterator[bytes]:
    """Split a (possibly gzipped) byte stream into lines without their line endings.

    A line longer than ``MAX_LINE_BYTES`` is cut there and the rest of it dropped, so a
    stream without newlines cannot exhaust memory; the cut line then fails validation.
    """
    stats = stats if stats is not None else FeedStats()
    buf = bytearray()
    skipping = False
    for data in _maybe_gunzip(chunks, stats):
        start = 0
        while True:
            nl = data.find(b"\n", start)
            if nl < 0:
                if not skipping:
                    buf += data[start:]
                    if len(buf) > MAX_LINE_BYTES:
                        yield bytes(buf[:MAX_LINE_BYTES])
                        buf.clear()
                        skipping = True
                break
            if skipping:
                skipping = False
            else:
                buf += data[start:nl]
                yield bytes(buf[:MAX_LINE_BYTES]).rstrip(b"\r")
                buf.clear()
            start = nl + 1
    if buf and not skipping:
        yield bytes(buf).rstrip(b"\r")


# -- validation -------------------------------------------------------------------------------


def _text(value: Any, field: str, *, limit: int = MAX_FIELD_CHARS) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _RowError("bad_field", f"{field} must be a string, got {type(value).__name__}")
    text: str = value.strip()
    if len(text) > limit:
        raise _RowError("bad_field", f"{field} is longer than {limit} characters")
    return text


def _timestamp(value: Any) -> datetime | None:
    text = _text(value, "updated_at")
    if not text:
        return None
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        raise _RowError("bad_field", f"updated_at is not an ISO 8601 timestamp: {text!r}") from None
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)


def _validate(fields: dict[str, Any]) -> FeedRecord:
    raw_gtin = fields.get("gtin")
    if raw_gtin is None or raw_gtin == "":
        raise _RowError("bad_gtin", "missing GTIN")
    if isinstance(raw_gtin, int) and not isinstance(raw_gtin, bool):
        # JSON numbers lose leading zeros; padding is safe because zeros do not change the
        # check digit, and the check digit still guards the value.
        raw_gtin = str(raw_gtin).zfill(14) if raw_gtin >= 0 else str(raw_gtin)
    if not isinstance(raw_gtin, str):
        raise _RowError("bad_gtin", f"GTIN must be a string, got {type(raw_gtin).__name__}")
    try:
        gtin = normalize_gtin(raw_gtin)
    except InvalidGtin as exc:
        raise _RowError("bad_gtin", str(exc)) from None
    name = _text(fields.get("name"), "name", limit=MAX_NAME_CHARS)
    if not name:
        raise _RowError("missing_name", "missing name")
    status_raw = fields.get("status")
    status = status_raw.strip().lower() if isinstance(status_raw, str) else ""
    if status not in STATUSES:
        shown = status_raw if isinstance(status_raw, str) else repr(status_raw)
        raise _RowError(
            "unknown_status",
            f"unknown status {shown!r}; expected one of eligible, lmn, rx, not_eligible",
        )
    return FeedRecord(
        gtin=gtin,
        name=name,
        brand=_text(fields.get("brand"), "brand"),
        status=status,
        category=_text(fields.get("category"), "category"),
        updated_at=_timestamp(fields.get("updated_at")),
        source=_text(fields.get("source"), "source", limit=MAX_SOURCE_CHARS),
    )


def _excerpt(line: bytes) -> str:
    return line[: RAW_EXCERPT_CHARS * 4].decode("utf-8", "replace")[:RAW_EXCERPT_CHARS]


def _csv_header(line: str) -> list[str]:
    header = [h.strip().lower() for h in next(csv.reader([line]))]
    missing = [f for f in FEED_FIELDS if f not in header]
    if missing:
        raise FeedError(
            f"CSV header must name {', '.join(FEED_FIELDS)}; missing {', '.join(missing)}"
        )
    if len(set(header)) != len(header):
        raise FeedError("CSV header repeats a column name")
    return header


def _detect_format(line: bytes) -> FeedFormat:
    return "jsonl" if line.lstrip().startswith(b"{") else "csv"


def parse_lines(
    lines: Iterable[bytes],
    fmt: FeedFormat | None = None,
    stats: FeedStats | None = None,
) -> Iterator[FeedRecord | QuarantinedRow]:
    """Validate feed lines (without line endings) one by one; see :func:`parse_feed`."""
    stats = stats if stats is not None else FeedStats()
    header: list[str] | None = None
    first_line: dict[int, int] = {}  # GTIN as int -> line number where it was first seen
    non_blank = 0
    for line_no, raw in enumerate(lines, start=1):
        stats.lines = line_no
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        non_blank += 1
        if fmt is None:
            fmt = _detect_format(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            if header is None and fmt == "csv":
                raise FeedError("CSV header is not valid UTF-8") from None
            stats.quarantined += 1
            yield QuarantinedRow(line_no, "malformed row: not valid UTF-8", _excerpt(raw))
            continue
        if fmt == "csv" and header is None:
            header = _csv_header(text)
            continue
        try:
            if fmt == "csv":
                assert header is not None
                try:
                    values = next(csv.reader([text], strict=True))
                except csv.Error as exc:
                    raise _RowError("malformed_row", f"malformed row: {exc}") from None
                if len(values) != len(header):
                    raise _RowError(
                        "malformed_row",
                        f"malformed row: expected {len(header)} fields, got {len(values)}",
                    )
                fields: dict[str, Any] = dict(zip(header, values, strict=True))
            else:
                try:
                    obj = json.loads(text)
                except ValueError as exc:
                    raise _RowError(
                        "malformed_row", f"malformed row: invalid JSON ({exc})"
                    ) from None
                if not isinstance(obj, dict):
                    raise _RowError("malformed_row", "malformed row: JSON line is not an object")
                fields = obj
            record = _validate(fields)
            key = int(record.gtin)
            seen = first_line.get(key)
            if seen is not None:
                raise _RowError(
                    "duplicate_gtin", f"duplicate GTIN {record.gtin}, first seen on line {seen}"
                )
            first_line[key] = line_no
        except _RowError as err:
            stats.quarantined += 1
            yield QuarantinedRow(line_no, err.reason, _excerpt(raw), err.code)
            continue
        stats.records += 1
        yield record
    if non_blank == 0:
        raise FeedError("the feed is empty")
    if fmt == "csv" and header is None:
        raise FeedError("the CSV feed has no header line")


def parse_feed(
    chunks: Iterable[bytes],
    fmt: FeedFormat | None = None,
    stats: FeedStats | None = None,
) -> Iterator[FeedRecord | QuarantinedRow]:
    """Stream-parse a feed from byte chunks (gzip detected by its magic bytes).

    ``fmt`` defaults to sniffing the first non-blank line: ``{`` means JSON Lines, anything
    else CSV with a header. The first occurrence of a GTIN wins; later ones are quarantined
    as duplicates. Raises :class:`FeedError` when the stream itself is broken.
    """
    stats = stats if stats is not None else FeedStats()
    yield from parse_lines(iter_lines(chunks, stats), fmt, stats)


# -- writing (reference server, exports, tests) -----------------------------------------------


def _iso(ts: datetime | None) -> str:
    if ts is None:
        return ""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_to_csv_row(record: FeedRecord) -> list[str]:
    """Values in ``FEED_FIELDS + ("source",)`` order."""
    return [
        record.gtin,
        record.name,
        record.brand,
        record.status,
        record.category,
        _iso(record.updated_at),
        record.source,
    ]


def record_to_json(record: FeedRecord) -> str:
    """One JSON Lines line (without the newline)."""
    return json.dumps(
        {
            "gtin": record.gtin,
            "name": record.name,
            "brand": record.brand,
            "status": record.status,
            "category": record.category,
            "updated_at": _iso(record.updated_at),
            "source": record.source,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def write_feed(records: Iterable[FeedRecord], path: str | Path) -> int:
    """Write records as a feed file; the format follows the suffix (.csv, .jsonl, + .gz)."""
    path = Path(path)
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson")):
        fmt: FeedFormat = "jsonl"
    elif name.endswith(".csv"):
        fmt = "csv"
    else:
        raise ValueError(f"cannot tell the feed format from {path.name!r}: use .csv or .jsonl")
    gz = path.name.lower().endswith(".gz")
    count = 0
    with (
        gzip.open(path, "wt", encoding="utf-8", newline="")
        if gz
        else path.open("w", encoding="utf-8", newline="")
    ) as out:
        if fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow((*FEED_FIELDS, *OPTIONAL_FIELDS))
            for record in records:
                writer.writerow(record_to_csv_row(record))
                count += 1
        else:
            for record in records:
                out.write(record_to_json(record))
                out.write("\n")
                count += 1
    return count
