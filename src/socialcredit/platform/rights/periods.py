"""Publicity and repair periods by severity (NDRC credit repair measures; DOMAIN.md §2.3), pure.

=========  ==============================  ===========================
severity   minimum publicity (repair from)  maximum publicity (ends at)
=========  ==============================  ===========================
minor      none                            3 months
general    3 months                        1 year
serious    1 year                          3 years
=========  ==============================  ===========================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from socialcredit.policy.duration import Duration, add_duration

PERIODS: dict[str, tuple[Duration, Duration]] = {
    "minor": (Duration(0, 0), Duration(3, 0)),
    "general": (Duration(3, 0), Duration(12, 0)),
    "serious": (Duration(12, 0), Duration(36, 0)),
}


@dataclass(frozen=True, slots=True)
class Publicity:
    """When a record may be repaired (``repair_from``) and when its publication ends (``ends_on``)."""

    severity: str
    starts_on: date
    repair_from: date
    ends_on: date

    def repairable_on(self, day: date) -> bool:
        return day >= self.repair_from

    def published_on(self, day: date) -> bool:
        return self.starts_on <= day < self.ends_on

    def as_json(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "starts_on": self.starts_on.isoformat(),
            "repair_from": self.repair_from.isoformat(),
            "publication_ends_on": self.ends_on.isoformat(),
        }


def publicity(severity: str, starts_on: date) -> Publicity:
    """The publicity of a record of ``severity`` that took effect on ``starts_on``; ValueError for unknown ones."""
    try:
        minimum, maximum = PERIODS[severity]
    except KeyError:
        raise ValueError(f"severity {severity!r} is not one of {', '.join(PERIODS)}") from None
    return Publicity(severity, starts_on, add_duration(starts_on, minimum), add_duration(starts_on, maximum))
