"""Subject rights: inquiries and notices, objections, repair, share codes, the data copy, public keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from socialcredit.access import Actor
from socialcredit.api.deps import Allowed, guard, reading, required, settings, unit
from socialcredit.errors import Forbidden
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.rights import export, objections, repairs
from socialcredit.platform.rights import flows as rights
from socialcredit.platform.rights import service as service
from socialcredit.platform.rights.models import Objection
from socialcredit.platform.subjects.service import resolve

router = APIRouter(tags=["rights"])


class ObjectionIn(BaseModel):
    source: str = Field(max_length=64)
    record: str = Field(max_length=128)
    reason: str = Field(max_length=2000)


class ObjectionDecisionIn(BaseModel):
    outcome: str = Field(description="uphold, correct or withdraw")
    reason: str = Field(max_length=2000)
    correction: dict[str, Any] | None = Field(
        default=None, description="For correct: the corrected rule, occurred_on, points, reason or document."
    )


class RepairIn(BaseModel):
    source: str = Field(max_length=64)
    record: str = Field(max_length=128)
    proof: str = Field(max_length=4000, description="How the conduct was corrected (obligation performed…).")
    evidence: list[str] = Field(default_factory=list, description="SHA-256 of uploaded evidence.")


class RepairDecisionIn(BaseModel):
    decision: str = Field(description="approve or reject")
    reason: str | None = Field(default=None, max_length=2000)


class ShareCodeIn(BaseModel):
    scope: str = Field(description="grade-only or full-report")
    expires_in_days: int = Field(30, description="1 to 90")
    label: str | None = Field(default=None, max_length=200, description="Who you give it to (for your own list).")


class SharedIn(BaseModel):
    code: str = Field(max_length=100)


class PayloadIn(BaseModel):
    payload: str = Field(max_length=4000)


@router.get("/subjects/{subject}/inquiries", **guard("inquiries.read"))
def subject_inquiries(
    request: Request,
    actor: Allowed,
    subject: str,
    limit: int = Query(100, ge=1, le=1000),
    before: int | None = Query(None, ge=1, description="Older than this position (paging)."),
) -> dict[str, Any]:
    """Who checked the subject, for which service, why, and what they were told (newest first)."""
    with reading(request) as session:
        national_id = resolve(session, subject)
        found = service.inquiries(session, subject=national_id, limit=limit, before=before)
    return {"subject": national_id, "inquiries": found}


@router.get("/subjects/{subject}/notices", **guard("rights.read"))
def subject_notices(
    request: Request, actor: Allowed, subject: str, limit: int = Query(100, ge=1, le=1000)
) -> dict[str, Any]:
    """Notices of denials: the reasons, the legal basis and how to object."""
    with reading(request) as session:
        national_id = resolve(session, subject)
        return {"subject": national_id, "notices": service.notices(session, subject=national_id, limit=limit)}


@router.get("/subjects/{subject}/objections", **guard("rights.read"))
def subject_objections(request: Request, actor: Allowed, subject: str) -> dict[str, Any]:
    """The subject's objections and repair applications, with their state."""
    with reading(request) as session:
        national_id = resolve(session, subject)
        return {
            "subject": national_id,
            "objections": [objections.view(session, o) for o in objections.of_subject(session, subject=national_id)],
            "repairs": [repairs.view(session, a) for a in repairs.of_subject(session, subject=national_id)],
        }


def _may_see(actor: Actor, subject: str, source: str) -> None:
    if (actor.role == "subject" and actor.subject != subject) or (actor.role == "source" and actor.source != source):
        raise Forbidden("you may see only your own objections and repairs (or, for a source, those of its records)")


@router.post("/objections", status_code=201, **guard("objections.create"))
def create_objection(request: Request, actor: Allowed, body: ObjectionIn) -> dict[str, Any]:
    """Object to a record (a subject about itself, or a clerk for them): it becomes contested at once."""
    with unit(request) as session:
        objection = rights.raise_objection(
            session, actor=required(actor), source=body.source, record_id=body.record, reason=body.reason
        )
        return objections.view(session, objection)


@router.get("/objections", **guard("objections.read"))
def list_objections(
    request: Request, actor: Allowed, state: str | None = Query(None, pattern="^(open|overdue|decided)$")
) -> dict[str, Any]:
    """Objections you may see (a source: those to its records), oldest first; ``state`` filters."""
    who = required(actor)
    with reading(request) as session:
        query = select(Objection).order_by(Objection.pk)
        if who.role == "source":
            query = query.where(Objection.source == (who.source or ""))
        elif who.role == "subject":
            query = query.where(Objection.subject == (who.subject or ""))
        views = [objections.view(session, o) for o in session.execute(query.limit(1000)).scalars()]
    if state == "decided":
        views = [v for v in views if v["state"] in objections.OUTCOMES]
    elif state:
        views = [v for v in views if v["state"] == state]
    return {"objections": views}


@router.get("/objections/{objection_id}", **guard("objections.read"))
def read_objection(request: Request, actor: Allowed, objection_id: str) -> dict[str, Any]:
    """One objection: reason, deadline, state and outcomes."""
    with reading(request) as session:
        found = objections.get(session, code=objection_id)
        _may_see(required(actor), found.subject, found.source)
        return objections.view(session, found)


@router.post("/objections/{objection_id}/decision", **guard("objections.decide"))
def decide_objection(request: Request, actor: Allowed, objection_id: str, body: ObjectionDecisionIn) -> dict[str, Any]:
    """The source's decision: uphold, correct (with the corrected fields) or withdraw the record."""
    with unit(request) as session:
        rights.decide_objection(
            session,
            actor=required(actor),
            code=objection_id,
            outcome=body.outcome,
            reason=body.reason,
            correction=body.correction,
        )
        return objections.view(session, objections.get(session, code=objection_id))


@router.post("/repairs", status_code=201, **guard("repairs.apply"))
def apply_repair(request: Request, actor: Allowed, body: RepairIn) -> dict[str, Any]:
    """Apply to repair a record once its minimum publicity period has passed, with proof of correction."""
    with unit(request) as session:
        application = rights.apply_repair(
            session,
            actor=required(actor),
            source=body.source,
            record_id=body.record,
            proof=body.proof,
            evidence=body.evidence,
        )
        return repairs.view(session, application)


@router.get("/repairs/{repair_id}", **guard("repairs.read"))
def read_repair(request: Request, actor: Allowed, repair_id: str) -> dict[str, Any]:
    with reading(request) as session:
        found = repairs.get(session, code=repair_id)
        _may_see(required(actor), found.subject, found.source)
        return repairs.view(session, found)


@router.post("/repairs/{repair_id}/decision", **guard("repairs.decide"))
def decide_repair(request: Request, actor: Allowed, repair_id: str, body: RepairDecisionIn) -> dict[str, Any]:
    """The source approves (a repair record ends the record today) or rejects (with a reason)."""
    with unit(request) as session:
        rights.decide_repair(session, actor=required(actor), code=repair_id, decision=body.decision, reason=body.reason)
        return repairs.view(session, repairs.get(session, code=repair_id))


@router.post("/share-codes", status_code=201, **guard("sharecodes.manage"))
def issue_share_code(request: Request, actor: Allowed, body: ShareCodeIn) -> dict[str, Any]:
    """Issue a share code (shown once): a third party sees your grade or full report through it until it
    expires (at most 90 days) or you revoke it."""
    with unit(request) as session:
        share, code = service.issue_code(
            session, actor=required(actor), scope=body.scope, days=body.expires_in_days, label=body.label
        )
        return {"code": code, **service.code_view(session, share)}


@router.get("/share-codes", **guard("sharecodes.manage"))
def my_share_codes(request: Request, actor: Allowed) -> dict[str, Any]:
    who = required(actor)
    with reading(request) as session:
        return {
            "share_codes": [service.code_view(session, c) for c in service.codes_of(session, subject=who.subject or "")]
        }


@router.delete("/share-codes/{share_id}", **guard("sharecodes.manage"))
def revoke_share_code(request: Request, actor: Allowed, share_id: int) -> dict[str, Any]:
    """Revoke a share code at once."""
    with unit(request) as session:
        share = service.revoke_code(session, actor=required(actor), share_id=share_id)
        return service.code_view(session, share)


@router.post("/shared", **guard("sharecodes.use"))
def use_share_code(request: Request, actor: Allowed, body: SharedIn) -> dict[str, Any]:
    """What a share code shows: the grade, or the full report, of the person who issued it (logged for them)."""
    viewer = actor.id if actor is not None else f"anonymous:{request.client.host if request.client else '?'}"
    with unit(request) as session:
        return service.use_code(session, code=body.code, policy=active_policy(session), viewer=viewer)


@router.get("/me/export", **guard("me.export"))
def my_data(request: Request, actor: Allowed, format: str = Query("json", pattern="^(json|html)$")) -> Response:
    """Everything held about you (JSON, or ``?format=html`` for a readable page)."""
    who = required(actor)
    with reading(request) as session:
        data = export.export(session, subject=who.subject or "", policy=active_policy(session))
    if format == "html" or "text/html" in request.headers.get("accept", "").split(",")[0]:
        return HTMLResponse(export.export_html(data))
    from fastapi.responses import JSONResponse

    return JSONResponse(data)


@router.get("/keys", **guard("keys.read"))
def public_keys(request: Request, actor: Allowed) -> dict[str, Any]:
    """The public keys that verify certificates (Ed25519, PEM), by key id."""
    from socialcredit.reports.errors import KeyFileError
    from socialcredit.reports.signing import published_keys

    try:
        keys = published_keys(settings(request).keys_dir)
    except KeyFileError:
        keys = []
    return {"keys": keys}


@router.post("/certificates:verify", **guard("certificates.verify"))
def verify_certificate(request: Request, actor: Allowed, body: PayloadIn) -> dict[str, Any]:
    """Verify a scanned certificate payload (the QR code's text) with this platform's public keys."""
    from socialcredit.reports.certificate import verify_payload
    from socialcredit.reports.errors import CertificateInvalid, KeyFileError
    from socialcredit.reports.signing import load_public_keys

    try:
        contents = verify_payload(body.payload, load_public_keys(settings(request).keys_dir))
    except (CertificateInvalid, KeyFileError) as error:
        return {"valid": False, "reason": error.code, "message": error.message}
    return {"valid": True, "contents": contents}
