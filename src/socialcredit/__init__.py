"""socialcredit: an open, auditable social credit platform.

The library's public face is pure: ``load_policy`` reads a handbook, ``evaluate`` scores one subject.
"""

from socialcredit.policy import load_policy
from socialcredit.scoring import Standing, evaluate

__all__ = ["Standing", "evaluate", "load_policy"]
__version__ = "0.1.0"
