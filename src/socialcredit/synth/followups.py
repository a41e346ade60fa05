"""What happens to facts afterwards: corrections, withdrawals, cures within a notice, repairs (DESIGN §6–§8).

Every follow-up references its fact's row, comes from the same source, and is recorded after it;
anything recorded after the window's end is not in the snapshot.
"""

from __future__ import annotations

import numpy as np

from socialcredit.synth.records import DAY_US, KIND, STATUS, Block, RulePlan, Window, working_time

CORRECT_SHARE, WITHDRAW_SHARE = 0.02, 0.01
CURE_SHARE, LATE_CURE_SHARE, LATE_CURE_DAYS = 0.6, 0.05, 10
REPAIR_SHARES = {"minor": 0.02, "general": 0.10, "serious": 0.10}
REPAIR_SPREAD_DAYS = 180


def make_followups(rng: np.random.Generator, plan: RulePlan, facts: Block, first_row: int, window: Window) -> Block:
    """Follow-ups of this rule's ``facts``, whose rows in the chunk start at ``first_row``."""
    status = facts.columns["status"]
    standing = np.flatnonzero((status == STATUS["confirmed"]) | (status == STATUS["contested"]))
    draw = rng.random(len(standing))
    parts = [
        _corrections(rng, plan, facts, standing[draw < CORRECT_SHARE], window),
        _withdrawals(rng, facts, standing[(draw >= CORRECT_SHARE) & (draw < CORRECT_SHARE + WITHDRAW_SHARE)], window),
        _cures(rng, plan, facts, standing, window),
        _repairs(rng, plan, facts, standing, window),
    ]
    for part, rows in parts:
        part.columns["ref"] = first_row + rows
    block = Block.concat([part for part, _rows in parts])
    return block.take(np.flatnonzero(block.columns["recorded"] < window.end_us))


def _follow(
    facts: Block, rows: np.ndarray, kind: str, day: np.ndarray, recorded: np.ndarray
) -> tuple[Block, np.ndarray]:
    """A follow-up block of ``kind`` for fact ``rows``: same subject and source, confirmed, no evidence.

    It is recorded after its fact: a cure or repair of a fact that reached the platform late is
    recorded the day after the fact.
    """
    base = facts.take(rows)
    known = base.columns["recorded"]
    recorded = np.where(recorded > known, recorded, known + DAY_US)
    count = len(rows)
    columns = base.columns
    nothing = np.zeros(count, dtype=np.int64)
    columns.update(kind=np.full(count, KIND[kind]), day=day, recorded=recorded, photos=nothing, video=nothing)
    columns["status"] = np.full(count, STATUS["confirmed"])
    if kind != "correct":
        columns.update(rule=np.full(count, -1), doc=nothing)
        base.has_points = np.zeros(count, dtype=bool)
    return base, rows


def _recorded_on(rng: np.random.Generator, day: np.ndarray, window: Window) -> np.ndarray:
    return window.start_us + day * DAY_US + working_time(rng, len(day))


def _recorded_day(facts: Block, rows: np.ndarray, window: Window) -> np.ndarray:
    return (facts.columns["recorded"][rows] - window.start_us) // DAY_US


def _corrections(
    rng: np.random.Generator, plan: RulePlan, facts: Block, rows: np.ndarray, window: Window
) -> tuple[Block, np.ndarray]:
    """A wrong date (one to seven days off) or, for discretionary rules, re-assessed points."""
    from socialcredit.synth.records import discretionary_points

    day = np.maximum(facts.columns["day"][rows] - rng.integers(1, 8, len(rows)), 0)
    recorded = _recorded_on(rng, _recorded_day(facts, rows, window) + rng.integers(1, 61, len(rows)), window)
    block, rows = _follow(facts, rows, "correct", day, recorded)
    if plan.rule.discretionary:
        block.columns["points"], block.has_points = discretionary_points(rng, plan.rule, len(rows))
    return block, rows


def _withdrawals(rng: np.random.Generator, facts: Block, rows: np.ndarray, window: Window) -> tuple[Block, np.ndarray]:
    """The source takes the record back (its decision was revoked); occurred_on is the day of withdrawal."""
    day = _recorded_day(facts, rows, window) + rng.integers(1, 91, len(rows))
    return _follow(facts, rows, "withdraw", day, _recorded_on(rng, day, window))


def _cures(
    rng: np.random.Generator, plan: RulePlan, facts: Block, rows: np.ndarray, window: Window
) -> tuple[Block, np.ndarray]:
    """Under a notice: most clear it in time (no deduction), a few too late."""
    if plan.cure_by is None:
        return _follow(facts, rows[:0], "cure", rows[:0], rows[:0])
    draw = rng.random(len(rows))
    rows = rows[draw < CURE_SHARE + LATE_CURE_SHARE]
    late = draw[draw < CURE_SHARE + LATE_CURE_SHARE] >= CURE_SHARE
    occurred = facts.columns["day"][rows]
    deadline = plan.cure_by[occurred]
    in_time = occurred + (rng.random(len(rows)) * (deadline - occurred + 1)).astype(np.int64)
    day = np.where(late, deadline + rng.integers(1, LATE_CURE_DAYS + 1, len(rows)), in_time)
    recorded = _recorded_on(rng, day + rng.integers(0, 2, len(rows)), window)
    return _follow(facts, rows, "cure", day, recorded)


def _repairs(
    rng: np.random.Generator, plan: RulePlan, facts: Block, rows: np.ndarray, window: Window
) -> tuple[Block, np.ndarray]:
    """Credit repair of deductions, after the severity's minimum publicity period and before expiry."""
    negative = facts.columns["points"][rows] < 0 if plan.rule.discretionary else np.full(len(rows), plan.negative)
    rows = rows[negative & (rng.random(len(rows)) < REPAIR_SHARES[plan.rule.severity])]
    occurred = facts.columns["day"][rows]
    day = plan.repair_from[occurred] + rng.integers(0, REPAIR_SPREAD_DAYS + 1, len(rows))
    keep = day < plan.ends[occurred]
    rows, day = rows[keep], day[keep]
    return _follow(facts, rows, "repair", day, _recorded_on(rng, day, window))
