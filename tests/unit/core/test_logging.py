from __future__ import annotations

import io
import json
import logging
import sys
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from eligo.logging import build_handler, redact_text, redact_value


def test_api_keys_and_bearer_tokens_are_redacted() -> None:
    key = "elg_0123456789ab_Zm9vYmFyYmF6cXV4LXNlY3JldA"
    assert key not in redact_text(f"auth failed for {key}")
    assert "tok123" not in redact_text("Authorization: Bearer tok123")


def test_member_ids_and_dates_of_birth_are_redacted() -> None:
    text = redact_text("member W123456789 born 04/17/1962 (1962-04-17), group 0012345")
    assert "W123456789" not in text
    assert "04/17/1962" not in text
    assert "1962-04-17" not in text
    assert "0012345" in text  # plain numbers (GTINs, counts) stay readable


def test_known_keys_are_redacted_in_structured_data() -> None:
    data = {"member_name": "Jane Q Public", "fields": {"member_id": "XYZ9"}, "count": 3}
    assert redact_value(data) == {
        "member_name": "[redacted]",
        "fields": {"member_id": "[redacted]"},
        "count": 3,
    }


def test_handler_redacts_messages_args_and_extras() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("eligo.test.redaction")
    logger.propagate = False
    logger.addHandler(build_handler(stream))
    try:
        logger.warning(
            "scan for %s failed", "W987654321", extra={"data": {"member_name": "John Roe"}}
        )
        try:
            raise ValueError("bad member id ABC12345678")
        except ValueError:
            logger.exception("oops")
    finally:
        logger.handlers.clear()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert "W987654321" not in stream.getvalue()
    assert "John Roe" not in stream.getvalue()
    assert "ABC12345678" not in stream.getvalue()
    assert lines[0]["data"] == {"member_name": "[redacted]"}
    assert "ValueError" in lines[1]["exc"]


@given(st.text())
def test_redaction_never_raises_and_is_idempotent(text: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once


@given(st.from_regex(r"[A-Z]{1,3}[0-9]{6,10}", fullmatch=True))
def test_every_member_id_shape_is_redacted(member_id: str) -> None:
    assert member_id not in redact_text(f"id {member_id} rejected")


def test_the_default_handler_writes_to_the_current_stderr(monkeypatch: Any) -> None:
    # pytest and servers swap sys.stderr; a closed stream taken at start-up must not be used.
    old = io.StringIO()
    monkeypatch.setattr(sys, "stderr", old)
    handler = build_handler(json_format=False)
    old.close()
    new = io.StringIO()
    monkeypatch.setattr(sys, "stderr", new)
    logger = logging.getLogger("eligo.test.stderr")
    logger.addHandler(handler)
    try:
        logger.warning("after the swap")
    finally:
        logger.removeHandler(handler)
    out = new.getvalue()
    assert "WARNING eligo.test.stderr: after the swap" in out
    assert "Logging error" not in out
