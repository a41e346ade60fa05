"""Parsing the dates and moments users give (``--as-of``, ``--known-at``) with clear errors."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from socialcredit.errors import UserError
from socialcredit.policy.model import Policy
from socialcredit.records.parse import parse_moment


def parse_as_of(text: str) -> date:
    """A calendar date ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--as-of: {text!r} is not a date (YYYY-MM-DD)") from None


def parse_known_at(text: str, policy: Policy) -> datetime:
    """An ISO date-time (naive: in the handbook's time zone); a bare date means the end of that day."""
    try:
        return parse_moment(text, ZoneInfo(policy.policy.timezone), end_of_day=True)
    except ValueError:
        raise UserError(f"--known-at: {text!r} is not an ISO date or date-time") from None
