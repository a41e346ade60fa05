"""Credit repair: once a record's minimum publicity period has passed, its subject (or a clerk for them) applies
with proof of correction; the source decides; approval writes a ``repair`` record, which ends the record.

Repair is free and self-service. Publication ends by itself at the maximum period (see :mod:`.periods`).
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import utcnow
from socialcredit.errors import Conflict, Forbidden, InvalidInput, NotFound
from socialcredit.platform.audit import service as audit
from socialcredit.platform.evidence.service import known as known_evidence
from socialcredit.platform.records import service as records
from socialcredit.platform.records.models import RecordRow
from socialcredit.platform.rights.models import RepairApplication, RepairDecision
from socialcredit.platform.rights.objections import may_act_for, text_field
from socialcredit.platform.rights.periods import Publicity, publicity
from socialcredit.platform.standings.service import compute, today
from socialcredit.policy.model import Policy
from socialcredit.scoring import standing as st

DECISIONS = ("approve", "reject")


def publicity_of(session: Session, *, policy: Policy, row: RecordRow, now: datetime) -> tuple[Publicity, str]:
    """The publicity of a fact (by its rule's severity, from its resolved date) and its status today."""
    standing = compute(session, national_id=row.subject, policy=policy, as_of=today(policy, now), known_at=now)
    found = next((c for c in standing.contributions if (c.source, c.record) == (row.source, row.record_id)), None)
    if found is None:
        raise Conflict(f"record ({row.source}, {row.record_id}) is not part of the standing today")
    rule = policy.rule(found.rule)
    if rule is None:
        raise Conflict(f"record ({row.source}, {row.record_id}) names rule {found.rule!r}, not in the active handbook")
    return publicity(rule.severity, found.occurred_on), found.status


def apply(
    session: Session,
    *,
    actor: Actor,
    policy: Policy,
    source: str,
    record_id: str,
    proof: str,
    evidence: list[str] | None = None,
    now: datetime | None = None,
) -> RepairApplication:
    """Apply to repair a fact in force whose minimum publicity period has passed, with proof of correction."""
    text = text_field(proof, "proof")
    row = records.get_row(session, source=source, record_id=record_id)
    may_act_for(actor, row.subject)
    if row.kind != "fact":
        raise InvalidInput(f"record ({source}, {record_id}) is a {row.kind}; apply to repair the fact it acts on")
    moment = now or utcnow()
    period, status = publicity_of(session, policy=policy, row=row, now=moment)
    if status not in st.IN_FORCE:
        raise Conflict(f"record ({source}, {record_id}) is {status}: only a record in force can be repaired")
    day = today(policy, moment)
    if not period.repairable_on(day):
        raise Conflict(
            f"a {period.severity} record can be repaired from {period.repair_from} (minimum publicity period)",
            details=period.as_json(),
        )
    hashes = sorted(set(evidence or []))
    missing = sorted(set(hashes) - set(known_evidence(session, set(hashes))))
    if missing:
        raise InvalidInput(f"evidence {missing[0]} was not uploaded (POST /api/v1/evidence first)", details=missing)
    if _open(session, row.pk):
        raise Conflict(f"an application to repair ({source}, {record_id}) is already waiting for its source")
    seq = audit.next_seq(session)
    values = {
        "code": "rep_" + secrets.token_hex(8),
        "record": row.pk,
        "source": source,
        "record_id": record_id,
        "subject": row.subject,
        "proof": text,
        "evidence": json.dumps(hashes) if hashes else None,
        "applied_by": actor.id,
        "applied_at": moment,
        "audit_seq": seq,
    }
    covered = {"repair_applications": audit.add_rows(session, RepairApplication, [values])}
    audit.append(
        session,
        seq=seq,
        actor=actor.id,
        action="repair.apply",
        object=f"record:{source}/{record_id}",
        payload={"code": values["code"]},
        covered=covered,
        at=moment,
    )
    return get(session, code=str(values["code"]))


def _open(session: Session, record_pk: int) -> bool:
    decided = exists().where(RepairDecision.application == RepairApplication.pk)
    query = select(RepairApplication.pk).where(RepairApplication.record == record_pk, ~decided)
    return session.execute(query.limit(1)).first() is not None


def get(session: Session, *, code: str) -> RepairApplication:
    found = session.execute(select(RepairApplication).where(RepairApplication.code == code)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no repair application {code!r}")
    return found


def decisions(session: Session, application: RepairApplication) -> list[RepairDecision]:
    query = select(RepairDecision).where(RepairDecision.application == application.pk).order_by(RepairDecision.pk)
    return list(session.execute(query).scalars())


def decide(
    session: Session, *, actor: Actor, code: str, decision: str, reason: str | None, now: datetime | None = None
) -> RepairDecision:
    """The source approves (a ``repair`` record ends the fact today) or rejects (with a reason)."""
    application = get(session, code=code)
    if actor.role != "source" or actor.source != application.source:
        raise Forbidden(f"only source {application.source} decides repairs of its records")
    if decision not in DECISIONS:
        raise InvalidInput(f"decision: {decision!r} is not approve or reject", details=[{"field": "decision"}])
    if decision == "reject":
        text_field(reason, "reason")
    if decisions(session, application):
        raise Conflict(f"repair application {code} is already decided")
    moment = now or utcnow()
    written = None
    if decision == "approve":
        written = f"{application.record_id}.repair.{application.code}"
        data = {
            "id": written,
            "kind": "repair",
            "ref": application.record_id,
            "subject": application.subject,
            "occurred_on": moment.date().isoformat(),
            "reason": reason or f"repair {application.code} approved",
        }
        records.ingest(session, actor=actor, items=[(0, data)], source=application.source, now=moment)
    seq = audit.next_seq(session)
    values = {
        "application": application.pk,
        "decision": decision,
        "decided_by": actor.id,
        "decided_at": moment,
        "reason": reason,
        "written": written,
        "audit_seq": seq,
    }
    covered = {"repair_decisions": audit.add_rows(session, RepairDecision, [values])}
    audit.append(
        session,
        seq=seq,
        actor=actor.id,
        action=f"repair.{decision}",
        object=f"repair:{code}",
        payload={"written": written},
        covered=covered,
        at=moment,
    )
    return session.execute(select(RepairDecision).where(RepairDecision.audit_seq == seq)).scalar_one()


def view(session: Session, application: RepairApplication) -> dict[str, Any]:
    done = decisions(session, application)
    return {
        "id": application.code,
        "source": application.source,
        "record": application.record_id,
        "subject": application.subject,
        "proof": application.proof,
        "evidence": json.loads(application.evidence or "[]"),
        "applied_by": application.applied_by,
        "applied_at": application.applied_at.isoformat(),
        "state": done[-1].decision + "d" if done else "waiting",
        "decisions": [
            {
                "decision": d.decision,
                "by": d.decided_by,
                "at": d.decided_at.isoformat(),
                "reason": d.reason,
                "record_written": d.written,
            }
            for d in done
        ],
    }


def of_subject(session: Session, *, subject: str) -> list[RepairApplication]:
    query = select(RepairApplication).where(RepairApplication.subject == subject).order_by(RepairApplication.pk)
    return list(session.execute(query).scalars())
