"""Feed sources: where a feed's bytes come from (a local file or an HTTP(S) server).

A source's :meth:`~FeedSource.fetch` returns a :class:`FeedFetch`: the feed's metadata (ETag,
Last-Modified, version) known before any row is read, whether the feed is unchanged since the
last run (conditional GET), and a byte stream for :func:`eligo.catalog.feed.parse_feed`.

:class:`HttpFeedSource` reads either one file (CSV / JSON Lines, optionally gzipped) or a
paged JSON Lines feed that announces its next page in a ``Link: <...>; rel="next"`` header. It
retries connect errors, timeouts, dropped connections, 429 and 5xx with exponential backoff and
jitter, and resumes a broken response where it stopped (``Range: bytes=N-`` guarded by
``If-Range``; for a server without Range support it re-reads and skips what it already
delivered), so no row is ever delivered twice and a page never restarts from page 1.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Final, Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from eligo.catalog.feed import (
    FeedError,
    FeedFormat,
    FeedRecord,
    FeedStats,
    QuarantinedRow,
    parse_feed,
)

__all__ = [
    "FeedFetch",
    "FeedMeta",
    "FeedSource",
    "FileFeedSource",
    "HttpFeedSource",
    "RetryPolicy",
    "open_source",
]

logger = logging.getLogger(__name__)

CHUNK_BYTES: Final = 64 * 1024
MAX_PAGES: Final = 100_000
VERSION_HEADER: Final = "X-Feed-Version"
_RETRYABLE_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """What the source said about the feed before any row was read."""

    location: str
    etag: str | None = None
    last_modified: str | None = None
    version: str | None = None  # the publisher's version id, if it states one
    format: FeedFormat | None = None  # None: sniffed from the content


@dataclass
class FeedFetch:
    """One fetch of a feed: metadata plus a byte stream, or ``not_modified``.

    Use it as a context manager so an unfinished HTTP response is closed. ``pages``,
    ``retries`` and ``bytes_read`` grow while the stream is consumed (for the sync report).
    """

    meta: FeedMeta
    not_modified: bool = False
    _chunks: Iterator[bytes] | None = None
    _close: Callable[[], None] | None = None
    pages: int = 0
    retries: int = 0
    bytes_read: int = 0
    _stats: FeedStats = field(default_factory=FeedStats)

    def iter_bytes(self) -> Iterator[bytes]:
        if self.not_modified or self._chunks is None:
            return
        for chunk in self._chunks:
            self.bytes_read += len(chunk)
            yield chunk

    def records(self, stats: FeedStats | None = None) -> Iterator[FeedRecord | QuarantinedRow]:
        """Parsed, validated rows; raises :class:`FeedError` if the stream breaks for good."""
        if self.not_modified:
            return iter(())
        return parse_feed(self.iter_bytes(), self.meta.format, stats)

    def close(self) -> None:
        # Closing the generator first runs its cleanup (closes an unfinished response).
        closer = getattr(self._chunks, "close", None)
        if callable(closer):
            closer()
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> FeedFetch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class FeedSource(Protocol):
    """Anything that can fetch a feed, conditionally on what the last run saw."""

    location: str

    def fetch(self, *, etag: str | None = None, last_modified: str | None = None) -> FeedFetch:
        """Return the feed, or a fetch with ``not_modified=True`` if it has not changed."""
        ...


def _format_from_name(name: str) -> FeedFormat | None:
    name = name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    return None


# -- local file -------------------------------------------------------------------------------


class FileFeedSource:
    """A feed file on disk; its ETag is derived from size and modification time."""

    def __init__(self, path: str | Path, *, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.chunk_bytes = chunk_bytes

    def fetch(self, *, etag: str | None = None, last_modified: str | None = None) -> FeedFetch:
        try:
            st = self.path.stat()
        except OSError as exc:
            raise FeedError(f"cannot read feed file {self.path}: {exc.strerror}") from exc
        current = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        meta = FeedMeta(self.location, current, modified, None, _format_from_name(self.path.name))
        if etag is not None and etag == current:
            return FeedFetch(meta, not_modified=True)
        handle = self.path.open("rb")

        def chunks() -> Iterator[bytes]:
            with handle:
                while block := handle.read(self.chunk_bytes):
                    yield block

        return FeedFetch(meta, _chunks=chunks(), _close=handle.close, pages=1)


# -- HTTP -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with equal jitter: sleep in [d/2, d], d = min(cap, base * 2**n)."""

    max_attempts: int = 6  # per request, reset whenever a response makes progress
    base_seconds: float = 0.5
    max_seconds: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        d: float = min(self.max_seconds, self.base_seconds * 2.0 ** (attempt - 1))
        return d / 2 + rng.uniform(0, d / 2)


class HttpFeedSource:
    """Fetch a feed over HTTP(S) with conditional GET, retries, paging and resumption.

    ``transport`` is any httpx transport (tests pass ``httpx.MockTransport`` or nothing and
    talk to the real reference server on loopback). ``sleep`` is injectable so tests need not
    wait for backoff.
    """

    def __init__(
        self,
        url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = httpx.Timeout(30.0, connect=5.0),
        retry: RetryPolicy | None = None,
        headers: dict[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.url = url
        self.location = url
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client_args: dict[str, object] = {
            "transport": transport,
            "timeout": timeout,
            # Identity keeps byte offsets meaningful for Range resumption.
            "headers": {"Accept-Encoding": "identity", **(headers or {})},
            "follow_redirects": True,
        }

    def fetch(self, *, etag: str | None = None, last_modified: str | None = None) -> FeedFetch:
        client = httpx.Client(**self._client_args)  # type: ignore[arg-type]
        try:
            conditional: dict[str, str] = {}
            if etag:
                conditional["If-None-Match"] = etag
            if last_modified:
                conditional["If-Modified-Since"] = last_modified
            counter = _Counter()
            first = self._request(client, self.url, conditional, counter)
            # A 304 may omit validators; then the caller's still hold.
            unchanged = first.status_code == 304
            meta = FeedMeta(
                self.url,
                first.headers.get("ETag") or (etag if unchanged else None),
                first.headers.get("Last-Modified") or (last_modified if unchanged else None),
                first.headers.get(VERSION_HEADER),
                _format_from_type(first) or _format_from_name(urlsplit(self.url).path),
            )
            if unchanged:
                first.close()
                client.close()
                logger.info("feed %s not modified (etag %s)", self.url, etag)
                return FeedFetch(meta, not_modified=True, retries=counter.retries)
        except BaseException:
            client.close()
            raise
        fetch = FeedFetch(meta, _close=client.close, retries=counter.retries)
        fetch._chunks = self._pages(client, first, fetch, counter)
        return fetch

    # one request, with retries for connect errors, timeouts and 429/5xx

    def _request(
        self,
        client: httpx.Client,
        url: str,
        headers: dict[str, str],
        counter: _Counter,
    ) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                resp = client.send(client.build_request("GET", url, headers=headers), stream=True)
            except _RETRYABLE_ERRORS as exc:
                reason = f"{type(exc).__name__}: {exc}"
            except httpx.HTTPError as exc:
                raise FeedError(f"feed request to {url} failed: {exc}") from exc
            else:
                if resp.status_code < 400:
                    return resp
                resp.close()
                if resp.status_code != 429 and resp.status_code < 500:
                    raise FeedError(f"feed server answered HTTP {resp.status_code} for {url}")
                reason = f"HTTP {resp.status_code}"
            if attempt >= self.retry.max_attempts:
                raise FeedError(f"feed request to {url} failed {attempt} times; last: {reason}")
            counter.retries += 1
            delay = self.retry.delay(attempt, self._rng)
            logger.warning(
                "feed request to %s failed (%s); retry %d in %.2fs", url, reason, attempt, delay
            )
            self._sleep(delay)

    # the body of one page (or the whole file), resumed after dropped connections

    def _part(
        self, client: httpx.Client, url: str, resp: httpx.Response, counter: _Counter
    ) -> Iterator[bytes]:
        delivered = 0
        part_etag = resp.headers.get("ETag")
        length = resp.headers.get("Content-Length")
        stalls = 0
        current: httpx.Response | None = resp
        while True:
            if current is None:
                headers = {"Range": f"bytes={delivered}-"}
                if part_etag:
                    headers["If-Range"] = part_etag
                current = self._request(client, url, headers, counter)
            skip = self._resume_offset(current, delivered, part_etag, length) if delivered else 0
            progressed = False
            try:
                # A response built from bytes (e.g. by a MockTransport) is already read.
                raw = [current.content] if current.is_stream_consumed else current.iter_raw()
                for chunk in raw:
                    if skip:
                        cut = min(skip, len(chunk))
                        chunk, skip = chunk[cut:], skip - cut
                    if chunk:
                        delivered += len(chunk)
                        progressed = True
                        yield chunk
                return
            except _RETRYABLE_ERRORS as exc:
                reason = f"{type(exc).__name__}: {exc}"
            finally:
                current.close()
            current = None
            stalls = 0 if progressed else stalls + 1
            if stalls >= self.retry.max_attempts:
                raise FeedError(f"feed download from {url} kept breaking; last: {reason}")
            counter.retries += 1
            delay = self.retry.delay(stalls + 1, self._rng)
            logger.warning(
                "feed download from %s broke after %d bytes (%s); resuming in %.2fs",
                url,
                delivered,
                reason,
                delay,
            )
            self._sleep(delay)

    @staticmethod
    def _resume_offset(
        resp: httpx.Response, delivered: int, etag: str | None, length: str | None
    ) -> int:
        """Bytes to drop from a resumed response so the stream continues exactly."""
        if resp.status_code == 206:
            content_range = resp.headers.get("Content-Range", "")
            if not content_range.startswith(f"bytes {delivered}-"):
                raise FeedError(f"feed server resumed at the wrong offset: {content_range!r}")
            return 0
        same = etag is not None and resp.headers.get("ETag") == etag
        if etag is None:
            same = length is not None and resp.headers.get("Content-Length") == length
        if not same:
            raise FeedError("the feed changed while a download was being resumed")
        return delivered

    def _pages(
        self, client: httpx.Client, first: httpx.Response, fetch: FeedFetch, counter: _Counter
    ) -> Iterator[bytes]:
        url = self.url
        resp: httpx.Response | None = first
        seen: set[str] = set()
        try:
            while True:
                if resp is None:
                    resp = self._request(client, url, {}, counter)
                    version = resp.headers.get(VERSION_HEADER)
                    if fetch.meta.version is not None and version != fetch.meta.version:
                        resp.close()
                        raise FeedError(
                            f"feed version changed during download "
                            f"({fetch.meta.version} -> {version}); try again"
                        )
                fetch.pages += 1
                seen.add(url)
                next_url = _next_link(resp, url)
                last = b""
                for chunk in self._part(client, url, resp, counter):
                    fetch.retries = counter.retries
                    last = chunk
                    yield chunk
                fetch.retries = counter.retries
                resp = None
                if next_url is None:
                    return
                if last and not last.endswith(b"\n"):
                    yield b"\n"  # pages are whole JSON Lines documents; keep lines apart
                if next_url in seen or fetch.pages >= MAX_PAGES:
                    raise FeedError(f"feed paging loops or runs past {MAX_PAGES} pages")
                url = next_url
        finally:
            if resp is not None:
                resp.close()


@dataclass
class _Counter:
    retries: int = 0


def _format_from_type(resp: httpx.Response) -> FeedFormat | None:
    ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if ctype in ("application/x-ndjson", "application/jsonl", "application/json-lines"):
        return "jsonl"
    if ctype == "text/csv":
        return "csv"
    return None


def _next_link(resp: httpx.Response, base: str) -> str | None:
    link = resp.links.get("next")
    if link and link.get("url"):
        return urljoin(base, link["url"])
    return None


def open_source(location: str, **http_options: object) -> FeedSource:
    """A source for a URL (``http://``, ``https://``) or a local path."""
    if urlsplit(location).scheme in ("http", "https"):
        return HttpFeedSource(location, **http_options)  # type: ignore[arg-type]
    return FileFeedSource(location)
