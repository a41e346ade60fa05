"""Subject services: find (by identifier or alias), create on first record, name, alias, consent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import table_of, utcnow
from socialcredit.db.queries import among, bulk_insert, dialect
from socialcredit.errors import Conflict, IdentifierError, NotFound
from socialcredit.identity import parse_subject, validate_passport
from socialcredit.platform.audit import service as audit
from socialcredit.platform.subjects.models import Subject, SubjectAlias, SubjectConsent


def subject_row(national_id: str, now: datetime) -> dict[str, object]:
    """The row of a new subject: its kind, and the region its identifier encodes."""
    parsed = parse_subject(national_id)
    region = parsed.id[:6] if parsed.kind == "person" else parsed.id[2:8]
    return {"national_id": parsed.id, "kind": parsed.kind, "region": region, "created_at": now}


def ensure_subjects(session: Session, national_ids: Iterable[str], *, now: datetime | None = None) -> int:
    """Create the subjects not yet known (identifiers already validated); return how many were new."""
    wanted = sorted(set(national_ids))
    if not wanted:
        return 0
    if dialect(session) == "postgresql":
        return insert_subjects(session, new_subjects(wanted, now or utcnow()))
    audit.lock_chain(session)  # writers queue here, so two batches never create the same subject at once
    known: set[str] = set()
    for start in range(0, len(wanted), 5000):
        query = select(Subject.national_id).where(among(session, Subject.national_id, wanted[start : start + 5000]))
        known.update(session.execute(query).scalars())
    missing = [value for value in wanted if value not in known]
    moment = now or utcnow()
    bulk_insert(session, table_of(Subject), [subject_row(value, moment) for value in missing])
    return len(missing)


@dataclass(frozen=True, slots=True)
class NewSubjects:
    """Subjects to create if unknown, as columns: identifiers, kinds, regions, and their creation time."""

    national_ids: list[str]
    kinds: list[str]
    regions: list[str]
    now: datetime


def new_subjects(national_ids: Iterable[str], now: datetime) -> NewSubjects:
    """The rows of subjects (identifiers already validated), kinds and regions found over columns (the
    per-identifier parser only for the odd identifier the column check leaves open); no database."""
    import polars as pl

    from socialcredit.scoring.columnar_ids import subject_kinds

    wanted = sorted(set(national_ids))
    found = dict(subject_kinds(pl.Series(wanted, dtype=pl.String)).iter_rows())
    rows = [
        _known_kind_row(value, kind) if kind else subject_row(value, now)
        for value, kind in ((value, found.get(value)) for value in wanted)
    ]
    ids, kinds, regions = ([str(row[name]) for row in rows] for name in ("national_id", "kind", "region"))
    return NewSubjects(ids, kinds, regions, now)


def insert_subjects(session: Session, subjects: NewSubjects) -> int:
    """PostgreSQL: create those not known, with one ``INSERT … SELECT unnest(…) ON CONFLICT DO NOTHING``."""
    if not subjects.national_ids:
        return 0
    audit.lock_chain(session)  # writers queue here, so two batches never create the same subject at once
    statement = text(
        "INSERT INTO subjects (national_id, kind, region, created_at) "
        "SELECT unnest(:ids), unnest(:kinds), unnest(:regions), :now ON CONFLICT DO NOTHING"
    ).bindparams(*(bindparam(name, type_=ARRAY(String())) for name in ("ids", "kinds", "regions")))
    values = {"ids": subjects.national_ids, "kinds": subjects.kinds, "regions": subjects.regions}
    done = session.execute(statement, {**values, "now": subjects.now})
    return int(getattr(done, "rowcount", 0))


def _known_kind_row(national_id: str, kind: str) -> dict[str, object]:
    """:func:`subject_row` of a normal identifier whose kind is known."""
    region = national_id[:6] if kind == "person" else national_id[2:8]
    return {"national_id": national_id, "kind": kind, "region": region}


def resolve(session: Session, identifier: str) -> str:
    """The national identifier for a national identifier or a known alias (passport number)."""
    try:
        return parse_subject(identifier).id
    except IdentifierError as error:
        try:
            passport = validate_passport(identifier)
        except IdentifierError:
            raise error from None
    found = session.execute(select(SubjectAlias.subject).where(SubjectAlias.value == passport)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no subject has the passport number {passport}")
    return found


def get(session: Session, *, identifier: str) -> Subject:
    """The subject named by an identifier or alias; NotFound when the platform has no record of it."""
    national_id = resolve(session, identifier)
    subject = session.execute(select(Subject).where(Subject.national_id == national_id)).scalar_one_or_none()
    if subject is None:
        raise NotFound(f"no subject {national_id} on the platform")
    return subject


def update(
    session: Session, *, actor: Actor, identifier: str, name: str | None = None, village: str | None = None
) -> Subject:
    """Create or update a subject's descriptive fields (name, village); audited."""
    national_id = parse_subject(identifier).id
    ensure_subjects(session, [national_id])
    subject = get(session, identifier=national_id)
    if name is not None:
        subject.name = name
    if village is not None:
        subject.village = village
    audit.log(
        session,
        actor=actor.id,
        action="subject.update",
        object=f"subject:{national_id}",
        payload={"name": name, "village": village},
    )
    return subject


def add_alias(session: Session, *, actor: Actor, identifier: str, passport: str) -> SubjectAlias:
    """Link a passport number to a person; Conflict when it already belongs to someone."""
    subject = get(session, identifier=identifier)
    number = validate_passport(passport)
    taken = session.execute(select(SubjectAlias).where(SubjectAlias.value == number)).scalar_one_or_none()
    if taken is not None:
        if taken.subject == subject.national_id:
            return taken
        raise Conflict(f"passport {number} is already linked to another subject", details={"passport": number})
    alias = SubjectAlias(subject=subject.national_id, kind="passport", value=number, created_at=utcnow())
    session.add(alias)
    audit.log(
        session,
        actor=actor.id,
        action="subject.alias",
        object=f"subject:{subject.national_id}",
        payload={"passport": number},
    )
    return alias


def aliases(session: Session, *, national_id: str) -> list[str]:
    query = select(SubjectAlias.value).where(SubjectAlias.subject == national_id).order_by(SubjectAlias.value)
    return list(session.execute(query).scalars())


def set_consent(session: Session, *, actor: Actor, identifier: str, given: bool) -> datetime:
    """Append a consent (or its withdrawal) with its own time; return that time."""
    subject = get(session, identifier=identifier)
    seq, now = audit.next_seq(session), utcnow()
    row = {"subject": subject.national_id, "given": given, "at": now, "actor": actor.id, "audit_seq": seq}
    digest = audit.add_rows(session, SubjectConsent, [row])
    audit.append(
        session,
        seq=seq,
        actor=actor.id,
        action="subject.consent",
        object=f"subject:{subject.national_id}",
        payload={"given": given},
        covered={"subject_consents": digest},
        at=now,
    )
    return now


def consents_at(session: Session, subjects: list[str], at: datetime) -> dict[str, bool]:
    """Each subject's consent to scoring as it stood at ``at`` (the latest row by then; none: no consent)."""
    latest: dict[str, bool] = {}
    query = (
        select(SubjectConsent.subject, SubjectConsent.given)
        .where(among(session, SubjectConsent.subject, subjects), SubjectConsent.at <= at)
        .order_by(SubjectConsent.at, SubjectConsent.pk)
    )
    latest.update((key, value) for key, value in session.execute(query))
    return latest
