"""Objections: a subject (or a clerk for them) contests a record; its source upholds, corrects or withdraws it
within the handbook's deadline in working days; a missed deadline suspends the record until it decides.

Nothing is changed in place: the objection, each outcome and each status change are new rows (the record's
status history is the platform's ``record_status``); a correction or withdrawal is a new record of the source.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import utcnow
from socialcredit.errors import Conflict, Forbidden, InvalidInput, NotFound
from socialcredit.platform.audit import service as audit
from socialcredit.platform.records import service as records
from socialcredit.platform.records.models import RecordRow, RecordStatus
from socialcredit.platform.rights.deadlines import calendar, due_at
from socialcredit.platform.rights.models import Objection, ObjectionOutcome
from socialcredit.policy.model import Policy
from socialcredit.policy.money import format_cents
from socialcredit.records.schema import SUSPENDED_STATUS

OUTCOMES = ("uphold", "correct", "withdraw")
OVERDUE = "overdue"
CORRECTABLE = ("rule", "occurred_on", "points", "reason", "document")


def text_field(value: str | None, field: str, *, limit: int = 2000) -> str:
    text = (value or "").strip()
    if not text or len(text) > limit:
        raise InvalidInput(f"{field}: required, at most {limit} characters", details=[{"field": field}])
    return text


def may_act_for(actor: Actor, subject: str) -> None:
    """A subject acts only about itself; staff (clerk, admin) for anyone."""
    if actor.role == "subject" and actor.subject != subject:
        raise Forbidden("a subject may object to or repair only its own records")


def status_row(row: RecordRow, status: str, cause: str, reason: str | None, actor: str, at: datetime, seq: int) -> dict:
    return {
        "record": row.pk,
        "status": status,
        "cause": cause,
        "reason": reason,
        "actor": actor,
        "changed_at": at,
        "audit_seq": seq,
    }


def raise_objection(
    session: Session,
    *,
    actor: Actor,
    policy: Policy,
    source: str,
    record_id: str,
    reason: str,
    now: datetime | None = None,
) -> Objection:
    """Contest a fact: the record becomes ``contested`` and its source is due to decide by the deadline."""
    text = text_field(reason, "reason")
    row = records.get_row(session, source=source, record_id=record_id)
    may_act_for(actor, row.subject)
    if row.kind != "fact":
        raise InvalidInput(f"record ({source}, {record_id}) is a {row.kind}; object to the fact it acts on")
    status = records.status_at(session, row)
    if status in ("pending", "rejected"):
        raise Conflict(
            f"record ({source}, {record_id}) is {status}: it does not count, so there is nothing to object to"
        )
    if open_objection(session, row.pk) is not None:
        raise Conflict(f"record ({source}, {record_id}) is already contested; its source has not decided yet")
    moment = now or utcnow()
    days = policy.policy.objection_working_days
    due = due_at(moment, days, ZoneInfo(policy.policy.timezone), calendar())
    seq = audit.next_seq(session)
    values = {
        "code": "obj_" + secrets.token_hex(8),
        "record": row.pk,
        "source": source,
        "record_id": record_id,
        "subject": row.subject,
        "reason": text,
        "raised_by": actor.id,
        "raised_at": moment,
        "due_at": due,
        "audit_seq": seq,
    }
    covered = {
        "objections": audit.add_rows(session, Objection, [values]),
        "record_status": audit.add_rows(
            session, RecordStatus, [status_row(row, "contested", "objection", text, actor.id, moment, seq)]
        ),
    }
    payload = {"code": values["code"], "due_at": due.isoformat(), "working_days": days}
    audit.append(
        session,
        seq=seq,
        actor=actor.id,
        action="objection.raise",
        object=f"record:{source}/{record_id}",
        payload=payload,
        covered=covered,
        at=moment,
    )
    return get(session, code=str(values["code"]))


def get(session: Session, *, code: str) -> Objection:
    found = session.execute(select(Objection).where(Objection.code == code)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no objection {code!r}")
    return found


def outcomes(session: Session, objection: Objection) -> list[ObjectionOutcome]:
    query = select(ObjectionOutcome).where(ObjectionOutcome.objection == objection.pk).order_by(ObjectionOutcome.pk)
    return list(session.execute(query).scalars())


def open_objection(session: Session, record_pk: int) -> Objection | None:
    """The objection to a record that its source has not decided yet (overdue ones included)."""
    decided = exists().where(ObjectionOutcome.objection == Objection.pk, ObjectionOutcome.outcome.in_(OUTCOMES))
    query = select(Objection).where(Objection.record == record_pk, ~decided).order_by(Objection.pk.desc())
    return session.execute(query.limit(1)).scalar_one_or_none()


def decide(
    session: Session,
    *,
    actor: Actor,
    code: str,
    outcome: str,
    reason: str,
    correction: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> ObjectionOutcome:
    """The source's decision: ``uphold`` (counts again), ``correct`` (a correction record) or ``withdraw``."""
    objection = get(session, code=code)
    if actor.role != "source" or actor.source != objection.source:
        raise Forbidden(f"only source {objection.source} decides objections to its records")
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}", details=[{"field": "outcome"}])
    text = text_field(reason, "reason")
    if any(done.outcome in OUTCOMES for done in outcomes(session, objection)):
        raise Conflict(f"objection {code} is already decided")
    row = session.get(RecordRow, objection.record)
    assert row is not None  # a foreign key
    moment = now or utcnow()
    written = _write_record(session, actor, objection, row, outcome, text, correction or {}, moment)
    seq = audit.next_seq(session)
    values = {
        "objection": objection.pk,
        "outcome": outcome,
        "decided_by": actor.id,
        "decided_at": moment,
        "reason": text,
        "written": written,
        "audit_seq": seq,
    }
    covered = {"objection_outcomes": audit.add_rows(session, ObjectionOutcome, [values])}
    if outcome != "withdraw":
        status = status_row(row, "confirmed", f"objection-{outcome}", text, actor.id, moment, seq)
        covered["record_status"] = audit.add_rows(session, RecordStatus, [status])
    audit.append(
        session,
        seq=seq,
        actor=actor.id,
        action=f"objection.{outcome}",
        object=f"objection:{code}",
        payload={"record": f"{row.source}/{row.record_id}", "written": written},
        covered=covered,
        at=moment,
    )
    return session.execute(select(ObjectionOutcome).where(ObjectionOutcome.audit_seq == seq)).scalar_one()


def _write_record(
    session: Session,
    actor: Actor,
    objection: Objection,
    row: RecordRow,
    outcome: str,
    reason: str,
    correction: dict[str, Any],
    moment: datetime,
) -> str | None:
    """The correction or withdrawal record the outcome writes (validated like any record of the source)."""
    if outcome == "uphold":
        return None
    unknown = sorted(set(correction) - set(CORRECTABLE))
    if unknown:
        raise InvalidInput(f"correction: unknown fields {unknown}", details=[{"field": "correction"}])
    data: dict[str, Any] = {
        "id": f"{row.record_id}.{outcome}.{objection.code}",
        "kind": outcome,
        "ref": row.record_id,
        "subject": row.subject,
        "reason": reason,
    }
    if outcome == "correct":
        original = {"rule": row.rule, "occurred_on": row.occurred_on.isoformat(), "document": row.document}
        data.update({key: value for key, value in original.items() if value is not None})
        data.update(correction)
        data.setdefault("points", None if row.points is None else format_cents(row.points))
        data = {key: value for key, value in data.items() if value is not None}
    else:
        data["occurred_on"] = moment.date().isoformat()
    records.ingest(session, actor=actor, items=[(0, data)], source=objection.source, now=moment)
    return str(data["id"])


def sweep_overdue(session: Session, *, now: datetime | None = None) -> list[str]:
    """Suspend the records whose objection deadline passed undecided; return their subjects."""
    moment = now or utcnow()
    any_outcome = exists().where(ObjectionOutcome.objection == Objection.pk)
    late = list(session.execute(select(Objection).where(Objection.due_at <= moment, ~any_outcome)).scalars())
    if not late:
        return []
    seq = audit.next_seq(session)
    outcome_rows, status_rows = [], []
    for objection in late:
        row = session.get(RecordRow, objection.record)
        assert row is not None
        why = f"objection {objection.code} was due by {objection.due_at.isoformat()} and is undecided"
        outcome_rows.append(
            {
                "objection": objection.pk,
                "outcome": OVERDUE,
                "decided_by": "platform",
                "decided_at": moment,
                "reason": why,
                "written": None,
                "audit_seq": seq,
            }
        )
        status_rows.append(status_row(row, SUSPENDED_STATUS, "objection-overdue", why, "platform", moment, seq))
    covered = {
        "objection_outcomes": audit.add_rows(session, ObjectionOutcome, outcome_rows),
        "record_status": audit.add_rows(session, RecordStatus, status_rows),
    }
    audit.append(
        session,
        seq=seq,
        actor="platform",
        action="objection.overdue",
        object="objections",
        payload={"objections": [objection.code for objection in late]},
        covered=covered,
        at=moment,
    )
    return sorted({objection.subject for objection in late})


def view(session: Session, objection: Objection, *, now: datetime | None = None) -> dict[str, Any]:
    """An objection as its parties see it: state, deadline and every outcome."""
    done = outcomes(session, objection)
    final = next((item for item in done if item.outcome in OUTCOMES), None)
    overdue = any(item.outcome == OVERDUE for item in done)
    state = final.outcome if final else ("overdue" if overdue or (now or utcnow()) >= objection.due_at else "open")
    return {
        "id": objection.code,
        "source": objection.source,
        "record": objection.record_id,
        "subject": objection.subject,
        "reason": objection.reason,
        "raised_by": objection.raised_by,
        "raised_at": objection.raised_at.isoformat(),
        "due_at": objection.due_at.isoformat(),
        "state": state,
        "outcomes": [
            {
                "outcome": item.outcome,
                "by": item.decided_by,
                "at": item.decided_at.isoformat(),
                "reason": item.reason,
                "record_written": item.written,
            }
            for item in done
        ],
    }


def of_subject(session: Session, *, subject: str) -> list[Objection]:
    query = select(Objection).where(Objection.subject == subject).order_by(Objection.pk)
    return list(session.execute(query).scalars())
