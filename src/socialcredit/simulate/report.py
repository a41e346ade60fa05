"""Run a simulation: both handbooks over the same population, and every figure of the report.

:func:`simulate` returns the report as plain JSON-ready data (``--format json`` prints it as is; the HTML
page and the web application render it). Population-wide figures come from the outcome frames; the few
subjects shown or explained individually are evaluated again by the per-subject engine, with explanations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from socialcredit.policy.model import Policy
from socialcredit.policy.money import format_cents
from socialcredit.scoring.standing import Standing
from socialcredit.simulate import alerts, compare
from socialcredit.simulate.distribution import points_distribution
from socialcredit.simulate.explain import drivers, explain_change, record_changes
from socialcredit.simulate.groups import breakdown, dimensions, identifier_facts, with_places
from socialcredit.simulate.monthly import month_days, monthly_grades
from socialcredit.simulate.outcomes import Scoring

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True, slots=True)
class Options:
    """Knobs of a simulation: how many subjects to show, the cliff margin (hundredths), the explained sample."""

    top: int = 10
    cliff_margin: int = 500
    explain_sample: int = 500
    full_ids: bool = False


def steps(monthly_from: date | None, as_of: date) -> int:
    """How many times :func:`simulate` calls ``advance`` (for a progress bar)."""
    return 3 + (2 * len(month_days(monthly_from, as_of)) if monthly_from else 0)


def simulate(
    population: Scoring,
    baseline: Policy,
    candidate: Policy,
    *,
    as_of: date,
    known_at: datetime | None = None,
    monthly_from: date | None = None,
    places: pl.DataFrame | None = None,
    options: Options = Options(),
    advance: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The full report of ``candidate`` against ``baseline`` over ``population`` on ``as_of``.

    ``places`` (columns ``subject``, ``village``) adds a breakdown by village to those read from identifiers.
    """
    import polars as pl

    tick = advance or (lambda: None)
    days = month_days(monthly_from, as_of) if monthly_from else []
    population.prepare(baseline, "baseline")
    population.prepare(candidate, "candidate")
    base = population.outcomes(baseline, as_of, known_at, "baseline")
    tick()
    cand = population.outcomes(candidate, as_of, known_at, "candidate")
    tick()
    order, members = compare.merged_grades(baseline, candidate), compare.Members.of(baseline, candidate)
    pairs = compare.pair_frame(base, cand, order, members)
    facts = with_places(identifier_facts(pairs.get_column("subject"), as_of), places)
    pairs = pl.concat([pairs, facts.drop("subject")], how="horizontal")
    report = _population_figures(pairs, base, cand, baseline, candidate, order, members)
    report |= {"as_of": as_of.isoformat(), "known_at": known_at.isoformat() if known_at else None}
    report |= _individual_figures(population, pairs, baseline, candidate, as_of, known_at, options, members)
    report["cliffs"] = {
        "margin": format_cents(options.cliff_margin),
        **{name: alerts.cliffs(pairs, p, name[0], options.cliff_margin) for name, p in _named(baseline, candidate)},
    }
    report["minor_cliffs"] = alerts.minor_cliffs(pairs, candidate)
    report["grade_measures"] = alerts.grade_measures(pairs, baseline, candidate)
    report["warnings"] = alerts.warnings(report, candidate, options.cliff_margin)
    tick()
    policies = dict(_named(baseline, candidate))
    known = {"baseline": known_at, "candidate": known_at}
    report["monthly"] = monthly_grades(population, policies, days, known, tick) if days else None
    return report


def _population_figures(
    pairs: pl.DataFrame, base: pl.DataFrame, cand: pl.DataFrame,
    baseline: Policy, candidate: Policy, order: list[str], members: compare.Members,
) -> dict[str, Any]:  # fmt: skip
    return {
        "baseline": _ref(baseline),
        "candidate": _ref(candidate),
        "summary": compare.summary(pairs),
        "grades": {
            "order": order,
            "baseline": compare.grade_counts(base, baseline),
            "candidate": compare.grade_counts(cand, candidate),
        },
        "transitions": compare.transitions(pairs, order),
        "distribution": points_distribution(pairs, baseline, candidate),
        "lists": compare.list_changes(pairs, baseline, candidate, members),
        "measures": compare.measure_changes(pairs, members),
        "groups": breakdown(pairs),
    }


def _individual_figures(
    population: Scoring, pairs: pl.DataFrame, baseline: Policy, candidate: Policy,
    as_of: date, known_at: datetime | None, options: Options, members: compare.Members,
) -> dict[str, Any]:  # fmt: skip
    """The most changed subjects, explained, and the drivers of downgrades (from a sample if many)."""
    import polars as pl

    top = top_changed(pairs, options.top, members)
    downgraded = pairs.filter(pl.col("down")).get_column("subject")
    sample = (
        downgraded.sample(options.explain_sample, seed=0) if downgraded.len() > options.explain_sample else downgraded
    )
    wanted = set(top) | set(sample.to_list())
    base = {s.subject: s for s in population.standings(baseline, as_of, known_at, wanted)}
    cand = {s.subject: s for s in population.standings(candidate, as_of, known_at, wanted)}
    explained = [
        alerts.Downgrade(base[s].grade, cand[s].grade, tuple(drivers(base[s], cand[s], baseline, candidate)))
        for s in sorted(sample.to_list())
    ]
    shown = pairs.filter(pl.col("subject").is_in(top)).select("subject", *dimensions(pairs))
    described = shown.rows_by_key("subject", named=True, unique=True)
    return {
        "top_subjects": [
            _subject(base[s], cand[s], baseline, candidate, described.get(s, {}), options.full_ids) for s in top
        ],
        "drivers": alerts.drivers_table(explained, downgraded.len()),
        "minor_to_low": alerts.minor_to_low(explained, candidate),
    }


def top_changed(pairs: pl.DataFrame, count: int, members: compare.Members) -> list[str]:
    """The subjects whose outcome changes most: grade steps, then services, then lists, then points."""
    import polars as pl

    keys = (
        pairs.lazy()
        .filter(pl.col("changed"))
        .select(
            pl.col("grade_changed").cast(pl.Int8),
            grade_steps=(pl.col("c_rank") - pl.col("b_rank")).abs().fill_null(0),
            services=members.moves("denied"),
            list_moves=members.moves("lists"),
            moved=pl.col("points_delta").abs().fill_null(0),
            subject=pl.col("subject"),
        )
    )
    names = ["grade_changed", "grade_steps", "services", "list_moves", "moved", "subject"]
    best = keys.top_k(count, by=names, reverse=[False] * 5 + [True]).sort(names, descending=[True] * 5 + [False])
    return best.collect().get_column("subject").to_list()


def _subject(
    base: Standing, cand: Standing, baseline: Policy, candidate: Policy, facts: dict[str, Any], full_ids: bool
) -> dict[str, Any]:
    return {
        "subject": base.subject if full_ids else mask(base.subject),
        **{name: value for name, value in facts.items() if name != "subject"},
        "baseline": _outcome(base),
        "candidate": _outcome(cand),
        "why": explain_change(base, cand, baseline, candidate),
        "records": record_changes(base, cand),
    }


def _outcome(standing: Standing) -> dict[str, Any]:
    return {
        "points": None if standing.points is None else format_cents(standing.points),
        "grade": standing.grade,
        "lists": [entry.id for entry in standing.lists],
        "denied": sorted({m.service for m in standing.measures if m.effect == "deny"}),
    }


def mask(subject: str) -> str:
    """Hide the birth date (persons) or organisation code middle: ``371082********0017``."""
    return subject[:6] + "*" * 8 + subject[14:] if len(subject) == 18 else subject


def _named(baseline: Policy, candidate: Policy) -> tuple[tuple[str, Policy], tuple[str, Policy]]:
    return (("baseline", baseline), ("candidate", candidate))


def _ref(policy: Policy) -> dict[str, str]:
    return {**policy.ref(), "title": policy.policy.title}
