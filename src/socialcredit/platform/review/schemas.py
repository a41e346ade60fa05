"""API shapes of the review queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class DecisionIn(BaseModel):
    decision: Literal["approve", "reject"]
    reason: str | None = Field(default=None, max_length=2000)


class QueueItem(BaseModel):
    position: int
    source: str
    id: str
    subject: str
    rule: str | None
    occurred_on: date
    recorded_at: datetime
    points: str | None
    reason: str | None
    evidence: list[dict[str, str]]
    reported_by: str
    evidence_problem: str | None


class DecisionOut(BaseModel):
    source: str
    id: str
    subject: str
    status: str
    decided_at: datetime
    decided_by: str
