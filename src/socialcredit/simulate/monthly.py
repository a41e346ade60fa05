"""The grade distribution month by month under both handbooks (``--monthly-from``).

Each point is what ``socialcredit score --as-of DAY`` gives: the days run from ``--monthly-from`` in steps
of one calendar month up to ``--as-of`` (a 31st clamps to shorter months' last day), and each is evaluated
as known at ``--known-at`` when given, else at the end of that day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from socialcredit.errors import UserError
from socialcredit.policy.duration import add_months
from socialcredit.policy.model import Policy
from socialcredit.simulate.compare import grade_counts
from socialcredit.simulate.outcomes import Scoring

MAX_MONTHS = 120


def month_days(start: date, end: date) -> list[date]:
    """``start``, one month later, … while not after ``end``."""
    if start > end:
        raise UserError(f"--monthly-from: {start} is after --as-of {end}")
    days: list[date] = []
    while (day := add_months(start, len(days))) <= end:
        days.append(day)
        if len(days) > MAX_MONTHS:
            raise UserError(f"--monthly-from: more than {MAX_MONTHS} months between {start} and {end}")
    return days


def monthly_grades(
    population: Scoring,
    policies: dict[str, Policy],
    days: list[date],
    known_at: dict[str, datetime | None],
    step: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """Per day: ``{"date", "baseline": [{"grade","count","share"}], "candidate": [...]}``."""
    out = []
    for day in days:
        point: dict[str, Any] = {"date": day.isoformat()}
        for name, policy in policies.items():
            point[name] = grade_counts(population.outcomes(policy, day, known_at[name], name), policy)
            if step is not None:
                step()
        out.append(point)
    return out
