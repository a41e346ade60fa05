"""Share codes: how a person lets a third party see their standing (pure part).

A code is a random token shown once to the person; only its SHA-256 is kept. It has a scope
(``grade-only``: grade and the handbook that gave it; ``full-report``: the whole standing with its
explanation), an expiry at most 90 days away, and can be revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from socialcredit.errors import InvalidInput

PREFIX = "shr_"
SCOPES = ("grade-only", "full-report")
MAX_DAYS = 90


def new_code() -> str:
    """A new share code: ``shr_`` and 32 random URL-safe characters (192 bits)."""
    return PREFIX + secrets.token_urlsafe(24)


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise InvalidInput(
            f"scope: {scope!r} is not one of {', '.join(SCOPES)}",
            details=[{"field": "scope", "reason": f"must be one of {', '.join(SCOPES)}"}],
        )
    return scope


def expiry(now: datetime, days: int) -> datetime:
    """``now`` + ``days`` (1 to 90); InvalidInput naming the field otherwise."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(
            f"expires_in_days: {days} is not in 1..{MAX_DAYS}",
            details=[{"field": "expires_in_days", "reason": f"must be 1 to {MAX_DAYS} days"}],
        )
    return now + timedelta(days=days)


def shared_view(standing: Mapping[str, Any], scope: str) -> dict[str, Any]:
    """What the holder of a code sees of a standing (DESIGN §7 JSON) under ``scope``."""
    if check_scope(scope) == "full-report":
        return dict(standing)
    return {
        "subject": standing["subject"],
        "as_of": standing["as_of"],
        "grade": standing["grade"],
        "policy": standing["policy"],
    }
