"""Points-to-double-the-odds scaling and the score bands (Sesame's 350–950 scale)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from socialcredit.errors import UserError

MIN_SCORE = 350
MAX_SCORE = 950

# Lower bound of each band (inclusive); a band runs up to the next lower bound.
BANDS: tuple[tuple[str, int], ...] = (
    ("poor", 350),
    ("fair", 550),
    ("good", 600),
    ("very good", 650),
    ("excellent", 700),
)


@dataclass(frozen=True)
class Scaling:
    """``base_points`` at good:bad odds ``base_odds``; every ``pdo`` points double the odds."""

    base_points: float = 600.0
    base_odds: float = 19.0
    pdo: float = 50.0
    min_score: int = MIN_SCORE
    max_score: int = MAX_SCORE

    def __post_init__(self) -> None:
        if not (self.pdo > 0 and self.base_odds > 0):
            raise UserError(f"scaling: pdo ({self.pdo}) and base odds ({self.base_odds}) must be positive")
        if not self.min_score <= self.base_points <= self.max_score:
            raise UserError(f"scaling: base points {self.base_points} must lie in {self.min_score}–{self.max_score}")

    @property
    def factor(self) -> float:
        """Points per unit of log-odds: pdo / ln 2."""
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        """Points at odds 1:1: base_points − factor · ln(base_odds)."""
        return self.base_points - self.factor * math.log(self.base_odds)

    def points(self, log_odds_good: float) -> float:
        """The unclamped score of good:bad log-odds."""
        return self.offset + self.factor * log_odds_good


def band_index(scores: np.ndarray, lowers: np.ndarray) -> np.ndarray:
    """Index of each score's band given the bands' inclusive lower bounds (ascending)."""
    return np.searchsorted(lowers, scores, side="right") - 1
