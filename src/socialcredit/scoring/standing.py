"""The result of evaluating one subject: a :class:`Standing`, and its JSON shape (DESIGN §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from socialcredit.policy.money import format_cents

# Explanation statuses, DESIGN §7 step 10.
COUNTED, CAPPED, PENDING_NOTICE, CURED = "counted", "capped", "pending-notice", "cured"
EXPIRED, REPAIRED, WITHDRAWN = "expired", "repaired", "withdrawn"
NOT_YET_KNOWN, NOT_CONFIRMED, SUSPENDED = "not-yet-known", "not-confirmed", "suspended-contested"
IN_FORCE = (COUNTED, CAPPED)


@dataclass(frozen=True, slots=True)
class Contribution:
    source: str
    record: str
    rule: str
    points: int
    status: str
    occurred_on: date

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "record": self.record,
            "rule": self.rule,
            "points": format_cents(self.points),
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class ListEntry:
    id: str
    since: date | None
    until: date | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "since": _day(self.since), "until": _day(self.until)}


@dataclass(frozen=True, slots=True)
class MeasureEntry:
    id: str
    service: str
    effect: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "service": self.service, "effect": self.effect}


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a subject stands on ``as_of`` as known at ``known_at``, with the full explanation."""

    subject: str
    as_of: date
    known_at: datetime
    policy: dict[str, str]
    points: int | None
    grade: str | None
    lists: tuple[ListEntry, ...]
    measures: tuple[MeasureEntry, ...]
    contributions: tuple[Contribution, ...]
    next_change_on: date | None

    def decision(self, service: str) -> str:
        """``deny`` if any applicable measure denies ``service``, else ``allow`` (DESIGN §7 step 9)."""
        denied = any(m.service == service and m.effect == "deny" for m in self.measures)
        return "deny" if denied else "allow"

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
            "policy": dict(self.policy),
            "points": None if self.points is None else format_cents(self.points),
            "grade": self.grade,
            "lists": [entry.as_json() for entry in self.lists],
            "measures": [entry.as_json() for entry in self.measures],
            "contributions": [entry.as_json() for entry in self.contributions],
            "next_change_on": _day(self.next_change_on),
        }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None
