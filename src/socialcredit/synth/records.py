"""Facts under the handbook's rules, as numpy columns: one :class:`Block` per rule and chunk of subjects.

Times are local (the handbook's time zone) in microseconds since 1970-01-01; days are offsets from the
start of the window. Sources, rules, kinds and statuses are indices into the vocabularies below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import numpy as np

from socialcredit.policy.duration import Duration, add_duration
from socialcredit.policy.model import Policy, Rule
from socialcredit.records.schema import KINDS, STATUSES
from socialcredit.synth.rates import RuleRate, rule_kinds

DAY_US = 86_400_000_000
WORK_START_S, WORK_END_S = 8 * 3600 + 1800, 17 * 3600 + 1800
REVIEW_CUTOFF_DAY, COMMITTEE_DAY = 18, 25  # village cycle: collect until the 18th, committee on the 25th
REJECTED_SHARE, CONTESTED_SHARE = 0.10, 0.005
LATE_SHARE, LATE_DAYS = 0.10, (7, 180)  # agency records that reach the platform weeks or months late
VIDEO_SHARE = 0.3
# Who reports a rule when the handbook does not say (DESIGN §6 ``source``).
CATEGORY_SOURCES = {
    "registration": "market-regulation", "judicial": "court", "administrative-penalty": "market-regulation",
    "licensing": "market-regulation", "abnormal-operation": "market-regulation",
    "serious-dishonesty": "market-regulation", "contract-performance": "financial-regulator",
    "tax": "tax-bureau", "social-insurance": "social-insurance-bureau", "commitments": "credit-office",
    "evaluations": "credit-office", "honours": "civilisation-office", "intellectual-property": "ip-office",
    "traffic": "traffic-police", "environment": "environment-bureau", "community": "village-assessors",
}  # fmt: skip
KIND = {name: index for index, name in enumerate(KINDS)}
STATUS = {name: index for index, name in enumerate(STATUSES)}
COLUMNS = ("subject", "kind", "ref", "rule", "day", "recorded", "points", "source", "status", "photos", "video", "doc")


@dataclass
class Block:
    """Records as parallel numpy columns: ``ref`` is a fact's row in the chunk or -1, ``points`` hundredths
    where ``has_points``, ``doc`` a document serial or 0, ``photos``/``video`` evidence counts."""

    columns: dict[str, np.ndarray] = field(default_factory=dict)
    has_points: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __len__(self) -> int:
        return len(self.has_points)

    def take(self, index: np.ndarray) -> Block:
        return Block({name: column[index] for name, column in self.columns.items()}, self.has_points[index])

    @staticmethod
    def concat(blocks: list[Block]) -> Block:
        blocks = [block for block in blocks if len(block)] or [empty_block()]
        columns = {name: np.concatenate([block.columns[name] for block in blocks]) for name in COLUMNS}
        return Block(columns, np.concatenate([block.has_points for block in blocks]))


def empty_block() -> Block:
    return Block({name: np.zeros(0, dtype=np.int64) for name in COLUMNS}, np.zeros(0, dtype=bool))


@dataclass(frozen=True)
class Window:
    """Records occur on ``start`` … ``end`` - 1 day; the snapshot holds what was recorded before ``end``."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @cached_property
    def start_us(self) -> int:
        return (self.start - date(1970, 1, 1)).days * DAY_US

    @property
    def end_us(self) -> int:
        return self.start_us + self.days * DAY_US

    def offsets(self, shift: Callable[[date], date]) -> np.ndarray:
        """``[(shift(start + k) - start).days for k in range(days)]``: a date function as a day table."""
        days = [self.start + timedelta(days=k) for k in range(self.days)]
        return np.array([(shift(day) - self.start).days for day in days], dtype=np.int64)


@dataclass(frozen=True)
class RulePlan:
    """A rule with everything needed to generate its records fast (sources, day tables)."""

    index: int
    rule: Rule
    rate: RuleRate
    kinds: tuple[str, ...]
    sources: np.ndarray  # indices into the source vocabulary
    ends: np.ndarray  # per occurred day: day the fact stops counting
    cure_by: np.ndarray | None  # per occurred day: last day a cure prevents the deduction
    repair_from: np.ndarray  # per occurred day: first day a repair may take effect

    @property
    def negative(self) -> bool:
        points = self.rule.points
        return (points[0] if isinstance(points, tuple) else points) < 0


MIN_PUBLICITY_MONTHS = {"minor": 0, "general": 3, "serious": 12}  # DESIGN §8 repair


def plan_rules(policy: Policy, rates: list[RuleRate], window: Window) -> tuple[list[RulePlan], list[str]]:
    """A plan per rule and the vocabulary of source ids."""
    vocabulary: dict[str, int] = {}
    plans = []
    default_length = policy.policy.default_counts_for
    tables: dict[tuple[int, int], np.ndarray] = {}

    def table(months: int, days: int) -> np.ndarray:
        if (months, days) not in tables:
            tables[months, days] = window.offsets(lambda day: add_duration(day, Duration(months, days)))
        return tables[months, days]

    for index, rate in enumerate(rates):
        rule = rate.rule
        fallback = "village-assessors" if rule.review else CATEGORY_SOURCES.get(rule.category, "credit-office")
        names = rule.sources or [fallback]
        sources = np.array([vocabulary.setdefault(name, len(vocabulary)) for name in names], dtype=np.int64)
        length = rule.counts_for or default_length
        notice = rule.notice
        publicity = MIN_PUBLICITY_MONTHS[rule.severity]
        plans.append(
            RulePlan(
                index=index,
                rule=rule,
                rate=rate,
                kinds=rule_kinds(rule, policy),
                sources=sources,
                ends=table(*length),
                cure_by=table(*notice.cure_within) if notice else None,
                repair_from=table(publicity, 0),
            )
        )
    return plans, list(vocabulary)


def working_time(rng: np.random.Generator, count: int) -> np.ndarray:
    """Microseconds after midnight, uniformly in office hours."""
    return rng.integers(WORK_START_S, WORK_END_S, count) * 1_000_000


def make_facts(rng: np.random.Generator, plan: RulePlan, subjects: int, kind: str, window: Window) -> Block:
    """This rule's facts about ``subjects`` subjects of ``kind`` over the window (Poisson counts)."""
    expected = plan.rate.of(kind) * window.days / 365.25 * subjects
    count = int(rng.poisson(expected)) if kind in plan.kinds and expected > 0 else 0
    day = rng.integers(0, window.days, count)
    rule = plan.rule
    if rule.review:
        lag = rng.integers(0, 6, count)
    else:
        late = rng.random(count) < LATE_SHARE
        lag = np.where(late, rng.integers(*LATE_DAYS, count), rng.choice(4, count, p=[0.55, 0.2, 0.15, 0.1]))
    recorded = window.start_us + (day + lag) * DAY_US + working_time(rng, count)
    points, has_points = discretionary_points(rng, rule, count)
    photos, video = evidence_counts(rng, rule, count)
    block = Block(
        {
            "subject": rng.integers(0, subjects, count),
            "kind": np.full(count, KIND["fact"]),
            "ref": np.full(count, -1),
            "rule": np.full(count, plan.index),
            "day": day,
            "recorded": recorded,
            "points": points,
            "source": plan.sources[rng.integers(0, len(plan.sources), count)],
            "status": fact_status(rng, rule, recorded, window),
            "photos": photos,
            "video": video,
            "doc": rng.integers(1, 10_000, count) if rule.requires_document else np.zeros(count, dtype=np.int64),
        },
        has_points,
    )
    return block.take(np.flatnonzero(recorded < window.end_us))


def fact_status(rng: np.random.Generator, rule: Rule, recorded: np.ndarray, window: Window) -> np.ndarray:
    """Reports under review are pending until the committee meets (the 25th after the 18th cut-off), then
    mostly confirmed, some rejected; agency records arrive confirmed, a few are contested."""
    count = len(recorded)
    draw = rng.random(count)
    if not rule.review:
        return np.where(draw < CONTESTED_SHARE, STATUS["contested"], STATUS["confirmed"])
    day = ((recorded - window.start_us) // DAY_US).astype("timedelta64[D]") + np.datetime64(window.start, "D")
    month = day.astype("datetime64[M]")
    after_cutoff = (day - month.astype("datetime64[D]")).astype(np.int64) + 1 > REVIEW_CUTOFF_DAY
    meets = (month + after_cutoff.astype(np.int64)).astype("datetime64[D]") + (COMMITTEE_DAY - 1)
    decided = np.where(draw < REJECTED_SHARE, STATUS["rejected"], STATUS["confirmed"])
    return np.where(meets >= np.datetime64(window.end, "D"), STATUS["pending"], decided)


def discretionary_points(rng: np.random.Generator, rule: Rule, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in hundredths inside the rule's range (whole points where the range allows), for ranges only."""
    if not isinstance(rule.points, tuple):
        return np.zeros(count, dtype=np.int64), np.zeros(count, dtype=bool)
    low, high = rule.points
    whole_low, whole_high = -(-low // 100), high // 100
    if whole_low <= whole_high:
        points = rng.integers(whole_low, whole_high + 1, count) * 100
    else:
        points = rng.integers(low, high + 1, count)
    return points, np.ones(count, dtype=bool)


def evidence_counts(rng: np.random.Generator, rule: Rule, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Photos and videos attached to each report, meeting the rule's evidence requirement."""
    need = rule.evidence
    if need is None or (need.photos == 0 and not need.or_video):
        return np.zeros(count, dtype=np.int64), np.zeros(count, dtype=np.int64)
    video = np.ones(count, dtype=np.int64) if need.photos == 0 else np.zeros(count, dtype=np.int64)
    if need.or_video and need.photos:
        video = (rng.random(count) < VIDEO_SHARE).astype(np.int64)
    return np.where(video == 1, 0, need.photos), video
