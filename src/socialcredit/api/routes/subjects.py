"""Subjects: read, describe, aliases, consent, and ``GET /api/v1/subjects/{id}/standing``."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, BackgroundTasks, Query, Request

from socialcredit.api.deps import Allowed, guard, reading, refresh_later, required, unit
from socialcredit.db.base import utcnow
from socialcredit.errors import InvalidInput
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.standings import service as standings
from socialcredit.platform.standings.schemas import StandingOut
from socialcredit.platform.subjects import service as subjects
from socialcredit.platform.subjects.models import Subject
from socialcredit.platform.subjects.schemas import AliasIn, ConsentIn, ConsentOut, SubjectRead, SubjectUpdate
from socialcredit.records.parse import parse_moment

router = APIRouter(tags=["subjects"])


def subject_read(session: Any, subject: Subject) -> SubjectRead:
    consent = subjects.consents_at(session, [subject.national_id], utcnow()).get(subject.national_id, False)
    return SubjectRead(
        national_id=subject.national_id,
        kind=subject.kind,
        name=subject.name,
        region=subject.region,
        village=subject.village,
        aliases=subjects.aliases(session, national_id=subject.national_id),
        consent=consent,
        created_at=subject.created_at,
    )


@router.get("/subjects/{subject}", response_model=SubjectRead, **guard("subject.read"))
def read_subject(request: Request, actor: Allowed, subject: str) -> SubjectRead:
    """A subject by national identifier or alias (passport number)."""
    with reading(request) as session:
        return subject_read(session, subjects.get(session, identifier=subject))


@router.put("/subjects/{subject}", response_model=SubjectRead, **guard("subject.update"))
def update_subject(request: Request, actor: Allowed, subject: str, body: SubjectUpdate) -> SubjectRead:
    """Create or describe a subject (name, village)."""
    with unit(request) as session:
        found = subjects.update(
            session, actor=required(actor), identifier=subject, name=body.name, village=body.village
        )
        return subject_read(session, found)


@router.post("/subjects/{subject}/aliases", response_model=SubjectRead, **guard("subject.update"))
def add_alias(request: Request, actor: Allowed, subject: str, body: AliasIn) -> SubjectRead:
    """Link a passport number to a person."""
    with unit(request) as session:
        subjects.add_alias(session, actor=required(actor), identifier=subject, passport=body.passport)
        return subject_read(session, subjects.get(session, identifier=subject))


@router.post("/subjects/{subject}/consent", response_model=ConsentOut, **guard("subject.consent"))
def set_consent(request: Request, actor: Allowed, tasks: BackgroundTasks, subject: str, body: ConsentIn) -> ConsentOut:
    """Give or withdraw consent to scoring (appended with its time; standings are recomputed)."""
    with unit(request) as session:
        national_id = subjects.resolve(session, subject)
        at = subjects.set_consent(session, actor=required(actor), identifier=national_id, given=body.consent)
        standings.mark_stale(session, [national_id], now=at)
    refresh_later(request, tasks)
    return ConsentOut(subject=national_id, consent=body.consent, at=at)


@router.get("/subjects/{subject}/standing", response_model=StandingOut, **guard("standing.read"))
def standing(
    request: Request,
    actor: Allowed,
    subject: str,
    as_of: str | None = Query(None, description="Date of the standing (YYYY-MM-DD); default today."),
    known_at: str | None = Query(
        None, description="Only what the platform knew by then (ISO date-time; a date means its end); default now."
    ),
) -> dict[str, Any]:
    """The standing (DESIGN §7): points, grade, lists, measures and the explanation of every record."""
    with reading(request) as session:
        policy = active_policy(session)
        national_id = subjects.resolve(session, subject)
        day, known = _moments(policy.policy.timezone, as_of, known_at)
        result = standings.compute(session, national_id=national_id, policy=policy, as_of=day, known_at=known)
    return result.as_json()


def _moments(timezone: str, as_of: str | None, known_at: str | None) -> tuple[date | None, Any]:
    tz = ZoneInfo(timezone)
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise InvalidInput(f"as_of: {as_of!r} is not a date (YYYY-MM-DD)", details=[{"field": "as_of"}]) from None
    try:
        known = parse_moment(known_at, tz, end_of_day=True) if known_at else utcnow()
    except ValueError:
        raise InvalidInput(
            f"known_at: {known_at!r} is not an ISO date or date-time", details=[{"field": "known_at"}]
        ) from None
    return day, known
