"""Turn scores into what people read: reason codes with sentences, and the way to the next band.

Reasons rank the characteristics by the points they score below their own best bin (largest gap first, ties in
the scorecard's order) and keep the top four with a gap; a characteristic at its best bin is never a reason.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from socialcredit.scorecard.nextband import next_band
from socialcredit.scorecard.result import Reason, ScoreResult

if TYPE_CHECKING:
    from socialcredit.scorecard.model import Scorecard, Scored, Table

REASONS = 4


def explain(card: Scorecard, index: Sequence[int], values: Sequence[Any]) -> ScoreResult:
    """The full result of one applicant from its bin indexes and the values as scored."""
    points = [table.point_list[i] for table, i in zip(card.tables, index, strict=True)]
    raw = card.spec.base_points + sum(points)
    score = card.clamp(raw)
    band = bisect.bisect_right(card.band_min, score) - 1
    gaps = [table.best_points - p for table, p in zip(card.tables, points, strict=True)]
    ranked = sorted((j for j, gap in enumerate(gaps) if gap > 0), key=lambda j: (-gaps[j], j))[:REASONS]
    return ScoreResult(
        score=score,
        band=card.band_names[band],
        clamped=score != raw,
        reasons=[reason(card.tables[j], index[j], _plain(values[j])) for j in ranked],
        next_band=next_band(card, list(index), points, raw, band),
        model=card.ref,
    )


def explain_rows(card: Scorecard, scored: Scored, frame: pl.DataFrame) -> Iterator[ScoreResult]:
    """:func:`explain` for every row of a scored frame."""
    values = [table.display_values(frame[table.spec.name]) for table in card.tables]
    for row, index in enumerate(scored.index.tolist()):
        yield explain(card, index, [column[row] for column in values])


def scored_frame(card: Scorecard, scored: Scored) -> pl.DataFrame:
    """Flat columns for batch output: score, band, reason_i / points_lost_i, points_to_next_band."""
    codes = np.array([t.spec.reason_code for t in card.tables] + [None], dtype=object)
    top = scored.band + 1 >= len(card.band_names)
    upper = np.append(card.band_lowers[1:], 0)[scored.band]
    columns: dict[str, Any] = {
        "score": pl.Series(scored.score, dtype=pl.Int64),
        "band": pl.Series(np.array(card.band_names, dtype=object)[scored.band], dtype=pl.String),
    }
    for i in range(scored.order.shape[1]):
        has = scored.lost[:, i] > 0
        columns[f"reason_{i + 1}"] = pl.Series(codes[np.where(has, scored.order[:, i], -1)], dtype=pl.String)
        columns[f"points_lost_{i + 1}"] = pl.Series(scored.lost[:, i], dtype=pl.Int64)
    columns["points_to_next_band"] = pl.Series(upper - scored.raw, dtype=pl.Int64)
    columns["_top"] = pl.Series(top, dtype=pl.Boolean)
    lost = [
        pl.when(pl.col(name) > 0).then(pl.col(name)).alias(name) for name in columns if name.startswith("points_lost")
    ]
    needed = pl.when(~pl.col("_top")).then(pl.col("points_to_next_band")).alias("points_to_next_band")
    return pl.DataFrame(columns).with_columns(*lost, needed).drop("_top")


def characteristic_label(name: str) -> str:
    """``duration_in_month`` → ``Duration in month``."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def reason(table: Table, current: int, value: Any) -> Reason:
    """The reason code of one characteristic scoring ``current``'s points instead of its best bin's."""
    spec = table.spec
    points, best = table.point_list[current], table.best_points
    label = characteristic_label(spec.name)
    best_label = table.labels[table.best]
    if value is None:
        shown = "missing"
    elif spec.kind == "categorical":
        shown = f'"{value}"' if table.labels[current] == f'"{value}"' else f'"{value}" ({table.labels[current]})'
    else:
        shown = f"{value} ({table.labels[current]})"
    sentence = f"{label} is {shown}, which scores {points} points: {best - points} fewer than the best, {best_label}."
    return Reason(
        code=spec.reason_code,
        characteristic=spec.name,
        category=spec.category,
        value=value,
        bin=table.labels[current],
        points=points,
        best_bin=best_label,
        best_points=best,
        points_lost=best - points,
        sentence=sentence,
        improve=_improve(table, points, label),
    )


def _improve(table: Table, points: int, label: str) -> str:
    best = table.best_points
    text = f"{label}: {table.labels[table.best]} would score {best - points} points more"
    step_points, step = min((p, b) for b, p in enumerate(table.point_list[: table.n_bins]) if p > points)
    if step != table.best and step_points < best:
        text += f"; the next step up, {table.labels[step]}, adds {step_points - points}"
    return text + "."


def _plain(value: Any) -> Any:
    """JSON-friendly value: NaN → None, whole floats → int."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    return value
