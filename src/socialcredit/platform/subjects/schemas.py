"""API shapes of subjects."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class SubjectRead(BaseModel):
    national_id: str
    kind: str
    name: str | None
    region: str | None
    village: str | None
    aliases: list[str]
    consent: bool
    created_at: datetime


class SubjectUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    village: str | None = Field(default=None, max_length=200)


class AliasIn(BaseModel):
    passport: str


class ConsentIn(BaseModel):
    consent: bool


class ConsentOut(BaseModel):
    subject: str
    consent: bool
    at: datetime
