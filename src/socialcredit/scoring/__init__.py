"""Scoring engines: per subject (``engine``) and columnar (``columnar``), one semantics (DESIGN §7)."""

from socialcredit.scoring.engine import evaluate
from socialcredit.scoring.standing import Standing

__all__ = ["Standing", "evaluate"]
