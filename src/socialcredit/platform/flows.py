"""Orchestration across domains: a write, then the standings it changes.

A write queues the subjects it touched (:func:`standings.mark_stale`, in its own transaction); the current
standings are then refreshed by :func:`refresh_standings`, right after the commit (API, CLI) or by the
server's worker. ``GET …/standing`` never waits for that: it always evaluates the records themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.engine import SessionFactory, transaction
from socialcredit.platform.handbooks.service import NoActiveHandbook, active_policy
from socialcredit.platform.records import service as records
from socialcredit.platform.review import service as review
from socialcredit.platform.standings import service as standings


def ingest(
    session: Session,
    *,
    actor: Actor,
    items: Sequence[tuple[int, Any]],
    source: str | None = None,
    partial: bool = False,
    now: datetime | None = None,
    frame: pl.DataFrame | None = None,
) -> records.IngestResult:
    """Ingest a batch and queue every subject it touched for a standings refresh."""
    result = records.ingest(session, actor=actor, items=items, source=source, partial=partial, now=now, frame=frame)
    standings.mark_stale(session, result.subjects, now=now)
    return result


def decide(
    session: Session, *, actor: Actor, source: str, record_id: str, decision: str, reason: str | None = None
) -> review.Decided:
    """Record a committee decision and queue the subject for a standings refresh."""
    decided = review.decide(
        session,
        actor=actor,
        policy=active_policy(session),
        source=source,
        record_id=record_id,
        decision=decision,
        reason=reason,
    )
    standings.mark_stale(session, [decided.record.subject], now=decided.decided_at)
    return decided


def refresh_standings(sessions: SessionFactory, *, progress: Callable[[int], None] | None = None) -> int:
    """Drain the queue of stale standings, one transaction per chunk; return how many were recomputed."""
    done = 0
    while True:
        with transaction(sessions) as session:
            try:
                count = standings.drain(session, policy=active_policy(session))
            except NoActiveHandbook:
                return done
        if not count:
            return done
        done += count
        if progress:
            progress(done)
