"""Record services: ingest a batch (API, import), read a subject's records as known at a moment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import table_of, utcnow
from socialcredit.db.queries import among
from socialcredit.errors import NotFound
from socialcredit.platform.audit import service as audit
from socialcredit.platform.audit.hashing import RowDigest
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.records import fast
from socialcredit.platform.records.ingest import Checked, Intake, Problem, check_batch, raise_for, rows_of
from socialcredit.platform.records.models import RecordRow, RecordStatus
from socialcredit.platform.records.store import insert_rows, to_record
from socialcredit.platform.subjects.service import ensure_subjects
from socialcredit.policy.model import Policy
from socialcredit.records.schema import Record

CHUNK = 5000


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What a batch did: records accepted, duplicates ignored, and (partial batches) what was refused."""

    accepted: int
    duplicates: int
    rejected: list[Problem] = field(default_factory=list)
    subjects: frozenset[str] = frozenset()

    def as_json(self, *, partial: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"accepted": self.accepted, "duplicates": self.duplicates}
        if partial:
            body["rejected"] = [problem.as_json() for problem in self.rejected]
        return body


def intake_for(
    policy: Policy, *, actor: Actor, source: str | None, keep_recorded_at: bool = False, now: datetime | None = None
) -> Intake:
    """The frame of a batch: handbook, sender, and the platform's clock (in the handbook's time zone)."""
    moment = now or utcnow()
    today = moment.astimezone(ZoneInfo(policy.policy.timezone)).date()
    return Intake(policy, actor, source, keep_recorded_at, moment, today)


def ingest(
    session: Session,
    *,
    actor: Actor,
    items: Sequence[tuple[int, Any]],
    source: str | None = None,
    partial: bool = False,
    now: datetime | None = None,
    frame: pl.DataFrame | None = None,
) -> IngestResult:
    """Validate and write one atomic batch of ``(index, record)`` items (standings: see ``flows.ingest``).

    ``frame``, Polars' reading of the same JSON records (row ``i`` is item ``i``), lets the rows the column checks
    accept skip the per-record path (:mod:`records.fast`); the outcome is the same.
    """
    policy = active_policy(session)
    intake = intake_for(policy, actor=actor, source=source, now=now)
    seq, digest = audit.next_seq(session), RowDigest()
    subjects: set[str] = set()
    quick = 0
    if frame is not None and source is not None and frame.height == len(items):
        part = fast.split_and_store(session, intake, frame, seq=seq, digest=digest)
        subjects |= set(part.rows["subject"].unique().to_list())
        quick, items = part.rows.height, [items[position] for position in part.slow]
    checked = check_batch(session, intake, items)
    raise_for(checked, partial=partial)
    subjects |= _store_checked(session, intake, checked, seq, digest)
    accepted = quick + len(checked.accepted)
    if accepted:
        _audit_batch(session, intake, seq, digest, accepted=accepted, duplicates=checked.duplicates)
    return IngestResult(accepted, checked.duplicates, checked.problems + checked.conflicts, frozenset(subjects))


def _store_checked(session: Session, intake: Intake, checked: Checked, seq: int, digest: RowDigest) -> set[str]:
    subjects = {record.subject for record, _ in checked.accepted}
    ensure_subjects(session, subjects, now=intake.now)
    insert_rows(session, rows_of(checked, intake, seq), digest)
    return subjects


def _audit_batch(session: Session, intake: Intake, seq: int, digest: RowDigest, **counts: int) -> None:
    """The batch's one audit entry, covering every row it wrote."""
    source = intake.source or "(named in each record)"
    payload = {**counts, "source": source, "keep_recorded_at": intake.keep_recorded_at}
    audit.append(
        session,
        seq=seq,
        actor=intake.actor.id,
        action="records.ingest",
        object=f"source:{source}",
        payload=payload,
        covered={"records": digest.hexdigest()},
        at=intake.now,
    )


def get_row(session: Session, *, source: str, record_id: str) -> RecordRow:
    query = select(RecordRow).where(RecordRow.source == source, RecordRow.record_id == record_id)
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no record {record_id!r} of source {source!r}")
    return row


def status_at(session: Session, row: RecordRow, at: datetime | None = None) -> str:
    """The record's status as known at ``at`` (default: now): its latest change by then, else as it arrived."""
    query = select(RecordStatus.status).where(RecordStatus.record == row.pk)
    if at is not None:
        query = query.where(RecordStatus.changed_at <= at)
    latest = session.execute(query.order_by(RecordStatus.changed_at.desc(), RecordStatus.pk.desc()).limit(1))
    return latest.scalar_one_or_none() or row.status


def history(session: Session, row: RecordRow) -> list[RecordStatus]:
    """Every status change of a record, oldest first."""
    query = select(RecordStatus).where(RecordStatus.record == row.pk).order_by(RecordStatus.changed_at, RecordStatus.pk)
    return list(session.execute(query).scalars())


def records_of(session: Session, subjects: Iterable[str], *, known_at: datetime) -> dict[str, list[Record]]:
    """Each subject's records, with each status as it was known at ``known_at``."""
    wanted = sorted(set(subjects))
    result: dict[str, list[Record]] = defaultdict(list)
    table = table_of(RecordRow)
    for start in range(0, len(wanted), CHUNK):
        query = select(table).where(among(session, RecordRow.subject, wanted[start : start + CHUNK]))
        rows = session.execute(query.order_by(table.c.pk)).all()
        statuses = _statuses(session, [row.pk for row in rows], known_at) if rows else {}
        for row in rows:
            result[row.subject].append(to_record(row, statuses.get(row.pk)))
    return result


def _statuses(session: Session, pks: list[int], known_at: datetime) -> dict[int, str]:
    """``record pk → latest status by known_at`` for the records that had a change."""
    latest: dict[int, str] = {}
    for start in range(0, len(pks), CHUNK):
        query = (
            select(RecordStatus.record, RecordStatus.status)
            .where(among(session, RecordStatus.record, pks[start : start + CHUNK]), RecordStatus.changed_at <= known_at)
            .order_by(RecordStatus.changed_at, RecordStatus.pk)
        )
        latest.update((record, status) for record, status in session.execute(query))
    return latest
