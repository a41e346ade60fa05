"""ISO 8601 calendar durations (``P1Y``, ``P6M``, ``P2W``, ``P3D``) and exact date arithmetic."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import NamedTuple

_PATTERN = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


class Duration(NamedTuple):
    """A calendar duration: whole months (years folded in) then days (weeks folded in)."""

    months: int
    days: int

    def __str__(self) -> str:
        years, months = divmod(self.months, 12)
        parts = [f"{years}Y" if years else "", f"{months}M" if months else "", f"{self.days}D" if self.days else ""]
        return "P" + ("".join(parts) or "0D")


def parse_duration(text: str) -> Duration:
    """Parse an ISO 8601 date duration; raise ValueError naming the text when it is not one."""
    match = _PATTERN.match(text.strip().upper()) if isinstance(text, str) else None
    if not match or text.strip().upper() == "P":
        raise ValueError(f"{text!r} is not an ISO 8601 duration of years, months, weeks and days (e.g. P1Y, P3D)")
    years, months, weeks, days = (int(group or 0) for group in match.groups())
    return Duration(months=years * 12 + months, days=weeks * 7 + days)


def add_months(day: date, months: int) -> date:
    """Add calendar months, clamping to the last day of a shorter month (Jan 31 + 1 month = Feb 28/29)."""
    if not months:
        return day
    year, month = divmod(day.year * 12 + (day.month - 1) + months, 12)
    if day.day <= 28:  # every month has the day: no clamping needed
        return date(year, month + 1, day.day)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def add_duration(day: date, duration: Duration) -> date:
    """``day + duration``: months first (clamped to month end), then days."""
    moved = add_months(day, duration.months)
    return moved + timedelta(days=duration.days) if duration.days else moved
