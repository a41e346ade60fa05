"""Who am I, which handbook is active, and the audit log (verify, read)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from socialcredit.api.deps import Allowed, guard, reading, required
from socialcredit.platform.audit import service as audit
from socialcredit.platform.audit.verify import verify
from socialcredit.platform.handbooks.service import active_version

router = APIRouter(tags=["platform"])


@router.get("/me", **guard("me.read"))
def me(request: Request, actor: Allowed) -> dict[str, Any]:
    """The caller: kind, name, role, subject/source; for a session, the CSRF token for unsafe requests."""
    who = required(actor)
    body: dict[str, Any] = {
        "kind": who.kind,
        "name": who.name,
        "role": who.role,
        "subject": who.subject,
        "source": who.source,
        "services": list(who.services),
    }
    if who.kind == "user":
        body["csrf_token"] = request.session.get("csrf")
    return body


@router.get("/handbook", **guard("handbook.read"))
def handbook(request: Request, actor: Allowed) -> dict[str, Any]:
    """The active handbook's id, version and content hash (null before the first activation)."""
    with reading(request) as session:
        version = active_version(session)
        if version is None:
            return {"active": None}
        return {"active": {"id": version.policy_id, "version": version.version, "hash": version.hash}}


@router.get("/audit/verify", **guard("audit.read"))
def audit_verify(request: Request, actor: Allowed) -> dict[str, Any]:
    """Walk the hash chain and every covered row: ``ok``, or the first broken entry and why."""
    with reading(request) as session:
        return verify(session).as_json()


@router.get("/audit/log", **guard("audit.read"))
def audit_log(
    request: Request, actor: Allowed, after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)
) -> list[dict[str, Any]]:
    """Entries of the audit log in order, ``limit`` at a time after entry ``after``."""
    with reading(request) as session:
        return [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "object": e.object,
                "payload": e.payload,
                "payload_hash": e.payload_hash,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in audit.entries(session, after=after, limit=limit)
        ]
