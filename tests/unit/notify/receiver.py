"""A real webhook receiver on 127.0.0.1 for tests: verifies signatures with the documented helper
and records every request. Its failure modes are switches the test flips."""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from eligo.notify.signing import SignatureVerificationError, verify


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int
    verified: bool

    @property
    def idempotency_key(self) -> str:
        return self.headers.get("eligo-idempotency-key", "")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """``fail_first``: answer 500 to that many requests; ``always_fail``: 500 until cleared;
    ``hold``: block each request until the event is set (``arrived`` is set when one blocks)."""

    secrets: list[str] = field(default_factory=list)
    fail_first: int = 0
    always_fail: bool = False
    hold: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = receiver.decide(headers, body)
                if status is None:
                    return
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/eligo"

    def decide(self, headers: dict[str, str], body: bytes) -> int | None:
        try:
            verify(body, headers.get("eligo-signature", ""), self.secrets or ["none"])
            verified = True
        except SignatureVerificationError:
            verified = False
        hold = self.hold
        if hold is not None:
            self.arrived.set()
            hold.wait(30)
            with self.lock:
                self.requests.append(Received(headers, body, 0, verified))
            return None  # the sender is gone (killed); answer nothing
        with self.lock:
            if not verified:
                status = 400
            elif self.always_fail or self.fail_first > 0:
                self.fail_first = max(0, self.fail_first - 1)
                status = 500
            else:
                status = 200
            self.requests.append(Received(headers, body, status, verified))
        return status

    def accepted(self) -> Counter[str]:
        """How many times each idempotency key was answered 2xx."""
        with self.lock:
            return Counter(r.idempotency_key for r in self.requests if r.status == 200)

    def close(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()
