"""API shapes of records: the answer to a batch, and a stored record with its status history."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class BatchProblem(BaseModel):
    index: int
    id: str | None = None
    field: str
    reason: str


class BatchAnswer(BaseModel):
    """``accepted`` records written, ``duplicates`` ignored; ``rejected`` only with ``?partial=true``."""

    accepted: int
    duplicates: int
    rejected: list[BatchProblem] | None = None


class StatusChange(BaseModel):
    status: str
    cause: str
    reason: str | None
    actor: str
    changed_at: datetime


class RecordRead(BaseModel):
    """A stored record, its status now, who reported it, and every later status change."""

    source: str
    id: str
    subject: str
    kind: str
    ref: str | None
    rule: str | None
    occurred_on: date
    recorded_at: datetime
    points: str | None
    reason: str | None
    document: str | None
    evidence: list[dict[str, str]]
    status: str
    reported_by: str
    history: list[StatusChange]
