"""What scoring one applicant returns: ``ScoreResult``, and ``score_features``, the call the API makes.

``score_features(model, features)`` is pure: a loaded :class:`~socialcredit.scorecard.model.Scorecard` and a
dict of feature values in, the score, its band, the reasons and the way to the next band out. Nothing is
read or written; a missing feature or a malformed number raises :class:`~socialcredit.errors.InvalidInput`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from socialcredit.scorecard.model import Scorecard


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ModelRef(_Frozen):
    """Which scorecard produced a result: its id, version and the SHA-256 of its canonical JSON."""

    id: str
    version: str
    hash: str


class Reason(_Frozen):
    """One reason code: a characteristic that scores below its best bin, and by how much."""

    code: str
    characteristic: str
    category: str
    value: Any
    bin: str
    points: int
    best_bin: str
    best_points: int
    points_lost: int
    sentence: str
    improve: str


class Change(_Frozen):
    """Moving one characteristic from its current bin to another."""

    code: str
    characteristic: str
    current_bin: str
    target_bin: str
    points_gained: int


class NextBand(_Frozen):
    """The smallest change that reaches the next band: fewest characteristics, then fewest points."""

    band: str
    min_score: int
    points_needed: int
    reachable: bool
    changes: list[Change]
    score: int | None
    sentence: str


class ScoreResult(_Frozen):
    """Score (clamped to the scale), band, up to four reasons, and the way to the next band (None at the top)."""

    score: int
    band: str
    clamped: bool
    reasons: list[Reason]
    next_band: NextBand | None
    model: ModelRef


def score_features(model: Scorecard, features: dict[str, Any]) -> ScoreResult:
    """Score one applicant: ``features`` maps every characteristic of ``model`` to its value (extra keys are
    ignored; ``None`` or ``""`` means missing, which scores the characteristic's missing bin).

    Example: ``score_features(Scorecard.load("models/german-credit.json"), {"duration_in_month": 12, ...})``.
    """
    return model.score_one(features)
