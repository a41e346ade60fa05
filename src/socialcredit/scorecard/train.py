"""Train a scorecard from a table: check the features, measure on repeated holdouts, fit on all rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from socialcredit.errors import UserError
from socialcredit.scorecard.categories import FeaturePlan, load_category_table, plan_features
from socialcredit.scorecard.fit import FitParams, Fitted, fit
from socialcredit.scorecard.model import Scorecard
from socialcredit.scorecard.scaling import BANDS, Scaling
from socialcredit.scorecard.spec import Band, DataInfo, ScorecardFile
from socialcredit.scorecard.table import (
    category_values,
    file_sha256,
    invalid,
    is_numeric,
    mostly_numbers,
    numeric_values,
    read_table,
    row_ref,
)
from socialcredit.scorecard.validation import repeated_holdout

MIN_CLASS_ROWS = 10


@dataclass(frozen=True)
class TrainRequest:
    """Everything ``scorecard train`` needs (the CLI options)."""

    data: Path
    target: str
    categories: Path
    model_id: str = "scorecard"
    version: str = "1"
    exclude: list[str] = field(default_factory=list)
    removed: dict[str, str] = field(default_factory=dict)  # columns cut from the file before it was given, and why
    good: str = "good"
    bad: str = "bad"
    seed: int = 0
    repeats: int = 30
    notes: list[str] = field(default_factory=list)
    scaling: Scaling = field(default_factory=Scaling)
    params: FitParams = field(default_factory=FitParams)


def train(request: TrainRequest, step: Callable[[], None] | None = None) -> ScorecardFile:
    """The frozen scorecard, its ``evaluation`` holding the repeated-holdout metrics (``step`` per repeat)."""
    if request.repeats < 2:
        raise UserError(f"--repeats must be at least 2 (got {request.repeats})")
    frame = read_table(request.data)
    source = str(request.data)
    bad = outcome(frame, request.target, request.good, request.bad, source)
    table = load_category_table(request.categories)
    plan = plan_features(frame.columns, request.target, table, request.exclude, str(request.categories))
    present = [name for name in request.removed if name in frame.columns]
    if present:
        raise UserError(f"--removed: {', '.join(map(repr, present))} is in the data; drop it with --exclude instead")
    features = typed_features(frame, plan, source)

    def score_split(train_rows: np.ndarray, holdout_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
        fitted = fit(features[train_rows], plan.features, bad[train_rows], request.params, request.scaling)
        card = Scorecard(assemble(request, fitted, plan, _data_info(request, frame, bad, "")))
        train_scores = card.score_index(card.encode_frame(features[train_rows])).score
        holdout_scores = card.score_index(card.encode_frame(features[holdout_rows])).score
        return train_scores, holdout_scores, card.columns

    evaluation = repeated_holdout(bad, score_split, request.repeats, request.seed, step)
    fitted = fit(features, plan.features, bad, request.params, request.scaling)
    info = _data_info(request, frame, bad, file_sha256(request.data))
    spec = assemble(request, fitted, plan, info)
    evaluation["bands_on_training_data"] = band_table(Scorecard(spec), features, bad)
    return spec.model_copy(update={"evaluation": evaluation})


def outcome(frame: pl.DataFrame, target: str, good: str, bad: str, source: str) -> np.ndarray:
    """1 for bad, 0 for good; any other value (or a blank) is an error naming its row."""
    if target not in frame.columns:
        raise invalid(f"{source}: target column {target!r} is missing")
    labels = category_values(frame[target])
    wrong = (~labels.is_in([good, bad]) | labels.is_null()).arg_true()
    if len(wrong):
        row = int(wrong[0])
        where = row_ref(source, row)
        line = f"{source}: {where}, column {target!r}: {labels[row]!r} is neither {good!r} nor {bad!r}"
        raise invalid(line + (f" ({len(wrong)} such values)" if len(wrong) > 1 else ""))
    result = (labels == bad).to_numpy().astype(np.int64)
    counts = {good: int((result == 0).sum()), bad: int(result.sum())}
    if min(counts.values()) < MIN_CLASS_ROWS:
        raise invalid(f"{source}: too few rows to train: {counts} (each outcome needs at least {MIN_CLASS_ROWS})")
    return result


def typed_features(frame: pl.DataFrame, plan: FeaturePlan, source: str) -> pl.DataFrame:
    """Feature columns as Float64 (numbers) or String (categories), blanks as missing."""
    columns = []
    for name in plan.features:
        series = frame[name]
        if is_numeric(series) or mostly_numbers(series):  # a stray typo raises, naming its row
            columns.append(pl.Series(name, numeric_values(series, source), dtype=pl.Float64).fill_nan(None))
        else:
            columns.append(category_values(series).alias(name))
    return pl.DataFrame(columns)


def assemble(request: TrainRequest, fitted: Fitted, plan: FeaturePlan, info: DataInfo) -> ScorecardFile:
    """The scorecard file of a fit."""
    scaling = request.scaling
    return ScorecardFile(
        id=request.model_id,
        version=request.version,
        created=datetime.now(UTC).replace(microsecond=0),
        data=info,
        parameters={
            "scaling": {
                "base_points": scaling.base_points,
                "base_odds": scaling.base_odds,
                "pdo": scaling.pdo,
                "factor": round(scaling.factor, 6),
                "offset": round(scaling.offset, 6),
            },
            "fit": request.params.as_dict(),
            "intercept": round(fitted.intercept, 6),
            "seed": request.seed,
            "repeats": request.repeats,
            "categories_file": _shown_path(request.categories),
            "categories": plan.features,
        },
        base_points=fitted.base_points,
        min_score=scaling.min_score,
        max_score=scaling.max_score,
        bands=[Band(name=name, min=lower) for name, lower in BANDS],
        characteristics=fitted.characteristics,
        excluded={
            **{name: f"removed from the data before training: {why}" for name, why in request.removed.items()},
            **plan.excluded,
            **fitted.dropped,
        },
    )


def band_table(card: Scorecard, features: pl.DataFrame, bad: np.ndarray) -> list[dict[str, Any]]:
    """Applicants, share and bad rate per band when the final model scores its own training rows."""
    bands = card.score_index(card.encode_frame(features)).band
    rows = []
    for i, name in enumerate(card.band_names):
        members = bands == i
        count = int(members.sum())
        rate = round(float(bad[members].mean()), 4) if count else None
        rows.append({"band": name, "count": count, "share": round(count / len(bad), 4), "bad_rate": rate})
    return rows


def _data_info(request: TrainRequest, frame: pl.DataFrame, bad: np.ndarray, sha256: str) -> DataInfo:
    return DataInfo(
        file=_shown_path(request.data),
        rows=frame.height,
        sha256=sha256,
        target=request.target,
        good=request.good,
        bad=request.bad,
        bad_rate=round(float(bad.mean()), 4),
        notes=request.notes,
    )


def _shown_path(path: Path) -> str:
    return path.name if path.is_absolute() else path.as_posix()
