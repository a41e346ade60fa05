"""The handbook as small lookup tables for the columnar engine (one row per rule, list, grade, measure).

Rules are addressed by their index in ``policy.rules``; every per-rule attribute the semantics needs
(DESIGN §7 steps 3–6) is a column of :func:`rule_table`, looked up with ``gather`` on that index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from socialcredit.policy.duration import Duration
from socialcredit.policy.model import Policy

# Explanation statuses as small integers (index into STATUS_NAMES), DESIGN §7 step 10.
COUNTED, CAPPED, PENDING_NOTICE, CURED, EXPIRED, REPAIRED, WITHDRAWN, NOT_YET_KNOWN, NOT_CONFIRMED, SUSPENDED = range(
    10
)
STATUS_NAMES = (
    "counted", "capped", "pending-notice", "cured", "expired", "repaired", "withdrawn",
    "not-yet-known", "not-confirmed", "suspended-contested",
)  # fmt: skip
NOT_A_FACT = 10  # a correction, withdrawal, cure or repair: kept among the facts only to name its subject
CAP_PERIODS = {"month": 1, "quarter": 2, "year": 3}


@dataclass(frozen=True)
class PolicyTables:
    """Everything the columnar pipeline needs from a handbook, in column form."""

    policy: Policy
    rule_ids: tuple[str, ...]
    rules: pl.DataFrame
    durations: tuple[Duration, ...]

    @classmethod
    def of(cls, policy: Policy) -> PolicyTables:
        durations = _durations(policy)
        return cls(policy, tuple(rule.id for rule in policy.rules), rule_table(policy, durations), durations)

    def attr(self, name: str, index: pl.Expr) -> pl.Expr:
        """The rule attribute ``name`` of the rule at ``index`` (null where ``index`` is null)."""
        return pl.lit(self.rules[name]).gather(index)

    def list_rules(self) -> list[list[int]]:
        """For each list (policy order), the indexes of the rules that put a subject on it."""
        index = {rule_id: number for number, rule_id in enumerate(self.rule_ids)}
        return [[index[rule] for rule in entry.members.rules] for entry in self.policy.lists]


def _durations(policy: Policy) -> tuple[Duration, ...]:
    """Every distinct duration the handbook uses; the default ``counts_for`` first."""
    found = [policy.policy.default_counts_for]
    for rule in policy.rules:
        found += [rule.counts_for] if rule.counts_for else []
        found += [rule.notice.cure_within] if rule.notice else []
    return tuple(dict.fromkeys(found))


def rule_table(policy: Policy, durations: tuple[Duration, ...]) -> pl.DataFrame:
    """One row per rule, in policy order: fixed points, windows (indexes into ``durations``), cap, ceiling."""
    default = policy.policy.default_counts_for
    rows = []
    for rule in policy.rules:
        notice = rule.notice.cure_within if rule.notice else None
        cap = rule.cap
        rows.append(
            {
                "fixed_points": None if rule.discretionary else rule.points,
                "counts_for": durations.index(rule.counts_for or default),
                "notice": durations.index(notice) if notice else None,
                "cap_per": CAP_PERIODS[cap.per] if cap else None,
                "cap_count": cap.count if cap else None,
                "cap_points": cap.points if cap else None,
                "ceiling_rank": policy.grade_rank(rule.grade_ceiling) if rule.grade_ceiling else None,
            }
        )
    schema = {
        "fixed_points": pl.Int64,
        "counts_for": pl.Int32,
        "notice": pl.Int32,
        "cap_per": pl.Int8,
        "cap_count": pl.Int64,
        "cap_points": pl.Int64,
        "ceiling_rank": pl.Int32,
    }
    return pl.DataFrame(rows, schema=schema)


def add_duration(day: pl.Expr, months: pl.Expr, days: pl.Expr) -> pl.Expr:
    """``day + months + days`` like :func:`socialcredit.policy.duration.add_duration`: months first, clamped."""
    total = day.dt.year().cast(pl.Int32) * 12 + day.dt.month().cast(pl.Int32) - 1 + months
    year, month = total // 12, total % 12 + 1
    last = pl.date(year, month, 1).dt.month_end().dt.day()
    clamped = pl.date(year, month, pl.min_horizontal(day.dt.day(), last))
    return clamped + pl.duration(days=days)


@dataclass(frozen=True)
class DateShifts:
    """``day + duration`` precomputed for every day of ``[first, first + span)`` and every handbook duration.

    Records cover a few thousand distinct days, so a lookup (``gather``) replaces calendar arithmetic per row.
    """

    first: date
    span: int
    table: pl.Series

    @classmethod
    def build(cls, durations: tuple[Duration, ...], first: date, last: date) -> DateShifts:
        span = (last - first).days + 1
        days = pl.date_range(first, last, "1d", eager=True).alias("day")
        parts = [pl.select(add_duration(pl.lit(days), pl.lit(d.months), pl.lit(d.days))).to_series() for d in durations]
        return cls(first, span, pl.concat(parts) if parts else pl.Series([], dtype=pl.Date))

    def shift(self, day: pl.Expr, duration: pl.Expr) -> pl.Expr:
        """``day`` plus the duration at index ``duration`` (both columns)."""
        offset = (day - pl.lit(self.first)).dt.total_days().cast(pl.Int64)
        return pl.lit(self.table).gather(duration.cast(pl.Int64) * self.span + offset)
