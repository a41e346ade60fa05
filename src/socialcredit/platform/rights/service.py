"""Rights services: who checked a subject (inquiries), the notices it got, share codes, and the data copy."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import utcnow
from socialcredit.errors import Forbidden, NotFound
from socialcredit.platform.audit import service as audit
from socialcredit.platform.checks.models import CheckLog
from socialcredit.platform.rights import sharecodes
from socialcredit.platform.rights.models import Notice, ShareCode, ShareEvent
from socialcredit.platform.standings.service import compute
from socialcredit.policy.model import Policy


def inquiries(session: Session, *, subject: str, limit: int = 100, before: int | None = None) -> list[dict[str, Any]]:
    """Who checked the subject and why (newest first), and who looked through its share codes."""
    query = select(CheckLog).where(CheckLog.subject == subject)
    if before is not None:
        query = query.where(CheckLog.pk < before)
    rows = session.execute(query.order_by(CheckLog.pk.desc()).limit(limit)).scalars()
    found: list[dict[str, Any]] = [
        {
            "kind": "check",
            "position": row.pk,
            "decision_id": row.decision_id,
            "at": row.checked_at.isoformat(),
            "party": row.party,
            "purpose": row.purpose,
            "service": row.service,
            "identifier": row.identifier,
            "decision": row.decision,
            "measures": row.measures.split(";") if row.measures else [],
            "lists": row.lists.split(";") if row.lists else [],
            "list_version": row.list_version,
        }
        for row in rows
    ]
    if before is None:
        found += [{"kind": "share-code", **view} for view in share_views(session, subject=subject)]
    return found


def notices(session: Session, *, subject: str, limit: int = 100) -> list[dict[str, Any]]:
    query = select(Notice).where(Notice.subject == subject).order_by(Notice.pk.desc()).limit(limit)
    return [
        {"decision_id": row.decision_id, "at": row.created_at.isoformat(), **json.loads(row.body)}
        for row in session.execute(query).scalars()
    ]


def _own(actor: Actor) -> str:
    if actor.role != "subject" or not actor.subject:
        raise Forbidden("only a person, logged in as themselves, issues and revokes share codes")
    return actor.subject


def issue_code(
    session: Session, *, actor: Actor, scope: str, days: int, label: str | None = None, now: datetime | None = None
) -> tuple[ShareCode, str]:
    """A new share code of the actor (a subject): the row and the code, shown once."""
    subject = _own(actor)
    sharecodes.check_scope(scope)
    moment = now or utcnow()
    expires = sharecodes.expiry(moment, days)
    code = sharecodes.new_code()
    seq = audit.next_seq(session)
    values = {
        "code_hash": sharecodes.code_hash(code),
        "hint": code[:8],
        "subject": subject,
        "scope": scope,
        "label": (label or "").strip()[:200] or None,
        "created_by": actor.id,
        "created_at": moment,
        "expires_at": expires,
        "audit_seq": seq,
    }
    covered = {"share_codes": audit.add_rows(session, ShareCode, [values])}
    audit.append(
        session,
        seq=seq,
        actor=actor.id,
        action="share.issue",
        object=f"subject:{subject}",
        payload={"hint": values["hint"], "scope": scope, "expires_at": expires.isoformat()},
        covered=covered,
        at=moment,
    )
    row = session.execute(select(ShareCode).where(ShareCode.audit_seq == seq)).scalar_one()
    return row, code


def _event(session: Session, share: ShareCode, event: str, actor: str, moment: datetime) -> None:
    seq = audit.next_seq(session)
    values = {"share": share.pk, "event": event, "at": moment, "actor": actor, "audit_seq": seq}
    covered = {"share_events": audit.add_rows(session, ShareEvent, [values])}
    audit.append(
        session,
        seq=seq,
        actor=actor,
        action=f"share.{event}",
        object=f"subject:{share.subject}",
        payload={"hint": share.hint},
        covered=covered,
        at=moment,
    )


def events(session: Session, share: ShareCode) -> list[ShareEvent]:
    return list(
        session.execute(select(ShareEvent).where(ShareEvent.share == share.pk).order_by(ShareEvent.pk)).scalars()
    )


def revoke_code(session: Session, *, actor: Actor, share_id: int, now: datetime | None = None) -> ShareCode:
    """Revoke one of the actor's share codes (revoking twice changes nothing)."""
    subject = _own(actor)
    share = session.get(ShareCode, share_id)
    if share is None or share.subject != subject:
        raise NotFound(f"you have no share code {share_id}")
    if not any(e.event == "revoke" for e in events(session, share)):
        _event(session, share, "revoke", actor.id, now or utcnow())
    return share


def code_view(session: Session, share: ShareCode, *, now: datetime | None = None) -> dict[str, Any]:
    done = events(session, share)
    revoked = next((e.at for e in done if e.event == "revoke"), None)
    moment = now or utcnow()
    state = "revoked" if revoked else ("expired" if moment >= share.expires_at else "active")
    return {
        "id": share.pk,
        "hint": share.hint,
        "scope": share.scope,
        "label": share.label,
        "state": state,
        "created_at": share.created_at.isoformat(),
        "expires_at": share.expires_at.isoformat(),
        "revoked_at": revoked.isoformat() if revoked else None,
        "views": sum(e.event == "view" for e in done),
    }


def codes_of(session: Session, *, subject: str) -> list[ShareCode]:
    return list(session.execute(select(ShareCode).where(ShareCode.subject == subject).order_by(ShareCode.pk)).scalars())


def use_code(
    session: Session, *, code: str, policy: Policy, viewer: str, now: datetime | None = None
) -> dict[str, Any]:
    """What a share code shows (its scope of the standing now); the view is logged for the subject to see."""
    moment = now or utcnow()
    share = session.execute(
        select(ShareCode).where(ShareCode.code_hash == sharecodes.code_hash(code or ""))
    ).scalar_one_or_none()
    if share is None or code_view(session, share, now=moment)["state"] != "active":
        raise NotFound("unknown, expired or revoked share code")
    standing = compute(session, national_id=share.subject, policy=policy, known_at=moment)
    _event(session, share, "view", viewer, moment)
    return {
        "scope": share.scope,
        "expires_at": share.expires_at.isoformat(),
        "standing": sharecodes.shared_view(standing.as_json(), share.scope),
    }


def share_views(session: Session, *, subject: str) -> list[dict[str, Any]]:
    query = (
        select(ShareEvent, ShareCode)
        .join(ShareCode, ShareCode.pk == ShareEvent.share)
        .where(ShareCode.subject == subject, ShareEvent.event == "view")
        .order_by(ShareEvent.pk.desc())
    )
    return [
        {"at": event.at.isoformat(), "party": event.actor, "purpose": f"share code {share.hint}… ({share.scope})"}
        for event, share in session.execute(query)
    ]
