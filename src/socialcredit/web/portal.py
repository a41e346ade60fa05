"""The subject portal (``/me``): my points and grade, how far the next grade is, when it next changes, every
record with its evidence and rule; who checked me, my notices, objections, repair applications, share codes
and a copy of my data. Every right is exercised through the platform's rights services.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, Response

from socialcredit.access import Actor, Decision
from socialcredit.api.deps import reading, refresh_later, unit
from socialcredit.db.base import utcnow
from socialcredit.errors import SocialCreditError
from socialcredit.platform.rights import flows as rights
from socialcredit.platform.rights import objections, repairs
from socialcredit.platform.rights import service as rights_service
from socialcredit.platform.standings import service as standings
from socialcredit.platform.subjects import service as subjects
from socialcredit.web.guard import PageDenied, check_form, require
from socialcredit.web.pages import error_page, see_other
from socialcredit.web.render import page
from socialcredit.web.subjects import subject_view

router = APIRouter(include_in_schema=False)


def me(request: Request, action: str = "rights.read") -> tuple[Actor, str]:
    """The logged-in subject and its identifier (403 for anyone without a record of their own)."""
    actor = require(request, "me.read")
    if actor.subject is None:
        raise PageDenied(Decision(False, "only a subject has a record of its own here", 403), action)
    require(request, action, subject=actor.subject)
    return actor, actor.subject


def rights_of(session: Any, subject: str) -> dict[str, Any]:
    return {
        "consent": subjects.consents_at(session, [subject], utcnow()).get(subject, False),
        "inquiries": rights_service.inquiries(session, subject=subject, limit=50),
        "notices": rights_service.notices(session, subject=subject, limit=20),
        "objections": [objections.view(session, o) for o in objections.of_subject(session, subject=subject)],
        "repairs": [repairs.view(session, r) for r in repairs.of_subject(session, subject=subject)],
        "codes": [rights_service.code_view(session, c) for c in rights_service.codes_of(session, subject=subject)],
    }


@router.get("/me", response_class=HTMLResponse)
def portal(request: Request, new_code: str | None = None) -> HTMLResponse:
    _, subject = me(request, "standing.read")
    try:
        with reading(request) as session:
            row, view = subject_view(session, subject)
            rights_now = rights_of(session, subject)
    except SocialCreditError as problem:
        return error_page(request, problem)
    return page(request, "portal.html", subject=row, view=view, objectable=True, new_code=new_code, **rights_now)


@router.get("/me/objections/new", response_class=HTMLResponse)
def act_on_record(request: Request, source: str, record: str) -> HTMLResponse:
    """Object to a record, or apply to repair it."""
    me(request)
    return page(request, "portal_record.html", source=source, record=record, error=None)


@router.post("/me/objections", response_class=HTMLResponse)
def object_to(
    request: Request,
    source: str = Form(...),
    record: str = Form(...),
    reason: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    check_form(request, csrf_token)
    actor, _ = me(request, "objections.create")
    try:
        with unit(request) as session:
            rights.raise_objection(session, actor=actor, source=source, record_id=record, reason=reason)
    except SocialCreditError as problem:
        return page(request, "portal_record.html", status=problem.status, source=source, record=record,
                    error=problem.message)  # fmt: skip
    return see_other("/me#objections")


@router.post("/me/repairs", response_class=HTMLResponse)
def apply_repair(
    request: Request,
    source: str = Form(...),
    record: str = Form(...),
    proof: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    check_form(request, csrf_token)
    actor, _ = me(request, "repairs.apply")
    try:
        with unit(request) as session:
            rights.apply_repair(session, actor=actor, source=source, record_id=record, proof=proof, evidence=None)
    except SocialCreditError as problem:
        return page(request, "portal_record.html", status=problem.status, source=source, record=record,
                    error=problem.message)  # fmt: skip
    return see_other("/me#repairs")


@router.post("/me/share-codes", response_class=HTMLResponse)
def issue_code(
    request: Request, scope: str = Form("grade-only"), days: int = Form(30), label: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:  # fmt: skip
    """A new share code, shown once on the portal."""
    check_form(request, csrf_token)
    actor, _ = me(request, "sharecodes.manage")
    try:
        with unit(request) as session:
            _, code = rights_service.issue_code(session, actor=actor, scope=scope, days=days, label=label)
    except SocialCreditError as problem:
        return error_page(request, problem, back="/me#codes")
    return portal(request, new_code=code)


@router.post("/me/share-codes/{share_id}/revoke", response_class=HTMLResponse)
def revoke_code(request: Request, share_id: int, csrf_token: str = Form("")) -> Response:
    check_form(request, csrf_token)
    actor, _ = me(request, "sharecodes.manage")
    try:
        with unit(request) as session:
            rights_service.revoke_code(session, actor=actor, share_id=share_id)
    except SocialCreditError as problem:
        return error_page(request, problem, back="/me#codes")
    return see_other("/me#codes")


@router.post("/me/consent", response_class=HTMLResponse)
def consent(request: Request, tasks: BackgroundTasks, given: str = Form(""), csrf_token: str = Form("")) -> Response:
    """Give or withdraw consent to scoring (appended with its time; the standing follows)."""
    check_form(request, csrf_token)
    actor, subject = me(request, "subject.consent")
    try:
        with unit(request) as session:
            at = subjects.set_consent(session, actor=actor, identifier=subject, given=given == "yes")
            standings.mark_stale(session, [subject], now=at)
    except SocialCreditError as problem:
        return error_page(request, problem, back="/me")
    refresh_later(request, tasks)
    return see_other("/me#consent")
