"""Orchestration across domains: a write, then the standings it changes, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.records import service as records
from socialcredit.platform.review import service as review
from socialcredit.platform.standings.service import recompute


def ingest(
    session: Session,
    *,
    actor: Actor,
    items: Sequence[tuple[int, Any]],
    source: str | None = None,
    partial: bool = False,
    now: datetime | None = None,
) -> records.IngestResult:
    """Ingest a batch and recompute the current standing of every subject it touched."""
    result = records.ingest(session, actor=actor, items=items, source=source, partial=partial, now=now)
    recompute(session, subjects=result.subjects, policy=active_policy(session), now=now)
    return result


def decide(
    session: Session, *, actor: Actor, source: str, record_id: str, decision: str, reason: str | None = None
) -> review.Decided:
    """Record a committee decision and recompute the subject's current standing."""
    policy = active_policy(session)
    decided = review.decide(
        session, actor=actor, policy=policy, source=source, record_id=record_id, decision=decision, reason=reason
    )
    recompute(session, subjects=[decided.record.subject], policy=policy, now=decided.decided_at)
    return decided
