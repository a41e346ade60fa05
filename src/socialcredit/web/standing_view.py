"""A standing as a page shows it: grade band and the distance to its boundaries, each record with its rule,
legal basis, evidence and status; lists and measures with their titles. Pure: built from the engine's
:class:`Standing`, the handbook and the subject's records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from socialcredit.policy.model import Policy
from socialcredit.records.schema import EvidenceRef, Record
from socialcredit.scoring.standing import Standing


@dataclass(frozen=True, slots=True)
class Band:
    """Where the points sit between grade boundaries (hundredths): the next better grade and how far it is."""

    better: str | None
    to_better: int | None
    worse: str | None
    above_worse: int | None  # points that can be lost before dropping a grade (None: lowest grade)
    capped_by: str | None  # the rule whose grade ceiling holds the grade down, if any


@dataclass(frozen=True, slots=True)
class Line:
    source: str
    record: str
    rule: str
    title: str
    legal_basis: str
    severity: str
    points: int
    status: str
    occurred_on: date
    evidence: tuple[EvidenceRef, ...]
    reason: str | None
    document: str | None


@dataclass(frozen=True, slots=True)
class Named:
    id: str
    title: str
    legal_basis: str | None
    extra: str | None = None  # since–until of a list, service of a measure
    effect: str | None = None


@dataclass(frozen=True, slots=True)
class StandingView:
    standing: Standing
    band: Band | None
    lines: list[Line]
    lists: list[Named]
    measures: list[Named]


def band(standing: Standing, policy: Policy) -> Band | None:
    """The grade boundaries around the standing's points (None without points)."""
    if standing.points is None:
        return None
    grades = policy.grades  # best first
    by_points = next((i for i, g in enumerate(grades) if g.min is None or g.min <= standing.points), len(grades) - 1)
    better = grades[by_points - 1] if by_points > 0 else None
    current = grades[by_points]
    worse = grades[by_points + 1] if by_points + 1 < len(grades) else None
    capped_by = None
    if standing.grade != current.name:
        rules = policy.rules_by_id
        capped_by = next(
            (c.rule for c in standing.contributions if c.status in ("counted", "capped")
             and rules.get(c.rule) is not None and rules[c.rule].grade_ceiling == standing.grade),
            None,
        )  # fmt: skip
    return Band(
        better=better.name if better else None,
        to_better=(better.min - standing.points) if better and better.min is not None else None,
        worse=worse.name if worse else None,
        above_worse=(standing.points - current.min) if current.min is not None and worse else None,
        capped_by=capped_by,
    )


def build(standing: Standing, policy: Policy, records: Iterable[Record] = ()) -> StandingView:
    """The view of ``standing``; ``records`` (the subject's) supply evidence, reasons and documents."""
    facts = {(r.source, r.id): r for r in records}
    rules = policy.rules_by_id
    lines = []
    for c in standing.contributions:
        rule = rules.get(c.rule)
        record = facts.get((c.source, c.record))
        lines.append(
            Line(
                source=c.source,
                record=c.record,
                rule=c.rule,
                title=rule.title if rule else c.rule,
                legal_basis=rule.legal_basis if rule else "",
                severity=rule.severity if rule else "",
                points=c.points,
                status=c.status,
                occurred_on=c.occurred_on,
                evidence=record.evidence if record else (),
                reason=record.reason if record else None,
                document=record.document if record else None,
            )
        )
    lines.sort(key=lambda line: (line.occurred_on, line.source, line.record), reverse=True)
    definitions = {d.id: d for d in policy.lists}
    lists = [
        Named(e.id, definitions[e.id].title if e.id in definitions else e.id,
              definitions[e.id].legal_basis if e.id in definitions else None,
              f"{e.since or '—'} – {e.until or '—'}")
        for e in standing.lists
    ]  # fmt: skip
    measures_by_id = {m.id: m for m in policy.measures}
    measures = [
        Named(m.id, measures_by_id[m.id].title if m.id in measures_by_id else m.id,
              measures_by_id[m.id].legal_basis if m.id in measures_by_id else None, m.service, m.effect)
        for m in standing.measures
    ]  # fmt: skip
    return StandingView(standing, band(standing, policy), lines, lists, measures)
