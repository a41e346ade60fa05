"""Review services: list pending reports, decide one. A decision is a new status row with its own time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import utcnow
from socialcredit.errors import Conflict, Forbidden, InvalidInput
from socialcredit.platform.audit import service as audit
from socialcredit.platform.evidence.sniff import PHOTO_TYPES, VIDEO_TYPES
from socialcredit.platform.records.models import RecordRow, RecordStatus
from socialcredit.platform.records.service import get_row, status_at
from socialcredit.platform.records.store import to_record
from socialcredit.policy.model import Policy
from socialcredit.records.schema import Record

DECISIONS = {"approve": "confirmed", "reject": "rejected"}


@dataclass(frozen=True, slots=True)
class Pending:
    """A report awaiting the committee: the record, who reported it, its position in the queue."""

    record: Record
    reported_by: str
    position: int


@dataclass(frozen=True, slots=True)
class Decided:
    """A decision as written: the record, its new status, when and by whom."""

    record: Record
    status: str
    decided_at: datetime
    decided_by: str


def queue(session: Session, *, limit: int = 100, after: int = 0) -> list[Pending]:
    """Reports that arrived ``pending`` and have no decision yet, oldest first."""
    undecided = ~exists().where(RecordStatus.record == RecordRow.pk)
    query = (
        select(RecordRow)
        .where(RecordRow.status == "pending", RecordRow.pk > after, undecided)
        .order_by(RecordRow.pk)
        .limit(limit)
    )
    return [Pending(to_record(row), row.reported_by, row.pk) for row in session.execute(query).scalars()]


def evidence_problem(record: Record, policy: Policy) -> str | None:
    """Why the record's evidence does not meet its rule's requirement, or None when it does."""
    rule = policy.rule(record.rule or "")
    need = rule.evidence if rule is not None else None
    if need is None or (need.photos == 0 and not need.or_video):
        return None
    photos = sum(ref.media_type in PHOTO_TYPES for ref in record.evidence)
    videos = sum(ref.media_type in VIDEO_TYPES for ref in record.evidence)
    if (need.photos > 0 and photos >= need.photos) or (need.or_video and videos >= 1):
        return None
    wanted = f"{need.photos} photo(s)" + (" or a video" if need.or_video else "")
    return f"rule {record.rule} needs {wanted}; the record has {photos} photo(s) and {videos} video(s)"


def decide(
    session: Session,
    *,
    actor: Actor,
    policy: Policy,
    source: str,
    record_id: str,
    decision: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> Decided:
    """Approve or reject a pending report; four eyes, evidence and a reason for rejections are enforced."""
    if decision not in DECISIONS:
        raise InvalidInput(
            f"decision must be approve or reject; got {decision!r}",
            details=[{"field": "decision", "reason": "must be approve or reject"}],
        )
    if decision == "reject" and not (reason or "").strip():
        raise InvalidInput("a rejection needs a reason", details=[{"field": "reason", "reason": "required"}])
    row = get_row(session, source=source, record_id=record_id)
    current = status_at(session, row)
    if row.status != "pending" or current != "pending":
        raise Conflict(f"record ({source}, {record_id}) is {current}, not pending review", details={"status": current})
    if row.reported_by == actor.id:
        raise Forbidden(f"four eyes: {actor.id} reported ({source}, {record_id}) and may not decide it")
    record = to_record(row)
    problem = evidence_problem(record, policy) if decision == "approve" else None
    if problem:
        raise InvalidInput(problem, details=[{"field": "evidence", "reason": problem}])
    return _write(session, actor=actor, row=row, status=DECISIONS[decision], reason=reason, now=now or utcnow())


def _write(
    session: Session, *, actor: Actor, row: RecordRow, status: str, reason: str | None, now: datetime
) -> Decided:
    seq = audit.next_seq(session)
    change = {
        "record": row.pk,
        "status": status,
        "cause": "review",
        "reason": reason,
        "actor": actor.id,
        "changed_at": now,
        "audit_seq": seq,
    }
    digest = audit.add_rows(session, RecordStatus, [change])
    audit.append(
        session,
        seq=seq,
        actor=actor.id,
        action=f"review.{status}",
        at=now,
        object=f"record:{row.source}/{row.record_id}",
        payload={"status": status, "reason": reason},
        covered={"record_status": digest},
    )
    return Decided(to_record(row, status), status, now, actor.id)
