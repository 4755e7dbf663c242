"""GTIN rules: accept EAN-8, UPC-A, EAN-13 and GTIN-14, check the GS1 mod-10 digit, key by GTIN-14.

Every product in the catalog is keyed by its 14-digit GTIN with leading zeros kept, so the same
item scanned as UPC-A ``036000291452`` or EAN-13 ``0036000291452`` lands on one row
(``00036000291452``). Spaces and dashes are tolerated on input because people paste codes
printed as ``0 36000 29145 2``.
"""

from __future__ import annotations

from eligo.errors import InvalidInput

__all__ = [
    "GTIN_LENGTHS",
    "InvalidGtin",
    "gtin_check_digit",
    "is_valid_gtin",
    "normalize_gtin",
]

GTIN_LENGTHS = (8, 12, 13, 14)
_STRIP = str.maketrans("", "", " -\t")
_ASCII_DIGITS = frozenset("0123456789")


class InvalidGtin(InvalidInput, ValueError):
    """The text is not a valid GTIN; the message says exactly why (shown to API clients as 422)."""

    code = "invalid_gtin"


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit for ``body`` (the code without its last digit).

    Weights alternate 3, 1, ... starting from the rightmost digit of the body, so the same
    function serves every GTIN length (and SSCC/GLN too).
    """
    if not body or not (body.isascii() and body.isdigit()):
        raise InvalidGtin(f"check digit body must be ASCII digits, got {body!r}")
    raw = body.encode("ascii")
    odd, even = raw[-1::-2], raw[-2::-2]  # weight 3, weight 1 (from the right)
    total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    return (10 - total % 10) % 10


def normalize_gtin(value: str) -> str:
    """Return ``value`` as a 14-digit GTIN (leading zeros kept) or raise :class:`InvalidGtin`."""
    if not isinstance(value, str):
        raise InvalidGtin(f"GTIN must be a string, got {type(value).__name__}")
    digits = value.strip().translate(_STRIP)
    if not digits:
        raise InvalidGtin("GTIN is empty")
    if not (digits.isascii() and digits.isdigit()):
        bad = next(ch for ch in digits if ch not in _ASCII_DIGITS)
        raise InvalidGtin(f"GTIN must contain only digits, found {bad!r}")
    if len(digits) not in GTIN_LENGTHS:
        raise InvalidGtin(f"GTIN must be 8, 12, 13 or 14 digits, got {len(digits)}")
    expected = gtin_check_digit(digits[:-1])
    got = int(digits[-1])
    if expected != got:
        raise InvalidGtin(f"GTIN check digit should be {expected}, got {got}")
    gtin14 = digits.zfill(14)
    if gtin14 == "0" * 14:
        raise InvalidGtin("GTIN must not be all zeros")
    return gtin14


def is_valid_gtin(value: str) -> bool:
    """True when :func:`normalize_gtin` would accept ``value``."""
    try:
        normalize_gtin(value)
    except InvalidGtin:
        return False
    return True
