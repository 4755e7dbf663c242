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
import itertools
import json
import logging
import operator
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

from eligo.catalog.gtin import GTIN_LENGTHS, InvalidGtin, normalize_gtin
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
_BOM: Final = b"\xef\xbb\xbf"
_ALL_ZEROS: Final = "0" * 14
# Lines per block when parse_lines is handed single lines.
_LINE_BLOCK: Final = 1000
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


def _trim(lines: list[bytes], carriage_returns: bool) -> list[bytes]:
    """Cut overlong lines at ``MAX_LINE_BYTES`` and drop ``\r`` line-ending remains."""
    if max(map(len, lines)) > MAX_LINE_BYTES:
        lines = [line[:MAX_LINE_BYTES] for line in lines]
    if carriage_returns:
        lines = [line.rstrip(b"\r") for line in lines]
    return lines


def _line_blocks(chunks: Iterable[bytes], stats: FeedStats) -> Iterator[list[bytes]]:
    """Split a (possibly gzipped) byte stream into blocks of lines without their endings.

    One ``bytes.split`` per chunk instead of a search per line. A line longer than
    ``MAX_LINE_BYTES`` is cut there and the rest of it dropped, so a stream without newlines
    cannot exhaust memory (at most one line plus one inflated slice is held); the cut line then
    fails validation.
    """
    carry = b""
    skipping = False
    for data in _maybe_gunzip(chunks, stats):
        if skipping:
            nl = data.find(b"\n")
            if nl < 0:
                continue
            data = data[nl + 1 :]
            skipping = False
        elif carry:
            data = carry + data
        lines = data.split(b"\n")
        carry = lines.pop()
        if len(carry) > MAX_LINE_BYTES:
            lines.append(carry)
            carry = b""
            skipping = True
        if lines:
            yield _trim(lines, b"\r" in data)
    if carry and not skipping:
        yield _trim([carry], b"\r" in carry)


def iter_lines(chunks: Iterable[bytes], stats: FeedStats | None = None) -> Iterator[bytes]:
    """Split a (possibly gzipped) byte stream into lines without their line endings.

    A line longer than ``MAX_LINE_BYTES`` is cut there and the rest of it dropped, so a
    stream without newlines cannot exhaust memory; the cut line then fails validation.
    """
    for block in _line_blocks(chunks, stats if stats is not None else FeedStats()):
        yield from block


# -- validation -------------------------------------------------------------------------------


def _text(value: Any, field: str, *, limit: int = MAX_FIELD_CHARS) -> str:
    if value.__class__ is str:
        text: str = value.strip()
    elif value is None:
        return ""
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise _RowError("bad_field", f"{field} must be a string, got {type(value).__name__}")
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


def _fast_gtin(raw: str) -> str | None:
    """The 14-digit GTIN for the common case (8, 12, 13 or 14 ASCII digits, right check digit,
    not all zeros); None for anything else, which :func:`normalize_gtin` then decides.

    Same GS1 rule as ``gtin_check_digit`` on the zero-padded code (leading zeros never change
    the check digit), without its per-call checks.
    """
    if len(raw) not in GTIN_LENGTHS or not (raw.isascii() and raw.isdigit()):
        return None
    gtin = raw.zfill(14)
    digits = gtin.encode("ascii")
    # Body positions 0, 2, ..., 12 carry weight 3 and 1, 3, ..., 11 weight 1 (ASCII '0' is 48).
    total = 3 * (sum(digits[0:13:2]) - 7 * 48) + sum(digits[1:13:2]) - 6 * 48
    if (10 - total % 10) % 10 != digits[13] - 48 or gtin == _ALL_ZEROS:
        return None
    return gtin


def _gtin(raw_gtin: Any) -> str:
    if raw_gtin.__class__ is str and raw_gtin:
        fast = _fast_gtin(raw_gtin)
        if fast is not None:
            return fast
    elif raw_gtin is None or raw_gtin == "":
        raise _RowError("bad_gtin", "missing GTIN")
    elif isinstance(raw_gtin, int) and not isinstance(raw_gtin, bool):
        # JSON numbers lose leading zeros; padding is safe because zeros do not change the
        # check digit, and the check digit still guards the value.
        raw_gtin = str(raw_gtin).zfill(14) if raw_gtin >= 0 else str(raw_gtin)
    elif not isinstance(raw_gtin, str):
        raise _RowError("bad_gtin", f"GTIN must be a string, got {type(raw_gtin).__name__}")
    try:
        return normalize_gtin(raw_gtin)
    except InvalidGtin as exc:
        raise _RowError("bad_gtin", str(exc)) from None


def _status(status_raw: Any) -> str:
    status = status_raw.strip().lower() if isinstance(status_raw, str) else ""
    if status not in STATUSES:
        shown = status_raw if isinstance(status_raw, str) else repr(status_raw)
        raise _RowError(
            "unknown_status",
            f"unknown status {shown!r}; expected one of eligible, lmn, rx, not_eligible",
        )
    return status


def _record(
    gtin: Any, name: Any, brand: Any, status: Any, category: Any, updated_at: Any, source: Any
) -> FeedRecord:
    """Validate one row's raw values (checked in this order; the first failure is the reason)."""
    checked_gtin = _gtin(gtin)
    checked_name = _text(name, "name", limit=MAX_NAME_CHARS)
    if not checked_name:
        raise _RowError("missing_name", "missing name")
    checked_status = status if status.__class__ is str and status in STATUSES else _status(status)
    return FeedRecord(
        checked_gtin,
        checked_name,
        _text(brand, "brand"),
        checked_status,
        _text(category, "category"),
        _timestamp(updated_at),
        _text(source, "source", limit=MAX_SOURCE_CHARS),
    )


def _csv_record(
    gtin: str, name: str, brand: str, status: str, category: str, updated_at: str, source: str
) -> FeedRecord:
    """:func:`_record` for CSV values (all strings) in one pass for the common, valid row;
    anything unusual goes through :func:`_record`, which finds the reason."""
    checked_gtin = _fast_gtin(gtin)
    name, brand, category = name.strip(), brand.strip(), category.strip()
    stamp, source = updated_at.strip(), source.strip()
    if (
        checked_gtin is None
        or not name
        or status not in STATUSES
        or len(name) > MAX_NAME_CHARS
        or len(brand) > MAX_FIELD_CHARS
        or len(category) > MAX_FIELD_CHARS
        or len(stamp) > MAX_FIELD_CHARS
        or len(source) > MAX_SOURCE_CHARS
    ):
        return _record(gtin, name, brand, status, category, updated_at, source)
    ts: datetime | None = None
    if stamp:
        try:
            ts = datetime.fromisoformat(stamp)
        except ValueError:
            return _record(gtin, name, brand, status, category, updated_at, source)
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=UTC)
    return FeedRecord(checked_gtin, name, brand, status, category, ts, source)


def _validate(fields: dict[str, Any]) -> FeedRecord:
    get = fields.get
    return _record(
        get("gtin"),
        get("name"),
        get("brand"),
        get("status"),
        get("category"),
        get("updated_at"),
        get("source"),
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


def _csv_values(text: str, width: int) -> list[str]:
    """One CSV line's values. A line without quotes (or line breaks, or NULs) splits on commas
    exactly as the csv module would; the rest goes through the csv module, line by line, so an
    unterminated quote spoils only its own line."""
    if '"' in text or "\r" in text or "\x00" in text:
        try:
            values = next(csv.reader([text], strict=True))
        except csv.Error as exc:
            raise _RowError("malformed_row", f"malformed row: {exc}") from None
    else:
        values = text.split(",")
    if len(values) != width:
        raise _RowError(
            "malformed_row", f"malformed row: expected {width} fields, got {len(values)}"
        )
    return values


def _json_fields(text: str) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise _RowError("malformed_row", f"malformed row: invalid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise _RowError("malformed_row", "malformed row: JSON line is not an object")
    return obj


class _Parser:
    """Validates blocks of lines; keeps the header, line numbers and the duplicate map."""

    def __init__(self, fmt: FeedFormat | None, stats: FeedStats) -> None:
        self.fmt = fmt
        self.stats = stats
        self.line_no = 0
        self.non_blank = 0
        self.width = 0
        # Picks (gtin, name, brand, status, category, updated_at, source) from a CSV row; a
        # missing source column reads the "" appended to each row.
        self.pick: Callable[[list[str]], tuple[str, ...]] | None = None
        self.first_line: dict[int, int] = {}  # GTIN as int -> line where it was first seen

    def header(self, text: str) -> None:
        header = _csv_header(text)
        self.width = len(header)
        positions = [header.index(f) for f in FEED_FIELDS]
        positions.append(header.index("source") if "source" in header else self.width)
        self.pick = operator.itemgetter(*positions)

    def block(self, lines: list[bytes]) -> Iterator[FeedRecord | QuarantinedRow]:
        stats = self.stats
        first_line = self.first_line
        line_no = self.line_no
        if line_no == 0 and lines and lines[0].startswith(_BOM):
            lines[0] = lines[0][3:]
        for raw in lines:
            line_no += 1
            if not raw or raw.isspace():
                continue
            self.non_blank += 1
            if self.fmt is None:
                self.fmt = _detect_format(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                if self.pick is None and self.fmt == "csv":
                    raise FeedError("CSV header is not valid UTF-8") from None
                stats.quarantined += 1
                yield QuarantinedRow(line_no, "malformed row: not valid UTF-8", _excerpt(raw))
                continue
            try:
                if self.fmt == "csv":
                    if self.pick is None:
                        self.header(text)
                        continue
                    values = _csv_values(text, self.width)
                    values.append("")
                    record = _csv_record(*self.pick(values))
                else:
                    record = _validate(_json_fields(text))
                key = int(record.gtin)
                seen = first_line.setdefault(key, line_no)
                if seen != line_no:
                    raise _RowError(
                        "duplicate_gtin", f"duplicate GTIN {record.gtin}, first seen on line {seen}"
                    )
            except _RowError as err:
                stats.quarantined += 1
                yield QuarantinedRow(line_no, err.reason, _excerpt(raw), err.code)
                continue
            stats.records += 1
            yield record
        self.line_no = stats.lines = line_no

    def finish(self) -> None:
        if self.non_blank == 0:
            raise FeedError("the feed is empty")
        if self.fmt == "csv" and self.pick is None:
            raise FeedError("the CSV feed has no header line")


def _parse_blocks(
    blocks: Iterable[list[bytes]], fmt: FeedFormat | None, stats: FeedStats
) -> Iterator[FeedRecord | QuarantinedRow]:
    parser = _Parser(fmt, stats)
    for block in blocks:
        yield from parser.block(block)
    parser.finish()


def parse_lines(
    lines: Iterable[bytes],
    fmt: FeedFormat | None = None,
    stats: FeedStats | None = None,
) -> Iterator[FeedRecord | QuarantinedRow]:
    """Validate feed lines (without line endings) one by one; see :func:`parse_feed`."""
    stats = stats if stats is not None else FeedStats()
    it = iter(lines)
    blocks = iter(lambda: list(itertools.islice(it, _LINE_BLOCK)), [])
    yield from _parse_blocks(blocks, fmt, stats)


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
    yield from _parse_blocks(_line_blocks(chunks, stats), fmt, stats)


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
