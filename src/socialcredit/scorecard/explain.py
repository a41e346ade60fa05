"""Turn scored arrays into rows people can read: reason codes with sentences, and the next-band change."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

if TYPE_CHECKING:
    from socialcredit.scorecard.model import Scorecard, Scored, Table


def scored_frame(card: Scorecard, scored: Scored) -> pl.DataFrame:
    """Flat columns: score, band, reason_i / points_lost_i, next_band and its change."""
    codes = np.array([t.spec.reason_code for t in card.tables] + [None], dtype=object)
    names = np.array([t.spec.name for t in card.tables] + [None], dtype=object)
    columns: dict[str, Any] = {
        "score": pl.Series(scored.score, dtype=pl.Int64),
        "band": pl.Series(np.array(card.band_names, dtype=object)[scored.band], dtype=pl.String),
    }
    for i in range(scored.order.shape[1]):
        has = scored.lost[:, i] > 0
        which = np.where(has, scored.order[:, i], -1)
        columns[f"reason_{i + 1}"] = pl.Series(codes[which], dtype=pl.String)
        columns[f"points_lost_{i + 1}"] = pl.Series(np.where(has, scored.lost[:, i], 0), dtype=pl.Int64).set(
            pl.Series(~has), None
        )
    has_change = scored.change_char >= 0
    next_band = np.array([*card.band_names[1:], None], dtype=object)[scored.band]
    columns["next_band"] = pl.Series(np.where(has_change, next_band, None), dtype=pl.String)
    columns["change_characteristic"] = pl.Series(names[scored.change_char], dtype=pl.String)
    columns["change_points"] = pl.Series(scored.change_gain, dtype=pl.Int64).set(pl.Series(~has_change), None)
    return pl.DataFrame(columns)


def explain_rows(card: Scorecard, scored: Scored, frame: pl.DataFrame) -> Iterator[dict[str, Any]]:
    """:func:`explain_row` for every row of a scored frame."""
    values = [table.display_values(frame[table.spec.name]) for table in card.tables]
    for row in range(len(scored.score)):
        yield explain_row(card, scored, row, [column[row] for column in values])


def explain_row(card: Scorecard, scored: Scored, row: int, values: Sequence[Any]) -> dict[str, Any]:
    """Score, band, up to four reasons and the smallest change reaching the next band, for one row."""
    reasons = [
        _reason(card.tables[int(j)], int(scored.index[row, j]), _plain(values[int(j)]))
        for j, lost in zip(scored.order[row], scored.lost[row], strict=True)
        if lost > 0
    ]
    return {
        "score": int(scored.score[row]),
        "band": card.band_names[int(scored.band[row])],
        "reasons": reasons,
        "points_to_next_band": _points_needed(card, scored, row),
        "next_band": _next_band(card, scored, row),
    }


def characteristic_label(name: str) -> str:
    """``duration_in_month`` → ``Duration in month``."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _reason(table: Table, current: int, value: Any) -> dict[str, Any]:
    spec = table.spec
    points = int(table.points[current])
    best = int(table.points[table.best])
    lost = best - points
    label = characteristic_label(spec.name)
    if value is None:
        shown = "missing"
    elif spec.kind == "categorical":
        one_value = table.labels[current] == f'"{value}"'
        shown = f'"{value}"' if one_value else f'"{value}" ({table.labels[current]})'
    else:
        shown = f"{value} ({table.labels[current]})"
    sentence = (
        f"{label} is {shown}, which scores {points} points: {lost} fewer than the best, {table.labels[table.best]}."
    )
    return {
        "code": spec.reason_code,
        "characteristic": spec.name,
        "category": spec.category,
        "value": value,
        "bin": table.labels[current],
        "points": points,
        "best_bin": table.labels[table.best],
        "best_points": best,
        "points_lost": lost,
        "sentence": sentence,
        "improve": _improve(table, points, label),
    }


def _improve(table: Table, points: int, label: str) -> str:
    best = int(table.points[table.best])
    text = f"{label}: {table.labels[table.best]} would score {best - points} points more"
    higher = [(int(p), b) for b, p in enumerate(table.points[: table.n_bins]) if p > points]
    step_points, step = min(higher)
    if step != table.best and step_points < best:
        text += f"; the next step up, {table.labels[step]}, adds {step_points - points}"
    return text + "."


def _next_band(card: Scorecard, scored: Scored, row: int) -> dict[str, Any] | None:
    j = int(scored.change_char[row])
    if j < 0:
        return None
    table = card.tables[j]
    gain = int(scored.change_gain[row])
    new_raw = int(scored.raw[row]) + gain
    new_score = min(max(new_raw, card.spec.min_score), card.spec.max_score)
    band = card.band_names[int(scored.band[row]) + 1]
    reached = card.band_names[int(np.searchsorted(card.band_lowers, new_score, side="right")) - 1]
    source, target = table.labels[int(scored.index[row, j])], table.labels[int(scored.change_bin[row])]
    return {
        "band": band,
        "min_score": int(card.band_lowers[int(scored.band[row]) + 1]),
        "code": table.spec.reason_code,
        "characteristic": table.spec.name,
        "from": source,
        "to": target,
        "points_gained": gain,
        "score": new_score,
        "score_band": reached,
        "sentence": (
            f"{characteristic_label(table.spec.name)} {target} instead of {source} adds {gain} points: "
            f"{new_score}, {reached}."
        ),
    }


def _points_needed(card: Scorecard, scored: Scored, row: int) -> int | None:
    band = int(scored.band[row])
    if band + 1 >= len(card.band_names):
        return None
    return int(card.band_lowers[band + 1] - scored.raw[row])


def _plain(value: Any) -> Any:
    """JSON-friendly value: NaN → None, whole floats → int."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    return value
