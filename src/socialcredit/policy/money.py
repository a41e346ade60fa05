"""Exact points: decimals with at most two places, held as integer hundredths."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

HUNDRED = 100


def to_cents(value: object) -> int:
    """Convert a number or numeric string to integer hundredths; ValueError when not exact to 0.01."""
    if isinstance(value, bool):
        raise ValueError(f"{value} is not a number")
    if isinstance(value, int):
        return value * HUNDRED
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"{_show(value)} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{_show(value)} is not a finite number")
    scaled = number * HUNDRED
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{_show(value)} has more than two decimals")
    return int(scaled)


def format_cents(cents: int) -> str:
    """Integer hundredths as the shortest exact decimal string: 100000 → "1000", 100050 → "1000.5"."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), HUNDRED)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:02d}".rstrip("0")


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)
