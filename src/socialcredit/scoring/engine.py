"""The per-subject engine: DESIGN §7, exactly, in integer hundredths. Pure: no I/O.

``evaluate(records, policy, as_of, known_at)`` → :class:`Standing`. The columnar engine
(``scoring.columnar``) implements the same semantics over whole populations; tests hold them equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from socialcredit.errors import RecordError
from socialcredit.policy.duration import Duration, add_duration
from socialcredit.policy.model import Policy, Rule
from socialcredit.records.schema import SUSPENDED_STATUS, Record
from socialcredit.scoring import standing as st
from socialcredit.scoring.caps import apply_cap
from socialcredit.scoring.standing import Contribution, ListEntry, MeasureEntry, Standing


@dataclass(slots=True)
class FactState:
    """A fact after references are resolved: its effective content, window and status."""

    record: Record
    rule: Rule | None
    rule_id: str
    occurred_on: date
    points: int
    starts_on: date
    ends_on: date
    status: str


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last instant of ``day`` in ``tz``: the default ``known_at`` for ``as_of = day``."""
    return datetime.combine(day, time.max, tz)


def evaluate(
    records: Iterable[Record],
    policy: Policy,
    as_of: date,
    known_at: datetime | None = None,
    *,
    consent: bool = False,
    subject: str | None = None,
) -> Standing:
    """Evaluate one subject's records on ``as_of`` as known at ``known_at`` (default: end of ``as_of``)."""
    records = list(records)
    tz = ZoneInfo(policy.policy.timezone)
    known = known_at or end_of_day(as_of, tz)
    subject = subject or _only_subject(records)
    facts = resolve_facts(records, policy, as_of, known)
    rules = policy.rules_by_id
    for rule_id, group in _in_force_by_rule(facts).items():
        rule = rules.get(rule_id)
        if rule is not None and rule.cap is not None:
            apply_cap(group, rule.cap)
    scored = not policy.policy.scoring_requires_consent or consent
    points = _points(facts, policy) if scored else None
    grade = _grade(points, facts, policy) if points is not None else None
    lists = _lists(facts, policy, grade)
    return Standing(
        subject=subject,
        as_of=as_of,
        known_at=known,
        policy=policy.ref(),
        points=points,
        grade=grade,
        lists=lists,
        measures=_measures(policy, {entry.id for entry in lists}, grade),
        contributions=_explanation(facts, as_of),
        next_change_on=_next_change(facts, as_of),
    )


@dataclass(frozen=True, slots=True)
class _Context:
    """What steps 1–3 need from the handbook and the question, looked up once per evaluation."""

    rules: Mapping[str, Rule]
    default_counts_for: Duration
    suspend_contested: bool
    as_of: date
    known_at: datetime


def resolve_facts(records: list[Record], policy: Policy, as_of: date, known_at: datetime) -> list[FactState]:
    """Steps 1–3: visibility, corrections and withdrawals, status, notice/cure, window, repair."""
    header = policy.policy
    ctx = _Context(
        policy.rules_by_id, header.default_counts_for, header.while_contested == "suspended", as_of, known_at
    )
    actions: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in records:
        if record.kind != "fact" and record.recorded_at <= known_at and record.target:
            actions[record.target].append(record)
    for group in actions.values():
        group.sort(key=lambda record: (record.recorded_at, record.id))
    return [_fact_state(record, actions.get(record.key, []), ctx) for record in records if record.kind == "fact"]


def _fact_state(fact: Record, actions: list[Record], ctx: _Context) -> FactState:
    if fact.recorded_at > ctx.known_at:
        return _state(fact, ctx, fact.rule or "", fact.occurred_on, fact.points, st.NOT_YET_KNOWN)
    rule_id, occurred_on, points, withdrawn = fact.rule or "", fact.occurred_on, fact.points, False
    for action in actions:
        if action.kind == "correct":
            rule_id, occurred_on, points = action.rule or "", action.occurred_on, action.points
        elif action.kind == "withdraw":
            withdrawn = True
    state = _state(fact, ctx, rule_id, occurred_on, points, "")
    state.status = _status(state, actions, ctx, withdrawn)
    return state


def _state(fact: Record, ctx: _Context, rule_id: str, occurred_on: date, points: int | None, status: str) -> FactState:
    rule = ctx.rules.get(rule_id)
    if rule is None and status != st.NOT_YET_KNOWN:
        raise RecordError(f"record ({fact.source}, {fact.id}): unknown rule {rule_id!r}")
    value = (rule.points if isinstance(rule.points, int) else points) if rule else None
    if rule is not None and value is None:
        raise RecordError(f"record ({fact.source}, {fact.id}): discretionary rule {rule_id} needs points")
    starts = add_duration(occurred_on, rule.notice.cure_within) if rule and rule.notice else occurred_on
    length = (rule.counts_for if rule else None) or ctx.default_counts_for
    return FactState(fact, rule, rule_id, occurred_on, value or 0, starts, add_duration(occurred_on, length), status)


def _status(state: FactState, actions: list[Record], ctx: _Context, withdrawn: bool) -> str:
    record, rule = state.record, state.rule
    if withdrawn:
        return st.WITHDRAWN
    if record.status in ("pending", "rejected"):
        return st.NOT_CONFIRMED
    if record.status == SUSPENDED_STATUS or (record.status == "contested" and ctx.suspend_contested):
        return st.SUSPENDED
    has_notice = rule is not None and rule.notice is not None
    if has_notice and any(a.kind == "cure" and a.occurred_on <= state.starts_on for a in actions):
        return st.CURED
    repairs = [a.occurred_on for a in actions if a.kind == "repair" and a.occurred_on < state.ends_on]
    if repairs:
        state.ends_on = min(repairs)
    if ctx.as_of >= state.ends_on:
        return st.REPAIRED if repairs else st.EXPIRED
    if ctx.as_of < state.starts_on:
        return st.PENDING_NOTICE
    return st.COUNTED


def _in_force_by_rule(facts: list[FactState]) -> dict[str, list[FactState]]:
    groups: dict[str, list[FactState]] = defaultdict(list)
    for fact in facts:
        if fact.status in st.IN_FORCE:
            groups[fact.rule_id].append(fact)
    return groups


def _points(facts: list[FactState], policy: Policy) -> int:
    total = policy.scale.start + sum(f.points for f in facts if f.status == st.COUNTED)
    if policy.scale.min is not None:
        total = max(total, policy.scale.min)
    if policy.scale.max is not None:
        total = min(total, policy.scale.max)
    return total


def _grade(points: int, facts: list[FactState], policy: Policy) -> str:
    rank = next(i for i, grade in enumerate(policy.grades) if grade.min is None or grade.min <= points)
    for fact in facts:
        if fact.status in st.IN_FORCE and fact.rule and fact.rule.grade_ceiling:
            rank = max(rank, policy.grade_rank(fact.rule.grade_ceiling))
    return policy.grades[rank].name


def _lists(facts: list[FactState], policy: Policy, grade: str | None) -> tuple[ListEntry, ...]:
    entries = []
    in_force = [f for f in facts if f.status in st.IN_FORCE]
    for definition in policy.lists:
        members = definition.members.rules
        holding = [f for f in in_force if f.rule_id in members] if members else []
        if holding:
            since = min(f.starts_on for f in holding)
            entries.append(ListEntry(definition.id, since, max(f.ends_on for f in holding)))
        elif grade is not None and grade in definition.members.grades:
            entries.append(ListEntry(definition.id, None, None))
    return tuple(entries)


def _measures(policy: Policy, list_ids: set[str], grade: str | None) -> tuple[MeasureEntry, ...]:
    return tuple(
        MeasureEntry(m.id, m.service, m.effect)
        for m in policy.measures
        if list_ids.intersection(m.when.lists) or (grade is not None and grade in m.when.grades)
    )


def _explanation(facts: list[FactState], as_of: date) -> tuple[Contribution, ...]:
    shown = [f for f in facts if f.occurred_on <= as_of]
    shown.sort(key=lambda f: (f.occurred_on, f.record.source, f.record.id))
    return tuple(
        Contribution(
            f.record.source, f.record.id, f.rule_id, f.points if f.status == st.COUNTED else 0, f.status, f.occurred_on
        )
        for f in shown
    )


def _next_change(facts: list[FactState], as_of: date) -> date | None:
    """Step 11. A fact that occurs after ``as_of`` is no part of the standing (step 10), so not pending notice."""
    dates = [f.starts_on for f in facts if f.status == st.PENDING_NOTICE and f.occurred_on <= as_of]
    dates += [f.ends_on for f in facts if f.status in st.IN_FORCE]
    later = [day for day in dates if day > as_of]
    return min(later) if later else None


def _only_subject(records: list[Record]) -> str:
    subjects = {record.subject for record in records if record.subject}
    if len(subjects) > 1:
        raise RecordError(f"evaluate() takes one subject's records; got {len(subjects)} subjects")
    return subjects.pop() if subjects else ""
