"""GTIN rules: known codes, exact error messages, and properties over all lengths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligo.catalog.gtin import InvalidGtin, gtin_check_digit, is_valid_gtin, normalize_gtin


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("036000291452", "00036000291452"),  # UPC-A
        ("0 36000 29145 2", "00036000291452"),  # printed with spaces
        ("036000-291452", "00036000291452"),
        ("4006381333931", "04006381333931"),  # EAN-13
        ("96385074", "00000096385074"),  # EAN-8
        ("10012345678902", "10012345678902"),  # GTIN-14 with packaging indicator
        ("00012345678905", "00012345678905"),
    ],
)
def test_known_codes_normalize(raw: str, expected: str) -> None:
    assert normalize_gtin(raw) == expected
    assert is_valid_gtin(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("036000291453", "check digit should be 2, got 3"),
        ("12345", "must be 8, 12, 13 or 14 digits, got 5"),
        ("036000291452000", "must be 8, 12, 13 or 14 digits, got 15"),
        ("03600029145A", "only digits, found 'A'"),
        ("", "empty"),
        ("   ", "empty"),
        ("00000000", "all zeros"),
        ("٠٣٦٠٠٠٢٩١٤٥٢", "only digits"),  # Arabic-Indic digits are not GTIN digits
    ],
)
def test_invalid_codes_say_why(raw: str, message: str) -> None:
    with pytest.raises(InvalidGtin, match=message):
        normalize_gtin(raw)
    assert not is_valid_gtin(raw)


def test_invalid_gtin_is_a_value_error() -> None:
    assert issubclass(InvalidGtin, ValueError)


def test_check_digit_known() -> None:
    assert gtin_check_digit("03600029145") == 2
    assert gtin_check_digit("400638133393") == 1


bodies = st.integers(min_value=7, max_value=13).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n).filter(
        lambda s: s.strip("0") != ""
    )
)


@given(bodies)
def test_valid_codes_round_trip(body: str) -> None:
    if len(body) + 1 not in (8, 12, 13, 14):
        body = body.zfill(13)
    code = body + str(gtin_check_digit(body))
    out = normalize_gtin(code)
    assert len(out) == 14
    assert out.lstrip("0") == code.lstrip("0")
    assert normalize_gtin(out) == out  # idempotent
    assert out.endswith(code)  # leading zeros only added, never dropped


@given(bodies, st.data())
def test_any_single_digit_change_is_detected(body: str, data: st.DataObject) -> None:
    if len(body) + 1 not in (8, 12, 13, 14):
        body = body.zfill(13)
    code = body + str(gtin_check_digit(body))
    pos = data.draw(st.integers(min_value=0, max_value=len(code) - 1))
    new_digit = data.draw(st.sampled_from([d for d in "0123456789" if d != code[pos]]))
    changed = code[:pos] + new_digit + code[pos + 1 :]
    if changed.strip("0") == "":
        return
    with pytest.raises(InvalidGtin, match="check digit"):
        normalize_gtin(changed)


def test_invalid_gtin_maps_to_invalid_input() -> None:
    from eligo.errors import InvalidInput

    with pytest.raises(InvalidInput) as info:
        normalize_gtin("036000291453")
    assert info.value.code == "invalid_gtin"
    assert info.value.http_status == 422
    assert str(info.value) == "GTIN check digit should be 2, got 3"
