"""Runs last: the logs of the whole test run hold no API key and no PHI from test fixtures."""

from __future__ import annotations

import logging

import pytest

from tests.support import LOG_FILE, SENSITIVE_VALUES

# PHI that test fixtures send (card tests add theirs to SENSITIVE_VALUES as they run).
PHI_FIXTURE_VALUES = {"W987654321", "John Roe", "ABC12345678"}
# The synthetic cards tests/integration/test_card_scans*.py scan (their member ids and names).
PHI_FIXTURE_VALUES |= {
    "HLK792134569",
    "ALAN MURRAY",
    "636072035",
    "WALTER S SNYDER",
    "1J08VG2GP48",
    "JACOB WOODS",
    "3DD5EC5CY11",
    "BENJAMIN CRUZ",
}


@pytest.mark.run_last
def test_logs_of_the_run_hold_no_keys_or_phi() -> None:
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            handler.flush()
    text = LOG_FILE.read_text(encoding="utf-8")
    assert text, "the run wrote no logs at all: is the capture handler installed?"
    found = [value for value in SENSITIVE_VALUES | PHI_FIXTURE_VALUES if value in text]
    assert not found, f"{len(found)} sensitive values appear in {LOG_FILE}"
