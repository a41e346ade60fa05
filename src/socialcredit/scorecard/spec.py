"""The frozen scorecard file: a versioned JSON document of characteristics, bins and points.

Scoring needs nothing else. Numeric bins are ``[lower, upper)`` between consecutive ``splits``; categorical
bins list their values. Missing values score the ``missing`` bin; categories never seen in training score
``unseen`` (the characteristic's lowest points).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FORMAT = "socialcredit-scorecard"
FORMAT_VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Bin(_Strict):
    """One attribute of a characteristic and the points it scores."""

    label: str
    points: int
    woe: float = 0.0
    count: int = 0
    bad_rate: float | None = None
    values: list[str] | None = None


class Characteristic(_Strict):
    name: str
    category: str
    reason_code: str
    kind: Literal["numeric", "categorical"]
    coefficient: float
    iv: float
    splits: list[float] = Field(default_factory=list)
    bins: list[Bin]
    missing: Bin
    unseen: Bin

    @model_validator(mode="after")
    def _consistent(self) -> Characteristic:
        if self.kind == "numeric":
            if len(self.bins) != len(self.splits) + 1:
                raise ValueError(f"{self.name}: {len(self.splits)} splits need {len(self.splits) + 1} bins")
            if any(b <= a for a, b in zip(self.splits, self.splits[1:], strict=False)):
                raise ValueError(f"{self.name}: splits must increase")
        else:
            seen: set[str] = set()
            for item in self.bins:
                if not item.values:
                    raise ValueError(f"{self.name}: categorical bin {item.label!r} lists no values")
                if seen & set(item.values):
                    raise ValueError(f"{self.name}: a value appears in two bins")
                seen |= set(item.values)
        return self


class Band(_Strict):
    name: str
    min: int


class DataInfo(_Strict):
    file: str
    rows: int
    sha256: str
    target: str
    good: str
    bad: str
    bad_rate: float
    notes: list[str] = Field(default_factory=list)


class ScorecardFile(_Strict):
    """The whole file; ``parameters`` records how it was trained, ``evaluation`` what holdouts showed."""

    format: Literal["socialcredit-scorecard"] = "socialcredit-scorecard"
    format_version: Literal[1] = 1
    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    created: datetime
    data: DataInfo
    parameters: dict[str, Any]
    base_points: int
    min_score: int
    max_score: int
    bands: list[Band]
    characteristics: list[Characteristic]
    excluded: dict[str, str] = Field(default_factory=dict)
    evaluation: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _bands_ascend(self) -> ScorecardFile:
        lowers = [band.min for band in self.bands]
        if not lowers or lowers[0] != self.min_score or lowers != sorted(set(lowers)):
            raise ValueError("bands must ascend from min_score")
        if not self.characteristics:
            raise ValueError("a scorecard needs at least one characteristic")
        return self
