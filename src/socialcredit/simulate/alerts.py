"""Warnings about a candidate handbook: the documented failure modes (cliff effects, disproportion, scope creep).

- **cliff**: many subjects sit within a few points above a grade boundary, so one small deduction moves them
  down a grade; **minor-cliff**: one record of a single minor rule would move many down a grade;
- **driver**: one rule drives a large share of the downgrades;
- **grade-measure**: a measure denies a service through a grade (or a grade-based list) rather than a legal
  listing;
- **minor-to-low**: minor-severity rules that push subjects to C or D (a handbook without those grades: its
  lowest grade), through their points or a grade ceiling.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from socialcredit.policy.model import Policy, Rule
from socialcredit.policy.money import format_cents
from socialcredit.simulate.explain import BANDS

if TYPE_CHECKING:
    import polars as pl

CLIFF_SHARE = 0.01  # warn when at least this share of scored subjects sits on a cliff
DRIVER_SHARE = 0.2  # warn when a rule drives at least this share of the downgrades
TOP_RULES = 3


@dataclass(frozen=True, slots=True)
class Downgrade:
    """One downgraded subject of the explained sample: its grades and what drove the move."""

    from_grade: str | None
    to_grade: str | None
    drivers: tuple[str, ...]


def cliffs(pairs: pl.DataFrame, policy: Policy, prefix: str, margin: int) -> list[dict[str, Any]]:
    """Per grade boundary: subjects of that grade within ``margin`` hundredths above its lower bound."""
    import polars as pl

    points, grade = pl.col(f"{prefix}_points_cents"), pl.col(f"{prefix}_grade")
    bounded = [g for g in policy.grades if g.min is not None]
    exprs = [((grade == g.name) & (points < g.min + margin)).sum().alias(g.name) for g in bounded]  # type: ignore[operator]
    row = pairs.select(exprs).row(0, named=True) if exprs else {}
    scored = pairs.select(points.is_not_null().sum()).item()
    return [
        {
            "grade": g.name,
            "min": format_cents(g.min or 0),
            "within": int(row[g.name]),
            "share": _share(row[g.name], scored),
        }
        for g in bounded
    ]


def minor_cliffs(pairs: pl.DataFrame, policy: Policy) -> list[dict[str, Any]]:
    """Per minor deduction rule: subjects whom one more record of it would move down a grade."""
    import polars as pl

    points, grade = pl.col("c_points_cents"), pl.col("c_grade")
    bounded = [g for g in policy.grades if g.min is not None]
    rules = [(rule, _deduction(rule)) for rule in policy.rules if rule.severity == "minor" and _deduction(rule)]
    exprs = [
        pl.any_horizontal([(grade == g.name) & (points < g.min + cost) for g in bounded]).sum().alias(rule.id)  # type: ignore[operator]
        for rule, cost in rules
    ]
    if not exprs or not bounded:
        return []
    row = pairs.select(exprs).row(0, named=True)
    scored = pairs.select(points.is_not_null().sum()).item()
    found = [
        {
            "rule": rule.id,
            "points": format_cents(-cost),
            "subjects": int(row[rule.id]),
            "share": _share(row[rule.id], scored),
        }
        for rule, cost in rules
    ]
    return sorted(found, key=lambda item: (-item["subjects"], item["rule"]))


def grade_measures(pairs: pl.DataFrame, baseline: Policy, candidate: Policy) -> list[dict[str, Any]]:
    """Candidate measures that deny a service through grades (directly or via grade-based lists)."""
    import polars as pl

    lists = {entry.id: entry.members.grades for entry in candidate.lists}
    old_ids = {measure.id for measure in baseline.measures}
    found = []
    for measure in candidate.measures:
        grades = sorted(set(measure.when.grades).union(*(lists.get(name, []) for name in measure.when.lists)))
        if measure.effect != "deny" or not grades:
            continue
        count = pairs.select(pl.col("c_grade").is_in(grades).sum()).item()
        found.append(
            {"measure": measure.id, "service": measure.service, "grades": grades, "subjects": int(count),
             "new": measure.id not in old_ids}
        )  # fmt: skip
    return found


def drivers_table(sample: list[Downgrade], downgraded: int) -> dict[str, Any]:
    """How often each rule (or the bands) drove a downgrade in the explained sample."""
    counts = Counter(driver for item in sample for driver in item.drivers)
    rows = [
        {"rule": rule, "subjects": count, "share": _share(count, len(sample))}
        for rule, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return {"downgraded": downgraded, "explained": len(sample), "rules": rows}


def low_grades(policy: Policy) -> list[str]:
    """The grades C and D, or the lowest grade of a handbook that has neither."""
    return [g.name for g in policy.grades if g.name in ("C", "D")] or [policy.grades[-1].name]


def minor_to_low(sample: list[Downgrade], candidate: Policy) -> list[dict[str, Any]]:
    """Minor rules among the drivers of downgrades into C or D (see :func:`low_grades`), from the sample."""
    low = set(low_grades(candidate))
    minor = {rule.id for rule in candidate.rules if rule.severity == "minor"}
    counts = Counter(d for item in sample if item.to_grade in low for d in item.drivers if d in minor)
    return [{"rule": rule, "subjects": count} for rule, count in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]


def warnings(figures: dict[str, Any], candidate: Policy, margin: int) -> list[dict[str, Any]]:
    """Readable warnings from the figures (``cliffs``, ``minor_cliffs``, ``drivers``, ``grade_measures``,
    ``minor_to_low``), most serious kinds first."""
    out = [_cliff(item, margin) for item in figures["cliffs"]["candidate"] if item["share"] >= CLIFF_SHARE]
    out += [_minor_cliff(item) for item in figures["minor_cliffs"][:TOP_RULES] if item["share"] >= CLIFF_SHARE]
    drivers = figures["drivers"]
    out += [_driver(item, drivers) for item in drivers["rules"][:TOP_RULES] if item["share"] >= DRIVER_SHARE]
    out += [_grade_measure(item) for item in figures["grade_measures"]]
    low = " or ".join(low_grades(candidate))
    out += [_minor_low(item, low, drivers["explained"]) for item in figures["minor_to_low"]]
    out += _minor_ceilings(candidate)
    return out


def _cliff(item: dict[str, Any], margin: int) -> dict[str, Any]:
    message = (
        f"{item['within']} subjects ({_pct(item['share'])}) are within {format_cents(margin)} points above the "
        f"{item['grade']} boundary ({item['min']}): one deduction of {format_cents(margin)} moves them down a grade"
    )
    return {"kind": "cliff", "grade": item["grade"], "count": item["within"], "message": message}


def _minor_cliff(item: dict[str, Any]) -> dict[str, Any]:
    message = (
        f"one record of the minor rule {item['rule']} ({item['points']}) would move {item['subjects']} subjects "
        f"({_pct(item['share'])}) down a grade"
    )
    return {"kind": "minor-cliff", "rule": item["rule"], "count": item["subjects"], "message": message}


def _driver(item: dict[str, Any], drivers: dict[str, Any]) -> dict[str, Any]:
    what = "the new grade bands drive" if item["rule"] == BANDS else f"rule {item['rule']} drives"
    message = (
        f"{what} {_pct(item['share'])} of the downgrades "
        f"({item['subjects']} of {drivers['explained']} downgraded subjects explained)"
    )
    return {"kind": "driver", "rule": item["rule"], "count": item["subjects"], "message": message}


def _grade_measure(item: dict[str, Any]) -> dict[str, Any]:
    new = " (new in the candidate)" if item["new"] else ""
    message = (
        f"measure {item['measure']}{new} denies {item['service']} through grades {', '.join(item['grades'])} "
        f"rather than a legal listing: {item['subjects']} subjects"
    )
    return {"kind": "grade-measure", "measure": item["measure"], "count": item["subjects"], "message": message}


def _minor_low(item: dict[str, Any], low: str, explained: int) -> dict[str, Any]:
    message = (
        f"the minor-severity rule {item['rule']} pushes subjects to {low}: {item['subjects']} of the "
        f"{explained} downgraded subjects explained"
    )
    return {"kind": "minor-to-low", "rule": item["rule"], "count": item["subjects"], "message": message}


def _minor_ceilings(candidate: Policy) -> list[dict[str, Any]]:
    low = set(low_grades(candidate))
    return [
        {
            "kind": "minor-to-low", "rule": rule.id, "count": None,
            "message": f"the minor-severity rule {rule.id} caps the grade at {rule.grade_ceiling} with a single record",
        }
        for rule in candidate.rules
        if rule.severity == "minor" and rule.grade_ceiling in low
    ]  # fmt: skip


def _deduction(rule: Rule) -> int:
    """The most one record of ``rule`` can deduct, in hundredths (0 for rules that only add)."""
    worst = rule.points[0] if isinstance(rule.points, tuple) else rule.points
    return max(0, -worst)


def _share(count: int, total: int) -> float:
    return round(count / total, 6) if total else 0.0


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %"
