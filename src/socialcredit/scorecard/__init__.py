"""The behavioural credit scorecard (350–950) with reason codes, kept apart from the points ledger.

Training (``train``, ``fit``, ``validation``) uses optbinning and scikit-learn; scoring (``model``) needs
only NumPy and Polars over the frozen JSON tables, so the score path stays light and fast.

The API scores one consenting applicant with ``score_features(Scorecard.load(path), features)``.
"""

from socialcredit.scorecard.model import Scorecard
from socialcredit.scorecard.result import ScoreResult, score_features

__all__ = ["ScoreResult", "Scorecard", "score_features"]
