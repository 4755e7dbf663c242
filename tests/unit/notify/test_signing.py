"""Webhook signing: round trip, tampering, stale timestamps, secret rotation."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligo.notify.signing import SignatureVerificationError, parse_signature_header, sign, verify

BODY = b'{"id":"evt_1","type":"product.eligibility_changed"}'
T = 1_700_000_000


def test_header_format_matches_documented_formula() -> None:
    header = sign(BODY, "whsec_test", T)
    expected = hmac.new(b"whsec_test", f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={T},v1={expected}"


def test_round_trip() -> None:
    header = sign(BODY, "whsec_test", T)
    assert verify(BODY, header, "whsec_test", now=T + 10) == T


@given(st.binary(max_size=512), st.text(min_size=1, max_size=40), st.integers(0, 2**40))
def test_round_trip_any_body(body: bytes, secret: str, t: int) -> None:
    assert verify(body, sign(body, secret, t), secret, now=t) == t


def test_tampered_body_is_rejected() -> None:
    header = sign(BODY, "whsec_test", T)
    with pytest.raises(SignatureVerificationError, match="body was changed"):
        verify(BODY.replace(b"evt_1", b"evt_2"), header, "whsec_test", now=T)


def test_wrong_secret_is_rejected() -> None:
    with pytest.raises(SignatureVerificationError, match="wrong secret"):
        verify(BODY, sign(BODY, "a", T), "b", now=T)


def test_tampered_timestamp_is_rejected() -> None:
    header = sign(BODY, "s", T).replace(f"t={T}", f"t={T + 1}")
    with pytest.raises(SignatureVerificationError):
        verify(BODY, header, "s", now=T)


@pytest.mark.parametrize("skew", [301, -301, 10_000])
def test_expired_or_future_timestamp_is_rejected(skew: int) -> None:
    header = sign(BODY, "s", T)
    with pytest.raises(SignatureVerificationError, match="tolerance"):
        verify(BODY, header, "s", now=T + skew)
    assert verify(BODY, header, "s", tolerance=0, now=T + skew) == T  # 0 disables the check


def test_rotation_sender_signs_with_both_receiver_knows_one() -> None:
    header = sign(BODY, ["new", "old"], T)
    assert header.count("v1=") == 2
    assert verify(BODY, header, "old", now=T) == T
    assert verify(BODY, header, "new", now=T) == T


def test_rotation_receiver_knows_both() -> None:
    header = sign(BODY, "old", T)
    assert verify(BODY, header, ["new", "old"], now=T) == T
    with pytest.raises(SignatureVerificationError):
        verify(BODY, header, ["new", "other"], now=T)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "missing"),
        ("v1=abc", "no t="),
        (f"t={T}", "no v1="),
        (f"t=abc,v1={'0' * 64}", "unix time"),
        ("garbage", "malformed"),
        ("t=1," + "v1=x," * 2000, "oversized"),
    ],
)
def test_malformed_headers(header: str, message: str) -> None:
    with pytest.raises(SignatureVerificationError, match=message):
        verify(BODY, header, "s", now=T)


def test_unknown_schemes_are_ignored_and_case_insensitive_hex() -> None:
    header = sign(BODY, "s", T)
    t, sigs = parse_signature_header(header + ",v0=deadbeef")
    assert t == T
    assert len(sigs) == 1
    assert verify(BODY, header.upper().replace("T=", "t=").replace("V1=", "v1="), "s", now=T) == T


def test_non_ascii_signature_does_not_crash() -> None:
    with pytest.raises(SignatureVerificationError):
        verify(BODY, f"t={T},v1=é", "s", now=T)


def test_error_is_a_400() -> None:
    err = SignatureVerificationError("x")
    assert err.http_status == 400
    assert isinstance(err, ValueError)


def test_empty_secret_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        sign(BODY, "", T)


def test_documented_stdlib_snippet_agrees_with_helper() -> None:
    import re
    from pathlib import Path

    doc = Path(__file__).parents[3] / "docs" / "webhooks.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(), re.S)
    namespace: dict[str, object] = {}
    exec(blocks[1], namespace)  # the dependency-free receiver snippet
    verify_eligo = namespace["verify_eligo"]
    header = sign(BODY, ["new", "old"])
    assert verify_eligo(BODY, header, ["old"])  # type: ignore[operator]
    assert not verify_eligo(BODY + b" ", header, ["old"])  # type: ignore[operator]
    assert not verify_eligo(BODY, sign(BODY, "old", T), ["old"])  # type: ignore[operator]
