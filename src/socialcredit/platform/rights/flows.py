"""Rights orchestration: each write, then the standings (and so the lists and checks) it changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import utcnow
from socialcredit.db.connect import Database
from socialcredit.db.engine import transaction
from socialcredit.platform.checks.models import CheckSubject
from socialcredit.platform.flows import refresh_standings
from socialcredit.platform.handbooks.service import NoActiveHandbook, active_policy
from socialcredit.platform.lists.service import check_state
from socialcredit.platform.rights import objections, repairs
from socialcredit.platform.rights.models import Objection, ObjectionOutcome, RepairApplication, RepairDecision
from socialcredit.platform.standings.service import mark_stale, recompute, today
from socialcredit.platform.subjects.models import Subject


def raise_objection(session: Session, *, actor: Actor, source: str, record_id: str, reason: str) -> Objection:
    policy = active_policy(session)
    objection = objections.raise_objection(
        session, actor=actor, policy=policy, source=source, record_id=record_id, reason=reason
    )
    recompute(session, subjects=[objection.subject], policy=policy, now=objection.raised_at)
    return objection


def decide_objection(
    session: Session, *, actor: Actor, code: str, outcome: str, reason: str, correction: dict[str, Any] | None
) -> ObjectionOutcome:
    policy = active_policy(session)
    done = objections.decide(session, actor=actor, code=code, outcome=outcome, reason=reason, correction=correction)
    subject = objections.get(session, code=code).subject
    recompute(session, subjects=[subject], policy=policy, now=done.decided_at)
    return done


def apply_repair(
    session: Session, *, actor: Actor, source: str, record_id: str, proof: str, evidence: list[str] | None
) -> RepairApplication:
    policy = active_policy(session)
    return repairs.apply(
        session, actor=actor, policy=policy, source=source, record_id=record_id, proof=proof, evidence=evidence
    )


def decide_repair(session: Session, *, actor: Actor, code: str, decision: str, reason: str | None) -> RepairDecision:
    policy = active_policy(session)
    done = repairs.decide(session, actor=actor, code=code, decision=decision, reason=reason)
    subject = repairs.get(session, code=code).subject
    recompute(session, subjects=[subject], policy=policy, now=done.decided_at)
    return done


def run_duties(database: Database, *, now: datetime | None = None, drain: bool = True) -> dict[str, int]:
    """The platform's clock: suspend records whose objection deadline passed undecided, and queue for a
    refresh the standings whose next change has come (a record expires, a notice period ends), or everyone's
    under a newly active handbook; then (``drain``) refresh the queue a chunk per transaction, so that
    checks and other writers never wait long behind it."""
    moment = now or utcnow()
    with transaction(database.sessions) as session:
        try:
            policy = active_policy(session)
        except NoActiveHandbook:
            return {"suspended": 0, "queued": 0, "recomputed": 0}
        late = objections.sweep_overdue(session, now=moment)
        if check_state(session).policy_hash != policy.hash:
            subjects = set(session.execute(select(Subject.national_id)).scalars())
        else:
            due = select(CheckSubject.subject).where(CheckSubject.next_change_on <= today(policy, moment))
            subjects = set(session.execute(due).scalars()) | set(late)
        mark_stale(session, subjects, now=moment)
        check_state(session, lock=True).policy_hash = policy.hash
    done = refresh_standings(database.sessions) if drain else 0
    return {"suspended": len(late), "queued": len(subjects), "recomputed": done}
