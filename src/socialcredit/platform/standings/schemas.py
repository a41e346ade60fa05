"""API shape of a standing: exactly the JSON of DESIGN §7 (points as decimal strings)."""

from __future__ import annotations

from pydantic import BaseModel


class PolicyRef(BaseModel):
    id: str
    version: str
    hash: str


class ListOut(BaseModel):
    id: str
    since: str | None
    until: str | None


class MeasureOut(BaseModel):
    id: str
    service: str
    effect: str


class ContributionOut(BaseModel):
    source: str
    record: str
    rule: str
    points: str
    status: str


class StandingOut(BaseModel):
    subject: str
    as_of: str
    known_at: str
    policy: PolicyRef
    points: str | None
    grade: str | None
    lists: list[ListOut]
    measures: list[MeasureOut]
    contributions: list[ContributionOut]
    next_change_on: str | None
