"""Aggregates the dashboards show (read-only, over the current standings, records and list members)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from socialcredit.platform.lists.models import ListMember
from socialcredit.platform.records.models import RecordRow
from socialcredit.platform.standings.models import CurrentStanding
from socialcredit.platform.subjects.models import Subject
from socialcredit.policy.model import Policy


@dataclass(frozen=True, slots=True)
class Figures:
    grades: list[tuple[str, float]]
    months: list[str]
    trend: dict[str, list[float]]
    rules: list[tuple[str, float]]
    villages: list[tuple[str, float]]
    lists: list[tuple[str, float]]
    subjects: int
    records: int


def grade_distribution(session: Session, policy: Policy) -> list[tuple[str, float]]:
    counts = dict(session.execute(select(CurrentStanding.grade, func.count()).group_by(CurrentStanding.grade)).all())
    return [(grade.name, float(counts.get(grade.name, 0))) for grade in policy.grades]


def monthly_trend(session: Session, policy: Policy, *, since: date) -> tuple[list[str], dict[str, list[float]]]:
    """Facts per month (by the day they occurred): good deeds (points > 0) and breaches (points < 0)."""
    month = func.substr(cast(RecordRow.occurred_on, String), 1, 7)
    query = (
        select(month, RecordRow.rule, func.count())
        .where(RecordRow.kind == "fact", RecordRow.occurred_on >= since)
        .group_by(month, RecordRow.rule)
    )
    good: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    for key, rule_id, count in session.execute(query).all():
        rule = policy.rule(rule_id or "")
        points = rule.points if rule is not None else 0
        sign = points if isinstance(points, int) else points[0]
        (good if sign > 0 else bad)[str(key)] += count
    months = sorted(set(good) | set(bad))
    return months, {"+": [float(good[m]) for m in months], "-": [float(bad[m]) for m in months]}


def frequent_rules(session: Session, policy: Policy, *, limit: int = 10) -> list[tuple[str, float]]:
    query = (
        select(RecordRow.rule, func.count().label("n"))
        .where(RecordRow.kind == "fact")
        .group_by(RecordRow.rule)
        .order_by(func.count().desc())
        .limit(limit)
    )
    rules = policy.rules_by_id
    return [(rules[r].title if r in rules else str(r), float(n)) for r, n in session.execute(query).all()]


def by_village(session: Session, *, limit: int = 12) -> list[tuple[str, float]]:
    """Average points of the most populous villages (persons and organisations with a standing)."""
    query = (
        select(Subject.village, func.avg(CurrentStanding.points), func.count())
        .join(CurrentStanding, CurrentStanding.subject == Subject.national_id)
        .where(Subject.village.is_not(None), CurrentStanding.points.is_not(None))
        .group_by(Subject.village)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [(str(village), float(avg) / 100) for village, avg, _ in session.execute(query).all()]


def list_sizes(session: Session, policy: Policy) -> list[tuple[str, float]]:
    counts: dict[str, int] = defaultdict(int)
    counts.update(session.execute(select(ListMember.list_id, func.count()).group_by(ListMember.list_id)).all())
    return [(definition.title, float(counts[definition.id])) for definition in policy.lists]


def figures(session: Session, policy: Policy, *, since: date) -> Figures:
    months, trend = monthly_trend(session, policy, since=since)
    return Figures(
        grades=grade_distribution(session, policy),
        months=months,
        trend=trend,
        rules=frequent_rules(session, policy),
        villages=by_village(session),
        lists=list_sizes(session, policy),
        subjects=int(session.execute(select(func.count()).select_from(Subject)).scalar_one()),
        records=int(session.execute(select(func.count()).select_from(RecordRow)).scalar_one()),
    )
