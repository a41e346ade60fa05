"""Read-only look-ups the pages need and the platform's services do not (yet) offer.

Nothing here writes or decides anything: searches and listings over the platform's tables, each bounded
by a ``limit``. Access is decided by the page before it calls them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.platform.handbooks.models import HandbookActivation, HandbookVersion
from socialcredit.platform.records.models import RecordRow
from socialcredit.platform.records.service import status_at
from socialcredit.platform.rights.models import Objection, RepairApplication
from socialcredit.platform.standings.models import CurrentStanding
from socialcredit.platform.subjects.models import Subject
from socialcredit.platform.users.models import ApiKey, User


@dataclass(frozen=True, slots=True)
class Found:
    national_id: str
    kind: str
    name: str | None
    village: str | None
    grade: str | None
    points: int | None


def search_subjects(session: Session, *, text: str, limit: int = 50) -> list[Found]:
    """Subjects whose name contains ``text`` or whose identifier starts with it, with their current grade."""
    needle = text.strip()
    if not needle:
        return []
    query = (
        select(Subject, CurrentStanding.grade, CurrentStanding.points)
        .outerjoin(CurrentStanding, CurrentStanding.subject == Subject.national_id)
        .where(
            Subject.name.contains(needle, autoescape=True)
            | Subject.national_id.startswith(needle.upper(), autoescape=True)
        )
        .order_by(Subject.name, Subject.national_id)
        .limit(limit)
    )
    return [
        Found(s.national_id, s.kind, s.name, s.village, grade, points)
        for s, grade, points in session.execute(query).all()
    ]


@dataclass(frozen=True, slots=True)
class Reported:
    source: str
    record_id: str
    subject: str
    rule: str | None
    occurred_on: object
    recorded_at: datetime
    evidence: str | None
    status: str


def reported_by(session: Session, *, actor_id: str, limit: int = 100) -> list[Reported]:
    """The latest records an actor reported, each with its status now."""
    query = select(RecordRow).where(RecordRow.reported_by == actor_id).order_by(RecordRow.pk.desc()).limit(limit)
    return [
        Reported(
            r.source, r.record_id, r.subject, r.rule, r.occurred_on, r.recorded_at, r.evidence, status_at(session, r)
        )
        for r in session.execute(query).scalars()
    ]


def users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.role, User.name)).scalars())


def keys(session: Session) -> list[ApiKey]:
    return list(session.execute(select(ApiKey).order_by(ApiKey.role, ApiKey.name)).scalars())


@dataclass(frozen=True, slots=True)
class VersionRow:
    pk: int
    policy_id: str
    version: str
    hash: str
    added_at: datetime
    activated_at: datetime | None
    active: bool


def handbook_versions(session: Session) -> list[VersionRow]:
    """Every stored handbook version, newest first, with its last activation and whether it is active."""
    activations = session.execute(
        select(HandbookActivation.handbook, HandbookActivation.activated_at).order_by(
            HandbookActivation.activated_at, HandbookActivation.pk
        )
    ).all()
    last: dict[int, datetime] = {}
    for handbook, at in activations:
        last[handbook] = at
    active = activations[-1][0] if activations else None
    rows = session.execute(select(HandbookVersion).order_by(HandbookVersion.pk.desc())).scalars()
    return [VersionRow(v.pk, v.policy_id, v.version, v.hash, v.added_at, last.get(v.pk), v.pk == active) for v in rows]


def handbook_text(session: Session, *, pk: int) -> HandbookVersion | None:
    return session.get(HandbookVersion, pk)


def objections_of_source(session: Session, *, source: str, limit: int = 200) -> list[Objection]:
    """The latest objections to a source's records."""
    query = select(Objection).where(Objection.source == source).order_by(Objection.pk.desc()).limit(limit)
    return list(session.execute(query).scalars())


def repairs_of_source(session: Session, *, source: str, limit: int = 200) -> list[RepairApplication]:
    """The latest repair applications about a source's records."""
    query = (
        select(RepairApplication)
        .where(RepairApplication.source == source)
        .order_by(RepairApplication.pk.desc())
        .limit(limit)
    )
    return list(session.execute(query).scalars())
