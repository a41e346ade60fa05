"""Score applicants with a frozen scorecard: NumPy and Polars over the JSON tables, nothing else.

``Scorecard.load(path)`` reads and checks the file; ``score_frame`` scores a whole table at once (vectorised)
and ``score_one`` one applicant (a dict of features, plain Python) with the full explanation.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from pydantic import ValidationError

from socialcredit.errors import InvalidInput, UserError
from socialcredit.scorecard.explain import REASONS, explain, scored_frame
from socialcredit.scorecard.result import ModelRef, ScoreResult
from socialcredit.scorecard.scaling import band_index
from socialcredit.scorecard.spec import Characteristic, ScorecardFile
from socialcredit.scorecard.table import category_values, invalid, numeric_values, require_columns


@dataclass(frozen=True)
class Table:
    """One characteristic as arrays: bins 0..n-1, then the missing bin (n) and the unseen bin (n+1)."""

    spec: Characteristic
    splits: np.ndarray
    lookup: dict[str, int]
    points: np.ndarray
    point_list: tuple[int, ...]
    labels: tuple[str, ...]
    best: int

    @property
    def best_points(self) -> int:
        return self.point_list[self.best]

    @property
    def n_bins(self) -> int:
        return len(self.spec.bins)

    @property
    def split_list(self) -> list[float]:
        return self.spec.splits

    @classmethod
    def build(cls, spec: Characteristic) -> Table:
        bins = [*spec.bins, spec.missing, spec.unseen]
        points = np.array([item.points for item in bins], dtype=np.int64)
        lookup = {value: i for i, item in enumerate(spec.bins) for value in item.values or ()}
        best = int(np.argmax(points[: len(spec.bins)]))
        labels = tuple(item.label for item in bins)
        splits = np.array(spec.splits, dtype=np.float64)
        return cls(spec, splits, lookup, points, tuple(points.tolist()), labels, best)

    def encode(self, series: pl.Series, source: str) -> np.ndarray:
        """Bin index of every value of a column."""
        if self.spec.kind == "numeric":
            values = numeric_values(series, source)
            index = np.searchsorted(self.splits, values, side="right")
            index[np.isnan(values)] = self.n_bins
            return index
        text = category_values(series)
        keys = list(self.lookup)
        coded = text.replace_strict(
            keys, [self.lookup[k] for k in keys], default=self.n_bins + 1, return_dtype=pl.Int64
        )
        return coded.fill_null(self.n_bins).to_numpy()

    def display_values(self, series: pl.Series) -> list[Any]:
        """The column's values as scored: numbers (None when missing) or text."""
        if self.spec.kind == "numeric":
            return [None if math.isnan(v) else v for v in numeric_values(series, "data").tolist()]
        return category_values(series).to_list()

    def display_one(self, value: Any) -> Any:
        """One value as scored (see :meth:`display_values`)."""
        if value is None or (isinstance(value, str) and value.strip() == ""):
            return None
        if self.spec.kind == "categorical":
            return str(value).lower() if isinstance(value, bool) else str(value).strip()
        number = _number(value, self.spec.name)
        return None if math.isnan(number) else number

    def encode_one(self, value: Any) -> int:
        """Bin index of one value (same rules as :meth:`encode`)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self.n_bins
        if self.spec.kind == "numeric":
            number = _number(value, self.spec.name)
            return self.n_bins if math.isnan(number) else bisect.bisect_right(self.split_list, number)
        text = str(value).lower() if isinstance(value, bool) else str(value).strip()
        return self.n_bins if text == "" else self.lookup.get(text, self.n_bins + 1)


@dataclass(frozen=True)
class Scored:
    """Scores of n applicants with the arrays their explanations are read from."""

    index: np.ndarray  # n × k bin index
    points: np.ndarray  # n × k points
    raw: np.ndarray  # unclamped total
    score: np.ndarray
    band: np.ndarray
    order: np.ndarray  # n × REASONS characteristics by points lost
    lost: np.ndarray  # n × REASONS points lost (0: no reason)


class Scorecard:
    """A loaded scorecard file, ready to score."""

    def __init__(self, spec: ScorecardFile) -> None:
        self.spec = spec
        self.tables = [Table.build(c) for c in spec.characteristics]
        self.columns = [c.name for c in spec.characteristics]
        self.band_names = [band.name for band in spec.bands]
        self.band_min = [band.min for band in spec.bands]
        self.band_lowers = np.array(self.band_min, dtype=np.int64)
        self.best_points = np.array([t.best_points for t in self.tables], dtype=np.int64)
        self.ref = ModelRef(id=spec.id, version=spec.version, hash=model_hash(spec))

    def clamp(self, raw: int) -> int:
        """A raw total clamped to the scale."""
        return min(max(raw, self.spec.min_score), self.spec.max_score)

    @classmethod
    def load(cls, path: str | Path) -> Scorecard:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise UserError(f"--model: cannot read {path}: {error.strerror or error}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise invalid(f"{path}: not JSON: {error}") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Any, source: str = "scorecard") -> Scorecard:
        try:
            return cls(ScorecardFile.model_validate(data))
        except ValidationError as error:
            lines = [f"{source}: {'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}" for e in error.errors()]
            raise InvalidInput(f"{source}: not a valid scorecard file", details=lines) from None

    def encode_frame(self, frame: pl.DataFrame, source: str = "data") -> np.ndarray:
        require_columns(frame, self.columns, source)
        if not self.tables:
            return np.zeros((frame.height, 0), dtype=np.int64)
        return np.stack([t.encode(frame[t.spec.name], source) for t in self.tables], axis=1)

    def encode_features(self, features: dict[str, Any]) -> list[int]:
        """Bin index of each characteristic of one applicant; every characteristic must be a key."""
        missing = [name for name in self.columns if name not in features]
        if missing:
            lines = [f"feature {name!r} is missing" for name in missing]
            raise InvalidInput(f"{len(missing)} feature(s) missing", details=lines)
        return [t.encode_one(features[t.spec.name]) for t in self.tables]

    def score_index(self, index: np.ndarray) -> Scored:
        """Scores, bands and ranked reasons of encoded applicants (n × characteristics bin indexes)."""
        points = np.stack([t.points[index[:, j]] for j, t in enumerate(self.tables)], axis=1)
        raw = self.spec.base_points + points.sum(axis=1)
        score = np.clip(raw, self.spec.min_score, self.spec.max_score)
        band = band_index(score, self.band_lowers)
        gap = self.best_points[None, :] - points
        order = np.argsort(-gap, axis=1, kind="stable")[:, : min(REASONS, gap.shape[1])]
        lost = np.maximum(np.take_along_axis(gap, order, axis=1), 0)
        return Scored(index, points, raw, score, band, order, lost)

    def score_frame(self, frame: pl.DataFrame, source: str = "data") -> pl.DataFrame:
        """One row per applicant: score, band, top reason codes with points lost, points to the next band."""
        return scored_frame(self, self.score_index(self.encode_frame(frame, source)))

    def score_one(self, features: dict[str, Any]) -> ScoreResult:
        """Score, band, reasons and the smallest change to the next band of one applicant."""
        index = self.encode_features(features)
        return explain(self, index, [t.display_one(features[t.spec.name]) for t in self.tables])


def model_hash(spec: ScorecardFile) -> str:
    """SHA-256 of the scorecard's canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise invalid(f"feature {name!r}: {value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text == "":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise invalid(f"feature {name!r}: {value!r} is not a number") from None
