"""Reference feed: data built from the shared sources, versions, and the HTTP protocol."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from email.utils import format_datetime

import httpx
import pytest

from eligo.catalog.feed import FeedError, FeedRecord, parse_feed
from eligo.catalog.gtin import is_valid_gtin, normalize_gtin
from eligo.catalog.reference_feed import (
    FaultPlan,
    ReferenceFeed,
    ReferenceFeedServer,
    _case_variant,
    shared_data_dir,
)

pytestmark = pytest.mark.skipif(
    not (shared_data_dir() / "off_us_grocery_upcs").is_dir(),
    reason="shared data not available (set ELIGO_SHARED_DATA)",
)


@pytest.fixture(scope="module")
def feed() -> ReferenceFeed:
    return ReferenceFeed(3000, seed=11)


@pytest.fixture
def server(feed: ReferenceFeed) -> Iterator[ReferenceFeedServer]:
    with ReferenceFeedServer(feed) as srv:
        yield srv


def test_build_is_deterministic_and_traceable(feed: ReferenceFeed) -> None:
    again = ReferenceFeed(3000, seed=11)
    assert again.current.records == feed.current.records
    assert ReferenceFeed(3000, seed=12).current.records != feed.current.records
    records = feed.current.records
    assert len(records) == 3000
    assert len({r.gtin for r in records}) == 3000
    assert [r.gtin for r in records] == sorted(r.gtin for r in records)
    by_source: dict[str, list[FeedRecord]] = {}
    for r in records:
        assert is_valid_gtin(r.gtin)
        assert len(r.gtin) == 14
        by_source.setdefault(r.source.split(":")[0], []).append(r)
    assert set(by_source) == {"off", "dsld", "fda"}
    # OFF rows keep their real UPC; synthetic GTINs sit in the restricted-circulation range.
    for r in by_source["off"]:
        assert r.gtin == normalize_gtin(r.source.removeprefix("off:"))
        assert r.status == "not_eligible"
    for r in by_source["dsld"]:
        assert r.gtin.startswith("0291")
        assert int(r.gtin[4:13]) == int(r.source[5:])
        assert r.status == "lmn"
    assert {r.status for r in by_source["fda"]} <= {"eligible", "rx"}
    assert all(r.gtin.startswith("0292") for r in by_source["fda"])


def test_case_variant_is_a_gtin14_of_the_same_item(feed: ReferenceFeed) -> None:
    base = feed.current.records[0]
    case = _case_variant(base, 3)
    assert case.gtin[0] == "3"
    assert case.gtin[1:13] == base.gtin[1:13]
    assert is_valid_gtin(case.gtin)
    assert case.source == base.source + "/case3"


def test_publish_changes_exactly_the_reported_records() -> None:
    feed = ReferenceFeed(2000, seed=5)
    v1 = feed.current
    v2 = feed.publish(2.0)
    assert v2.number == 2
    assert len(v2.changes) == 40
    old = {r.gtin: r for r in v1.records}
    new = {r.gtin: r for r in v2.records}
    diff: dict[str, str] = {}
    for gtin in old.keys() | new.keys():
        a, b = old.get(gtin), new.get(gtin)
        if a is None:
            diff[gtin] = "added"
        elif b is None:
            diff[gtin] = "removed"
        elif a.status != b.status:
            diff[gtin] = "status_changed"
        elif a.name != b.name:
            diff[gtin] = "renamed"
        else:
            assert a == b
    assert diff == {c.gtin: c.kind for c in v2.changes}
    assert {c.kind for c in v2.changes} == {"added", "removed", "status_changed", "renamed"}
    # same seed, same history
    other = ReferenceFeed(2000, seed=5)
    assert other.publish(2.0).records == v2.records
    assert v2.published_at > v1.published_at


def test_old_versions_are_evicted() -> None:
    feed = ReferenceFeed(100, seed=1, keep_versions=2)
    for _ in range(3):
        feed.publish(1.0)
    assert feed.versions() == [3, 4]
    assert feed.version(1) is None


def test_full_csv_gz_and_conditional_get(server: ReferenceFeedServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        resp = client.get("/feed.csv.gz")
        assert resp.status_code == 200
        assert resp.headers["X-Feed-Version"] == "1"
        records = [r for r in parse_feed([resp.content]) if isinstance(r, FeedRecord)]
        assert records == list(server.feed.current.records)
        etag, modified = resp.headers["ETag"], resp.headers["Last-Modified"]
        assert client.get("/feed.csv.gz", headers={"If-None-Match": etag}).status_code == 304
        assert (
            client.get("/feed.csv.gz", headers={"If-Modified-Since": modified}).status_code == 304
        )
        assert client.get("/feed.csv", headers={"If-None-Match": etag}).status_code == 200


def test_pages_link_to_each_other_and_pin_the_version(server: ReferenceFeedServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        resp = client.get("/feed.jsonl", params={"per_page": 1000})
        assert resp.headers["X-Page-Count"] == "3"
        lines = resp.content.splitlines()
        assert len(lines) == 1000
        assert json.loads(lines[0])["gtin"] == server.feed.current.records[0].gtin
        nxt = resp.links["next"]["url"]
        assert "version=1" in nxt
        assert "page=2" in nxt
        last = client.get("/feed.jsonl", params={"per_page": 1000, "page": 3})
        assert "next" not in last.links
        assert client.get("/feed.jsonl", params={"page": 99}).status_code == 404


def test_range_requests(server: ReferenceFeedServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        full = client.get("/feed.csv")
        etag = full.headers["ETag"]
        part = client.get("/feed.csv", headers={"Range": "bytes=100-", "If-Range": etag})
        assert part.status_code == 206
        assert part.content == full.content[100:]
        stale = client.get("/feed.csv", headers={"Range": "bytes=100-", "If-Range": '"old"'})
        assert stale.status_code == 200
        assert stale.content == full.content


def test_garbage_rows_are_added_and_all_quarantined(server: ReferenceFeedServer) -> None:
    server.set_faults(FaultPlan(garbage_percent=10))
    with httpx.Client(base_url=server.url) as client:
        body = client.get("/feed.csv").content
    items = list(parse_feed([body]))
    good = [r for r in items if isinstance(r, FeedRecord)]
    assert good == list(server.feed.current.records)
    assert len(items) - len(good) == 300


def test_truncated_gzip_fault(server: ReferenceFeedServer) -> None:
    server.set_faults(FaultPlan(truncate_gzip=True))
    with httpx.Client(base_url=server.url) as client:
        body = client.get("/feed.csv.gz").content
    with pytest.raises(FeedError, match="truncated gzip"):
        list(parse_feed([body]))
    with pytest.raises(EOFError):
        gzip.decompress(body)


def test_admin_endpoints_publish_and_faults() -> None:
    with (
        ReferenceFeedServer(ReferenceFeed(500, seed=2)) as srv,
        httpx.Client(base_url=srv.url) as client,
    ):
        first = client.get("/feed.csv")
        resp = client.post("/admin/publish", json={"mutate_percent": 4})
        assert resp.json() == {"version": 2, "changes": 20, "records": 500}
        again = client.get("/feed.csv", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 200
        assert again.headers["X-Feed-Version"] == "2"
        since = format_datetime(srv.feed.version(1).published_at, usegmt=True)  # type: ignore[union-attr]
        assert client.get("/feed.csv", headers={"If-Modified-Since": since}).status_code == 200
        changes = client.get("/changes").json()
        assert changes["version"] == 2
        assert len(changes["changes"]) == 20
        assert client.get("/feed.csv", params={"version": 1}).headers["X-Feed-Version"] == "1"
        assert client.post("/admin/faults", json={"fail_count": 2}).status_code == 200
        assert [client.get("/feed.csv").status_code for _ in range(3)] == [500, 500, 200]
        assert client.post("/admin/faults", json={"nope": 1}).status_code == 400
        assert client.delete("/admin/faults").status_code == 204
        assert client.get("/").json()["current_version"] == 2
        stats = client.get("/admin/stats").json()
        assert stats["by_status"]["500"] == 2


def test_admin_can_be_disabled() -> None:
    with (
        ReferenceFeedServer(ReferenceFeed(50), admin=False) as srv,
        httpx.Client(base_url=srv.url) as client,
    ):
        assert client.post("/admin/publish").status_code == 404


def test_evicted_version_is_gone() -> None:
    feed = ReferenceFeed(50, seed=3, keep_versions=1)
    with ReferenceFeedServer(feed) as srv, httpx.Client(base_url=srv.url) as client:
        srv.publish(1.0)
        assert client.get("/feed.csv", params={"version": 1}).status_code == 410


def test_docs_example_runs() -> None:
    import re
    from pathlib import Path

    doc = Path(__file__).parents[3] / "docs" / "feed.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(), re.S)
    assert blocks
    for block in blocks:
        exec(block, {})


def test_render_cache_is_bounded() -> None:
    with (
        ReferenceFeedServer(ReferenceFeed(100, seed=9)) as srv,
        httpx.Client(base_url=srv.url) as client,
    ):
        for _ in range(6):
            srv.publish(1.0)
            assert client.get("/feed.csv.gz").status_code == 200
            assert client.get("/feed.jsonl").status_code == 200
        assert len(srv._cache) <= 4
        assert len(srv._gz_cache) <= 4
