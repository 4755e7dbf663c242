"""Feed sources against the real reference server on loopback, plus a file source."""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from eligo.catalog.feed import FeedError, FeedRecord, FeedStats, QuarantinedRow
from eligo.catalog.reference_feed import (
    FaultPlan,
    ReferenceFeed,
    ReferenceFeedServer,
    shared_data_dir,
)
from eligo.catalog.sources import (
    FileFeedSource,
    HttpFeedSource,
    RetryPolicy,
    open_source,
)

needs_data = pytest.mark.skipif(
    not (shared_data_dir() / "off_us_grocery_upcs").is_dir(),
    reason="shared data not available (set ELIGO_SHARED_DATA)",
)
FAST = RetryPolicy(max_attempts=4, base_seconds=0.01, max_seconds=0.05)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture(scope="module")
def feed() -> ReferenceFeed:
    return ReferenceFeed(2500, seed=21)


@pytest.fixture
def server(feed: ReferenceFeed) -> Iterator[ReferenceFeedServer]:
    with ReferenceFeedServer(feed) as srv:
        yield srv


def read_all(source: HttpFeedSource | FileFeedSource) -> tuple[list[FeedRecord], FeedStats]:
    stats = FeedStats()
    with source.fetch() as fetch:
        items = list(fetch.records(stats))
    assert not [i for i in items if isinstance(i, QuarantinedRow)]
    return [i for i in items if isinstance(i, FeedRecord)], stats


@needs_data
@pytest.mark.parametrize("path", ["/feed.jsonl?per_page=700", "/feed.csv", "/feed.csv.gz"])
def test_reads_every_representation(server: ReferenceFeedServer, path: str) -> None:
    source = HttpFeedSource(server.url + path)
    with source.fetch() as fetch:
        records = [r for r in fetch.records() if isinstance(r, FeedRecord)]
        assert fetch.meta.version == "1"
        assert fetch.meta.etag
        assert fetch.meta.last_modified
    assert records == list(server.feed.current.records)
    assert fetch.pages == (4 if "jsonl" in path else 1)


@needs_data
@pytest.mark.parametrize("path", ["/feed.jsonl?per_page=700", "/feed.csv.gz"])
def test_conditional_get_returns_not_modified(server: ReferenceFeedServer, path: str) -> None:
    source = HttpFeedSource(server.url + path)
    with source.fetch() as first:
        for _ in first.records():
            pass
    with source.fetch(etag=first.meta.etag) as again:
        assert again.not_modified
        assert list(again.records()) == []
    with source.fetch(last_modified=first.meta.last_modified) as again:
        assert again.not_modified
    assert server.stats.by_status[304] == 2


@needs_data
def test_new_version_is_fetched_after_publish() -> None:
    with ReferenceFeedServer(ReferenceFeed(300, seed=4)) as srv:
        source = HttpFeedSource(srv.url + "/feed.jsonl?per_page=100")
        with source.fetch() as first:
            list(first.records())
        srv.publish(5.0)
        with source.fetch(etag=first.meta.etag, last_modified=first.meta.last_modified) as nxt:
            assert not nxt.not_modified
            assert nxt.meta.version == "2"
            got = [r for r in nxt.records() if isinstance(r, FeedRecord)]
        assert got == list(srv.feed.current.records)


@needs_data
def test_retries_after_500s_with_backoff(server: ReferenceFeedServer) -> None:
    sleeps = Sleeps()
    server.set_faults(FaultPlan(after_requests=1, fail_count=3))  # page 2 fails three times
    source = HttpFeedSource(
        server.url + "/feed.jsonl?per_page=700", retry=FAST, sleep=sleeps, rng=random.Random(0)
    )
    records, _ = read_all(source)
    assert records == list(server.feed.current.records)
    assert len(sleeps) == 3
    assert sleeps == sorted(sleeps)  # exponential growth dominates the jitter here
    assert server.stats.by_status[500] == 3


@needs_data
def test_gives_up_after_max_attempts(server: ReferenceFeedServer) -> None:
    server.set_faults(FaultPlan(fail_count=10, fail_status=503))
    source = HttpFeedSource(server.url + "/feed.csv", retry=FAST, sleep=Sleeps())
    with pytest.raises(FeedError, match="failed 4 times; last: HTTP 503"):
        source.fetch()


@needs_data
def test_client_errors_are_not_retried(server: ReferenceFeedServer) -> None:
    sleeps = Sleeps()
    with pytest.raises(FeedError, match="HTTP 404"):
        HttpFeedSource(server.url + "/nothing.csv", sleep=sleeps).fetch()
    assert sleeps == []


@needs_data
@pytest.mark.parametrize("path", ["/feed.jsonl?per_page=700", "/feed.csv.gz", "/feed.csv"])
def test_resumes_after_dropped_connections(server: ReferenceFeedServer, path: str) -> None:
    # Third request (page 3 or the file's first resume) is cut after 3000 bytes, twice.
    server.set_faults(
        FaultPlan(after_requests=2 if "jsonl" in path else 0, drop_count=2, drop_after_bytes=3000)
    )
    source = HttpFeedSource(server.url + path, retry=FAST, sleep=Sleeps())
    with source.fetch() as fetch:
        records = [r for r in fetch.records() if isinstance(r, FeedRecord)]
        assert fetch.retries == 2
    assert records == list(server.feed.current.records)  # nothing lost, nothing twice
    assert server.stats.dropped == 2
    assert server.stats.by_status[206] >= 1  # resumed with Range, not from the start


@needs_data
def test_truncated_gzip_is_a_feed_error(server: ReferenceFeedServer) -> None:
    server.set_faults(FaultPlan(truncate_gzip=True))
    with (
        HttpFeedSource(server.url + "/feed.csv.gz").fetch() as fetch,
        pytest.raises(FeedError, match="truncated gzip"),
    ):
        list(fetch.records())


@needs_data
def test_garbage_rows_are_quarantined_not_fatal(server: ReferenceFeedServer) -> None:
    server.set_faults(FaultPlan(garbage_percent=3))
    stats = FeedStats()
    with HttpFeedSource(server.url + "/feed.jsonl?per_page=1000").fetch() as fetch:
        items = list(fetch.records(stats))
    assert stats.quarantined == 75
    assert stats.bad_share == pytest.approx(75 / 2575)
    assert [i for i in items if isinstance(i, FeedRecord)] == list(server.feed.current.records)


# -- boundary fakes for what the reference server never does ---------------------------------


def test_resume_without_range_support_skips_what_was_delivered() -> None:
    body = b"gtin,name,brand,status,category,updated_at\n" + b"".join(
        b"%s,Item %d,,eligible,,\n" % (b"036000291452", i) for i in range(50)
    )
    calls: list[dict[str, str]] = []

    class Broken(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield body[:20]
            raise httpx.ReadError("connection reset")

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(dict(request.headers))
        headers = {"ETag": '"e1"', "Content-Type": "text/csv"}
        if len(calls) == 1:
            return httpx.Response(200, headers=headers, stream=Broken())
        return httpx.Response(200, headers=headers, content=body)  # ignores Range

    source = HttpFeedSource(
        "http://feed.test/f.csv",
        transport=httpx.MockTransport(handler),
        retry=FAST,
        sleep=Sleeps(),
    )
    with source.fetch() as fetch:
        assert b"".join(fetch.iter_bytes()) == body
    assert calls[1]["range"] == "bytes=20-"
    assert calls[1]["if-range"] == '"e1"'


def test_changed_feed_during_resume_is_fatal() -> None:
    n = 0

    class Broken(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b"gtin,name"
            raise httpx.RemoteProtocolError("peer closed")

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal n
        n += 1
        if n == 1:
            return httpx.Response(200, headers={"ETag": '"a"'}, stream=Broken())
        return httpx.Response(200, headers={"ETag": '"b"'}, content=b"other")

    source = HttpFeedSource(
        "http://feed.test/f.csv",
        transport=httpx.MockTransport(handler),
        retry=FAST,
        sleep=Sleeps(),
    )
    with source.fetch() as fetch, pytest.raises(FeedError, match="changed while"):
        list(fetch.iter_bytes())


def test_version_change_between_pages_is_fatal() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        headers = {"X-Feed-Version": str(page), "Content-Type": "application/x-ndjson"}
        if page == 1:
            headers["Link"] = '</f.jsonl?page=2>; rel="next"'
        return httpx.Response(200, headers=headers, content=b'{"gtin":"036000291452"}\n')

    source = HttpFeedSource("http://feed.test/f.jsonl", transport=httpx.MockTransport(handler))
    with source.fetch() as fetch, pytest.raises(FeedError, match="version changed"):
        list(fetch.iter_bytes())


def test_connect_errors_and_timeouts_are_retried() -> None:
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise httpx.ConnectError("refused")
        if attempts == 2:
            raise httpx.ReadTimeout("slow")
        return httpx.Response(200, content=b'{"gtin":"036000291452","name":"A","status":"rx"}')

    sleeps = Sleeps()
    source = HttpFeedSource(
        "http://feed.test/f.jsonl",
        transport=httpx.MockTransport(handler),
        retry=FAST,
        sleep=sleeps,
    )
    with source.fetch() as fetch:
        assert [r.gtin for r in fetch.records()] == ["00036000291452"]  # type: ignore[union-attr]
        assert fetch.retries == 2
    assert len(sleeps) == 2


def test_backoff_is_exponential_with_bounded_jitter() -> None:
    policy = RetryPolicy(base_seconds=1.0, max_seconds=8.0)
    rng = random.Random(1)
    for attempt, cap in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = [policy.delay(attempt, rng) for _ in range(50)]
        assert min(delays) >= cap / 2
        assert max(delays) <= cap
        assert len(set(delays)) > 1


def test_file_source_gzip_and_not_modified(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv.gz"
    path.write_bytes(
        gzip.compress(b"gtin,name,brand,status,category,updated_at\n036000291452,A,B,eligible,c,\n")
    )
    source = open_source(str(path))
    assert isinstance(source, FileFeedSource)
    with source.fetch() as fetch:
        assert fetch.meta.format == "csv"
        records = list(fetch.records())
    assert [r.gtin for r in records] == ["00036000291452"]  # type: ignore[union-attr]
    with source.fetch(etag=fetch.meta.etag) as again:
        assert again.not_modified
    with pytest.raises(FeedError, match="cannot read"):
        FileFeedSource(tmp_path / "missing.csv").fetch()


def test_open_source_picks_http() -> None:
    assert isinstance(open_source("https://example.test/feed.csv"), HttpFeedSource)
    with pytest.raises(ValueError, match="http"):
        HttpFeedSource("ftp://example.test/feed.csv")


def test_not_modified_without_validators_keeps_the_callers() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(304))
    source = HttpFeedSource("http://feed.test/f.csv", transport=transport)
    with source.fetch(etag='"v1"', last_modified="Sun, 01 Mar 2026 00:00:00 GMT") as fetch:
        assert fetch.not_modified
        assert fetch.meta.etag == '"v1"'
        assert fetch.meta.last_modified == "Sun, 01 Mar 2026 00:00:00 GMT"


@needs_data
def test_closing_early_releases_the_response(server: ReferenceFeedServer) -> None:
    source = HttpFeedSource(server.url + "/feed.jsonl?per_page=500")
    with source.fetch() as fetch:
        stream = fetch.records()
        assert isinstance(next(stream), FeedRecord)
    # The next fetch works and the server saw only the first page of the abandoned one.
    records, _ = read_all(source)
    assert len(records) == 2500
    assert server.stats.by_status[200] == 1 + 5
