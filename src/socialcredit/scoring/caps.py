"""Step 4 of DESIGN §7: per-period caps on a rule's in-force facts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

from socialcredit.policy.model import Cap
from socialcredit.scoring import standing as st

if TYPE_CHECKING:
    from socialcredit.scoring.engine import FactState


def period_of(day: date, per: str) -> tuple[int, int]:
    """The calendar period (year, index) that ``day`` falls in: month 1–12, quarter 1–4, or year 0."""
    if per == "month":
        return (day.year, day.month)
    if per == "quarter":
        return (day.year, (day.month - 1) // 3 + 1)
    return (day.year, 0)


def apply_cap(facts: list[FactState], cap: Cap) -> None:
    """Mark facts beyond the cap ``capped`` and clip the one that crosses a points cap (in place)."""
    periods: dict[tuple[int, int], list[FactState]] = defaultdict(list)
    for fact in facts:
        periods[period_of(fact.occurred_on, cap.per)].append(fact)
    for group in periods.values():
        group.sort(key=lambda f: (f.occurred_on, f.record.source, f.record.id))
        if cap.count is not None:
            for fact in group[cap.count :]:
                fact.status = st.CAPPED
        elif cap.points is not None:
            _clip(group, cap.points)


def _clip(group: list[FactState], limit: int) -> None:
    total, reached = 0, False
    for fact in group:
        if reached:
            fact.status = st.CAPPED
            continue
        after = total + fact.points
        if abs(after) >= limit:
            fact.points = (limit if after > 0 else -limit) - total
            reached = True
        total += fact.points
