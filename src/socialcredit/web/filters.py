"""Jinja filters: points, dates and moments, identifiers, as people read them."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from socialcredit.policy.money import format_cents

DISPLAY_TZ = ZoneInfo("Asia/Shanghai")


def points(value: Any) -> str:
    """Integer hundredths (engine) or a decimal string (JSON) as points: ``101500`` → ``1015``."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return format_cents(value)
    return str(value)


def signed(value: Any) -> str:
    """Points with an explicit sign: ``+1``, ``-5``, ``0``."""
    text = points(value)
    return text if text.startswith(("-", "—")) or text == "0" else f"+{text}"


def moment(value: Any) -> str:
    """A date-time in China time, to the minute; an ISO string is parsed first."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        shown = value.astimezone(DISPLAY_TZ) if value.tzinfo else value
        return shown.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def day(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(DISPLAY_TZ).date().isoformat() if value.tzinfo else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def masked(identifier: str | None) -> str:
    """A national identifier with the middle hidden (``3710821964******9X``), for lists that show it partly."""
    if not identifier:
        return "—"
    if len(identifier) <= 8:
        return identifier
    return identifier[:10] + "*" * (len(identifier) - 12) + identifier[-2:]


def short(text: str | None, length: int = 12) -> str:
    if not text:
        return ""
    return text if len(text) <= length else text[:length] + "…"


def rule_points(value: int | tuple[int, int]) -> str:
    """A rule's points: fixed (``+1``) or a discretionary range (``-50 … -5``)."""
    if isinstance(value, tuple):
        return f"{signed(value[0])} … {signed(value[1])}"
    return signed(value)


def fromjson(text: str | None) -> Any:
    return json.loads(text) if text else []


FILTERS = {
    "rule_points": rule_points,
    "fromjson": fromjson,
    "points": points,
    "signed": signed,
    "moment": moment,
    "day": day,
    "masked": masked,
    "short": short,
}
