"""The points distributions under both handbooks on shared bins, with each handbook's grade boundaries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from socialcredit.policy.model import Policy
from socialcredit.policy.money import HUNDRED, format_cents

if TYPE_CHECKING:
    import polars as pl

TARGET_BINS = 50
_STEPS = (1, 2, 5)


def bin_width(span_cents: int, target: int = TARGET_BINS) -> int:
    """A round bin width (1, 2, 5, 10, 20, 50 … points) giving about ``target`` bins over the span."""
    scale = HUNDRED
    while True:
        for step in _STEPS:
            if step * scale * target >= span_cents:
                return step * scale
        scale *= 10


def boundaries(policy: Policy) -> list[dict[str, str]]:
    """The grade boundaries (lower bounds) of a handbook, best grade first."""
    return [{"grade": g.name, "min": format_cents(g.min)} for g in policy.grades if g.min is not None]


def points_distribution(pairs: pl.DataFrame, baseline: Policy, candidate: Policy) -> dict[str, Any]:
    """Histogram counts of baseline and candidate points on the same bins, and summary statistics."""
    import polars as pl

    columns = {"baseline": "b_points_cents", "candidate": "c_points_cents"}
    marks = [g.min for p in (baseline, candidate) for g in p.grades if g.min is not None]
    bounds = pairs.select(
        low=pl.min_horizontal(pl.col(list(columns.values())).min()),
        high=pl.max_horizontal(pl.col(list(columns.values())).max()),
    ).row(0)
    values = [v for v in (*bounds, *marks) if v is not None]
    result: dict[str, Any] = {
        "boundaries": {"baseline": boundaries(baseline), "candidate": boundaries(candidate)},
        "stats": {name: _stats(pairs.get_column(column)) for name, column in columns.items()},
    }
    if bounds[0] is None:
        return {**result, "bin_width": None, "bins": []}
    low, high = min(values), max(values)
    width = bin_width(high - low)
    start = (low // width) * width
    count = (high - start) // width + 1
    tallies = {name: _tally(pairs.get_column(column), start, width, count) for name, column in columns.items()}
    bins = [
        {"from": format_cents(start + i * width), **{name: tallies[name][i] for name in columns}} for i in range(count)
    ]
    return {**result, "bin_width": format_cents(width), "bins": bins}


def _tally(points: pl.Series, start: int, width: int, count: int) -> list[int]:
    import polars as pl

    index = ((points.drop_nulls() - start) // width).alias("bin")
    counts = dict(index.to_frame().group_by("bin").agg(n=pl.len()).iter_rows())
    return [int(counts.get(i, 0)) for i in range(count)]


def _stats(points: pl.Series) -> dict[str, Any]:
    scored = points.drop_nulls()
    if scored.is_empty():
        return {"scored": 0, "mean": None, "median": None, "min": None, "max": None}
    return {
        "scored": scored.len(),
        "mean": _points(scored.mean()),
        "median": _points(scored.median()),
        "min": format_cents(int(scored.min())),  # type: ignore[arg-type]
        "max": format_cents(int(scored.max())),  # type: ignore[arg-type]
    }


def _points(cents: Any) -> str:
    """A mean or median in hundredths as points with at most two decimals."""
    return format_cents(round(float(cents)))
