"""Feed parsing: CSV / JSON Lines, gzip, broken streams, per-row quarantine."""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligo.catalog.feed import (
    MAX_LINE_BYTES,
    FeedError,
    FeedRecord,
    FeedStats,
    QuarantinedRow,
    iter_lines,
    parse_feed,
    record_to_csv_row,
    record_to_json,
)

HEADER = b"gtin,name,brand,status,category,updated_at\n"
GOOD_CSV = HEADER + (
    b"036000291452,Kleenex Tissues,Kimberly-Clark,not_eligible,grocery,2026-01-02T03:04:05Z\n"
    b"4006381333931,Digital Thermometer,Acme,eligible,device,\n"
    b'00012345678905,"Band-Aid, Sheer",J&J,ELIGIBLE,first aid,2026-01-02\n'
)


def chunked(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def split(
    items: Iterable[FeedRecord | QuarantinedRow],
) -> tuple[list[FeedRecord], list[QuarantinedRow]]:
    good: list[FeedRecord] = []
    bad: list[QuarantinedRow] = []
    for item in items:
        (good if isinstance(item, FeedRecord) else bad).append(item)  # type: ignore[arg-type]
    return good, bad


def test_csv_records_are_normalized() -> None:
    good, bad = split(parse_feed([GOOD_CSV]))
    assert bad == []
    assert [r.gtin for r in good] == ["00036000291452", "04006381333931", "00012345678905"]
    assert good[0].updated_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert good[1].updated_at is None
    assert good[2].name == "Band-Aid, Sheer"
    assert good[2].status == "eligible"  # case-folded
    assert good[2].updated_at == datetime(2026, 1, 2, tzinfo=UTC)  # naive means UTC


@pytest.mark.parametrize("size", [1, 2, 7, 64, 10_000])
def test_any_chunking_gives_same_result(size: int) -> None:
    whole = list(parse_feed([GOOD_CSV]))
    assert list(parse_feed(chunked(GOOD_CSV, size))) == whole
    gz = gzip.compress(GOOD_CSV)
    assert list(parse_feed(chunked(gz, size))) == whole


def test_header_columns_in_any_order_and_extra_columns() -> None:
    data = (
        b"\xef\xbb\xbfStatus,GTIN,name,brand,category,updated_at,source,extra\r\n"
        b"rx,036000291452,Thing,B,c,,off:036000291452,x\r\n"
    )
    good, bad = split(parse_feed([data]))
    assert bad == []
    assert good[0].status == "rx"
    assert good[0].source == "off:036000291452"


def test_missing_header_column_is_fatal() -> None:
    with pytest.raises(FeedError, match="missing status"):
        list(parse_feed([b"gtin,name,brand,category,updated_at\n036000291452,a,b,c,\n"]))


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", gzip.compress(b"")])
def test_empty_feed_is_fatal(data: bytes) -> None:
    with pytest.raises(FeedError, match="empty"):
        list(parse_feed([data]))


def test_jsonl_records() -> None:
    lines = [
        {
            "gtin": "036000291452",
            "name": "A",
            "brand": "",
            "status": "lmn",
            "category": "",
            "updated_at": "2026-03-01T00:00:00+00:00",
        },
        {"gtin": 36000291469, "name": "B", "status": "eligible"},  # number, fields missing
    ]
    data = "\n".join(json.dumps(x) for x in lines).encode()
    good, bad = split(parse_feed([data]))
    assert bad == []
    assert [r.gtin for r in good] == ["00036000291452", "00036000291469"]
    assert good[1].brand == ""


def test_bad_rows_are_quarantined_with_reasons() -> None:
    data = HEADER + (
        b"036000291452,Good,B,eligible,c,\n"  # line 2
        b"036000291453,Bad check,B,eligible,c,\n"  # 3
        b"036000291469,Unknown status,B,maybe,c,\n"  # 4
        b"036000291476,,B,eligible,c,\n"  # 5
        b"0036000291452,Dup as EAN-13,B,rx,c,\n"  # 6
        b"garbage\n"  # 7
        b"036000291483,Bad time,B,rx,c,yesterday\n"  # 8
        b"\xff\xfe,not utf8,B,rx,c,\n"  # 9
        b"12,Short,B,rx,c,\n"  # 10
        b'036000291490,"unterminated,B,rx,c,\n'  # 11
        b"\n"  # 12 blank lines are skipped
        b"036000291506,Fine,B,not_eligible,c,\n"  # 13
    )
    stats = FeedStats()
    good, bad = split(parse_feed([data], stats=stats))
    assert [r.name for r in good] == ["Good", "Fine"]
    by_line = {q.line_no: q for q in bad}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert by_line[3].code == "bad_gtin"
    assert "check digit should be 2, got 3" in by_line[3].reason
    assert by_line[4].code == "unknown_status"
    assert "'maybe'" in by_line[4].reason
    assert by_line[5].code == "missing_name"
    assert by_line[6].code == "duplicate_gtin"
    assert "first seen on line 2" in by_line[6].reason
    assert by_line[7].code == "malformed_row"
    assert "expected 6 fields, got 1" in by_line[7].reason
    assert by_line[7].raw == "garbage"
    assert by_line[8].code == "bad_field"
    assert by_line[9].code == "malformed_row"
    assert "UTF-8" in by_line[9].reason
    assert "must be 8, 12, 13 or 14 digits, got 2" in by_line[10].reason
    assert by_line[11].code == "malformed_row"
    assert stats.records == 2
    assert stats.quarantined == 9
    assert stats.bad_share == pytest.approx(9 / 11)


def test_jsonl_garbage_lines() -> None:
    data = b'{"gtin":"036000291452","name":"A","status":"rx"}\n[1,2]\n{not json\n"str"\n'
    good, bad = split(parse_feed([data]))
    assert len(good) == 1
    assert [q.line_no for q in bad] == [2, 3, 4]
    assert all(q.code == "malformed_row" for q in bad)


def test_truncated_gzip_is_fatal_after_good_rows() -> None:
    gz = gzip.compress(
        GOOD_CSV * 1
        + b"".join(b"%s,Item %d,B,eligible,c,\n" % (_gtin(i).encode(), i) for i in range(2000))
    )
    seen: list[FeedRecord | QuarantinedRow] = []
    stream = parse_feed(chunked(gz[: len(gz) // 2], 4096))
    with pytest.raises(FeedError, match="truncated gzip"):
        seen.extend(stream)
    assert seen  # rows before the cut were streamed, the error still comes at the end


def test_corrupt_gzip_is_fatal() -> None:
    gz = bytearray(gzip.compress(GOOD_CSV))
    gz[20:30] = b"\x00" * 10
    with pytest.raises(FeedError, match="gzip"):
        list(parse_feed([bytes(gz)]))


def test_multi_member_gzip() -> None:
    body = b"036000291469,Second,B,rx,c,\n"
    good, _ = split(parse_feed([gzip.compress(GOOD_CSV) + gzip.compress(body)]))
    assert [r.name for r in good][-1] == "Second"


def test_overlong_line_is_cut_and_quarantined() -> None:
    data = (
        HEADER
        + b"036000291452,"
        + b"x" * (MAX_LINE_BYTES * 3)
        + b",B,rx,c,\n"
        + (b"036000291469,After,B,rx,c,\n")
    )
    good, bad = split(parse_feed(chunked(data, 1000)))
    assert [r.name for r in good] == ["After"]
    assert bad[0].line_no == 2
    assert len(bad[0].raw) <= 200


def test_gzip_bomb_is_inflated_in_slices() -> None:
    # 8 MB of one line compresses to ~8 kB; it must come out cut, not held whole.
    gz = gzip.compress(b"x" * 8_000_000 + b"\nend\n", compresslevel=9)
    assert len(gz) < 50_000
    lines = list(iter_lines([gz]))
    assert [len(line) for line in lines] == [MAX_LINE_BYTES, 3]


def test_round_trip_through_writers() -> None:
    rec = FeedRecord(
        "00036000291452",
        'Name, with "quotes"',
        "Brånd",
        "lmn",
        "supplement",
        datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC),
        "dsld:1",
    )
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*HEADER.decode().strip().split(","), "source"])
    w.writerow(record_to_csv_row(rec))
    assert list(parse_feed([buf.getvalue().encode()])) == [rec]
    assert list(parse_feed([record_to_json(rec).encode() + b"\n"])) == [rec]


def _gtin(i: int) -> str:
    from eligo.catalog.gtin import gtin_check_digit

    body = f"2{i:011d}"
    return body + str(gtin_check_digit(body))


@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
            min_size=1,
            max_size=30,
        ).filter(lambda s: s.strip() == s and s),
        min_size=1,
        max_size=20,
    )
)
def test_names_survive_csv_and_jsonl(names: list[str]) -> None:
    recs = [
        FeedRecord(_gtin(i).zfill(14), n, "", "eligible", "", None) for i, n in enumerate(names)
    ]
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["gtin", "name", "brand", "status", "category", "updated_at", "source"])
    for r in recs:
        w.writerow(record_to_csv_row(r))
    assert list(parse_feed([buf.getvalue().encode()])) == recs
    jsonl = "".join(record_to_json(r) + "\n" for r in recs).encode()
    assert list(parse_feed([jsonl])) == recs


@given(st.lists(st.integers(min_value=1, max_value=len(GOOD_CSV) - 1), max_size=12), st.booleans())
def test_random_split_points_never_change_the_result(cuts: list[int], gz: bool) -> None:
    data = gzip.compress(GOOD_CSV, mtime=0) if gz else GOOD_CSV.replace(b"\n", b"\r\n")
    points = sorted({c % len(data) for c in cuts} | {0, len(data)})
    chunks = [data[a:b] for a, b in itertools.pairwise(points)]
    assert list(parse_feed(chunks)) == list(parse_feed([GOOD_CSV]))


# -- fast paths agree with the exact rules ------------------------------------------------------

_DIGITS = st.text(alphabet="0123456789", min_size=7, max_size=15)


@given(st.one_of(_DIGITS, st.text(alphabet="0123456789 -x\u0663", max_size=16)))
def test_fast_gtin_agrees_with_normalize_gtin(raw: str) -> None:
    from eligo.catalog.feed import _fast_gtin
    from eligo.catalog.gtin import InvalidGtin, normalize_gtin

    try:
        exact: str | None = normalize_gtin(raw)
    except InvalidGtin:
        exact = None
    fast = _fast_gtin(raw)
    # The fast path never accepts what the exact rule rejects, and never changes the result.
    assert fast is None or fast == exact
    if raw.isascii() and raw.isdigit() and len(raw) in (8, 12, 13, 14):
        assert fast == exact


@given(st.text(alphabet='ab, "\r\x00\t', max_size=12).filter(lambda s: s.strip()))
def test_csv_fast_split_agrees_with_the_csv_module(text: str) -> None:
    import csv

    from eligo.catalog.feed import _csv_values, _RowError

    try:
        expected: list[str] | None = next(csv.reader([text], strict=True))
    except csv.Error:
        expected = None
    width = len(expected) if expected is not None else 1
    try:
        got: list[str] | None = _csv_values(text, width)
    except _RowError:
        got = None
    assert got == expected


def test_csv_row_checks_keep_their_order_on_the_fast_path() -> None:
    long = "x" * 201
    data = (
        HEADER
        + (
            f"036000291452,{'n' * 501},B,eligible,c,\n"  # 2 name too long
            f"036000291469,Name,{long},maybe,c,\n"  # 3 status is checked before brand
            f"036000291476,Name,{long},rx,c,\n"  # 4 brand too long
            f"036000291483,Name,B,rx,{long},\n"  # 5 category too long
            f"036000291490,Name,B,rx,c,{long}\n"  # 6 updated_at too long
            " 036000291506 , Spaced ,  B , rx ,c , 2026-01-02 \n"  # 7 fine once stripped
        ).encode()
    )
    good, bad = split(parse_feed([data]))
    assert [(q.line_no, q.code) for q in bad] == [
        (2, "bad_field"),
        (3, "unknown_status"),
        (4, "bad_field"),
        (5, "bad_field"),
        (6, "bad_field"),
    ]
    assert "name is longer than 500" in bad[0].reason
    assert "brand is longer" in bad[2].reason
    assert "category is longer" in bad[3].reason
    assert "updated_at is longer" in bad[4].reason
    assert good == [
        FeedRecord("00036000291506", "Spaced", "B", "rx", "c", datetime(2026, 1, 2, tzinfo=UTC), "")
    ]


def test_parse_lines_and_parse_feed_agree_across_blocks() -> None:
    from eligo.catalog.feed import parse_lines

    rows = b"".join(b"%s,Item %d,B,eligible,c,\n" % (_gtin(i).encode(), i) for i in range(2500))
    # The repeated first row is a duplicate found in a later block.
    data = HEADER + rows + rows[: rows.index(b"\n") + 1]
    from_lines = list(parse_lines(data.split(b"\n")))
    assert from_lines == list(parse_feed(chunked(data, 333)))
    good, bad = split(from_lines)
    assert len(good) == 2500
    assert [(q.line_no, q.code) for q in bad] == [(2502, "duplicate_gtin")]
    assert "first seen on line 2" in bad[0].reason


def test_overlong_line_at_the_end_without_newline() -> None:
    data = HEADER + b"036000291469,Fine,B,rx,c,\n" + b"y" * (MAX_LINE_BYTES + 10)
    lines = list(iter_lines(chunked(data, 4096)))
    assert len(lines[-1]) == MAX_LINE_BYTES
    good, bad = split(parse_feed(chunked(data, 4096)))
    assert [r.name for r in good] == ["Fine"]
    assert [q.line_no for q in bad] == [3]
