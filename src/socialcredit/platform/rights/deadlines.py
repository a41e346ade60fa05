"""Deadlines in working days (objections: the handbook's ``objection_working_days``, default 3), pure.

Working days are Monday to Friday less China's statutory public holidays, plus the weekend days worked in
their place (调休), from the maintained ``holidays`` package (``CN``). Years the State Council has not yet
announced have the holidays fixed by law but no moved working days. :class:`Weekdays` (Monday to Friday
only) is there for handbooks outside China and for tests.

A deadline of N working days counts from the day after the request, and runs to the end of the Nth working
day in the handbook's time zone: an objection raised on Monday with N = 3 is due by the end of Thursday.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

MAX_WORKING_DAYS = 60


class WorkingCalendar(Protocol):
    def is_working_day(self, day: date) -> bool: ...


class Weekdays:
    """Monday to Friday; no public holidays."""

    name = "weekdays"

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5


class Statutory:
    """A country's working days from the ``holidays`` package (public holidays and moved working days)."""

    def __init__(self, country: str = "CN") -> None:
        import holidays

        self.name = f"statutory:{country}"
        self._days = holidays.country_holidays(country)
        self._lock = threading.Lock()  # the package fills years in lazily

    def is_working_day(self, day: date) -> bool:
        with self._lock:
            return bool(self._days.is_working_day(day))


_CALENDARS: dict[str, WorkingCalendar] = {}


def calendar(name: str = "CN") -> WorkingCalendar:
    """``weekdays``, or the statutory calendar of a country code (default China), made once per process."""
    if name not in _CALENDARS:
        _CALENDARS[name] = Weekdays() if name == "weekdays" else Statutory(name)
    return _CALENDARS[name]


def add_working_days(start: date, count: int, days: WorkingCalendar) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself never counts)."""
    if not 1 <= count <= MAX_WORKING_DAYS:
        raise ValueError(f"working days: {count} is not in 1..{MAX_WORKING_DAYS}")
    day, found = start, 0
    while found < count:
        day += timedelta(days=1)
        found += days.is_working_day(day)
    return day


def due_at(moment: datetime, count: int, tz: ZoneInfo, days: WorkingCalendar) -> datetime:
    """The end of the ``count``-th working day after ``moment``'s local date: midnight starting the next day."""
    last = add_working_days(moment.astimezone(tz).date(), count, days)
    return datetime.combine(last + timedelta(days=1), time.min, tz)
