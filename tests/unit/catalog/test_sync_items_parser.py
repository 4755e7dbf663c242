"""Merchant upload parsing: streaming CSV / JSON Lines / JSON array, any chunking, row errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligo.catalog.gtin import gtin_check_digit
from eligo.catalog.merchant import ItemFormat, ItemParser, ItemRow, RowError, validate_item
from eligo.errors import BadRequest


def upc(seed: int) -> str:
    body = f"{seed:011d}"
    return body + str(gtin_check_digit(body))


ROWS = [
    {"sku": f"S{i}", "gtin": upc(1000 + i) if i % 3 else "", "title": f"Title, number {i} é"}
    for i in range(40)
]


def encode(fmt: ItemFormat, rows: list[dict[str, str]]) -> bytes:
    if fmt == "csv":
        lines = ["sku,gtin,title"] + [f'{r["sku"]},{r["gtin"]},"{r["title"]}"' for r in rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    if fmt == "jsonl":
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    return json.dumps(rows, ensure_ascii=False, indent=1).encode()


def parse(fmt: ItemFormat, data: bytes, cuts: list[int]) -> list[ItemRow | RowError]:
    parser = ItemParser(fmt)
    out: list[ItemRow | RowError] = []
    start = 0
    for cut in sorted(set(cuts)):
        out += parser.feed(data[start:cut])
        start = cut
    out += parser.feed(data[start:])
    out += parser.finish()
    return out


@settings(max_examples=60, deadline=None)
@given(
    fmt=st.sampled_from(["csv", "jsonl", "json"]),
    fractions=st.lists(st.floats(min_value=0, max_value=1), max_size=12),
)
def test_any_chunking_gives_the_same_rows(fmt: ItemFormat, fractions: list[float]) -> None:
    data = encode(fmt, ROWS)
    items = parse(fmt, data, [int(f * len(data)) for f in fractions])
    assert all(isinstance(i, ItemRow) for i in items)
    got = [(i.sku, i.gtin, i.title) for i in items if isinstance(i, ItemRow)]
    assert got == [(r["sku"], ("00" + r["gtin"]) if r["gtin"] else None, r["title"]) for r in ROWS]


def test_row_errors_name_line_sku_and_reason() -> None:
    data = (
        "SKU,Title,GTIN\n"
        "a,ok,\n"
        "b,bad gtin,036000291453\n"
        ",no sku,\n"
        "d,,\n"
        'e,"broken\n'
        "f,two,fields,extra\n"
        "g," + "x" * 501 + ",\n"
    ).encode()
    items = parse("csv", data, [])
    errors = {(e.line_no, e.code) for e in items if isinstance(e, RowError)}
    assert errors == {
        (3, "bad_gtin"),
        (4, "missing_sku"),
        (5, "missing_title"),
        (6, "malformed_row"),
        (7, "malformed_row"),
        (8, "bad_field"),
    }
    bad = next(e for e in items if isinstance(e, RowError) and e.code == "bad_gtin")
    assert bad.sku == "b"
    assert "check digit" in bad.reason


def test_validate_item_accepts_name_for_title_and_numeric_gtin() -> None:
    item = validate_item(1, {"sku": 17, "name": "Thermometer", "gtin": int(upc(5))})
    assert item == ItemRow(1, "17", "00" + upc(5), "Thermometer")
    assert isinstance(validate_item(2, {"sku": ["x"], "title": "t"}), RowError)


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("csv", b"gtin,title\n1,x\n"),  # no sku column
        ("json", b'{"sku": "a", "title": "b"}'),  # not an array
        ("json", b'[{"sku": "a", "title": "b"}'),  # never closed
    ],
)
def test_fatal_upload_problems(fmt: ItemFormat, data: bytes) -> None:
    with pytest.raises(BadRequest):
        parse(fmt, data, [])


def test_json_array_elements_that_are_not_objects_are_row_errors() -> None:
    items = parse("json", b'[1, {"sku": "a", "title": "b"}, "x"]', [5])
    assert [type(i).__name__ for i in items] == ["RowError", "ItemRow", "RowError"]
