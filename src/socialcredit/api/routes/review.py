"""The review queue: ``GET /api/v1/review-queue`` and ``POST /api/v1/review-queue/{source}/{id}``."""

from __future__ import annotations

import json

from fastapi import APIRouter, BackgroundTasks, Query, Request

from socialcredit.api.deps import Allowed, guard, reading, refresh_later, required, unit
from socialcredit.platform import flows
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.records.store import evidence_text
from socialcredit.platform.review import service as review
from socialcredit.platform.review.schemas import DecisionIn, DecisionOut, QueueItem
from socialcredit.policy.money import format_cents

router = APIRouter(tags=["review"])


@router.get("/review-queue", response_model=list[QueueItem], **guard("review.read"))
def pending(
    request: Request,
    actor: Allowed,
    limit: int = Query(100, ge=1, le=1000),
    after: int = Query(0, ge=0, description="Continue after this position (from the previous page)."),
) -> list[QueueItem]:
    """Reports awaiting a decision, oldest first, with what their rule's evidence requirement says."""
    with reading(request) as session:
        policy = active_policy(session)
        items = review.queue(session, limit=limit, after=after)
    return [
        QueueItem(
            position=item.position,
            source=item.record.source,
            id=item.record.id,
            subject=item.record.subject,
            rule=item.record.rule,
            occurred_on=item.record.occurred_on,
            recorded_at=item.record.recorded_at,
            points=None if item.record.points is None else format_cents(item.record.points),
            reason=item.record.reason,
            evidence=json.loads(evidence_text(item.record.evidence) or "[]"),
            reported_by=item.reported_by,
            evidence_problem=review.evidence_problem(item.record, policy),
        )
        for item in items
    ]


@router.post("/review-queue/{source}/{record_id}", response_model=DecisionOut, **guard("review.decide"))
def decide(
    request: Request, actor: Allowed, tasks: BackgroundTasks, source: str, record_id: str, body: DecisionIn
) -> DecisionOut:
    """Approve or reject a pending report (not one you reported; evidence is checked before approval)."""
    who = required(actor)
    with unit(request) as session:
        decided = flows.decide(
            session, actor=who, source=source, record_id=record_id, decision=body.decision, reason=body.reason
        )
    refresh_later(request, tasks)
    record = decided.record
    return DecisionOut(
        source=record.source,
        id=record.id,
        subject=record.subject,
        status=decided.status,
        decided_at=decided.decided_at,
        decided_by=decided.decided_by,
    )
