"""The source's desk: objections to its records and repair applications, decided within the deadline.

Decisions are the platform's (``rights.flows.decide_objection`` / ``decide_repair``): only the source of the
record may decide, an objection once, a withdrawal or uphold with a reason. Corrections (new content for
the record) go through the API, which takes the corrected fields.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from socialcredit.access import Actor
from socialcredit.api.deps import reading, unit
from socialcredit.errors import SocialCreditError
from socialcredit.platform.rights import flows as rights
from socialcredit.platform.rights import objections, repairs
from socialcredit.web import queries
from socialcredit.web.guard import check_form, require
from socialcredit.web.pages import see_other
from socialcredit.web.render import page

router = APIRouter(include_in_schema=False)


def _desk(request: Request, actor: Actor, *, status: int = 200, error: str | None = None) -> HTMLResponse:
    source = actor.source or ""
    with reading(request) as session:
        found = [objections.view(session, o) for o in queries.objections_of_source(session, source=source)]
        applied = [repairs.view(session, r) for r in queries.repairs_of_source(session, source=source)]
    return page(request, "source_desk.html", status=status, error=error, objections=found, repairs=applied)


@router.get("/source", response_class=HTMLResponse)
def desk(request: Request) -> HTMLResponse:
    actor = require(request, "objections.decide")
    return _desk(request, actor)


@router.post("/source/objections/{code}", response_class=HTMLResponse)
def decide_objection(
    request: Request, code: str, outcome: str = Form(...), reason: str = Form(""), csrf_token: str = Form("")
) -> Response:
    check_form(request, csrf_token)
    actor = require(request, "objections.decide")
    try:
        with unit(request) as session:
            rights.decide_objection(session, actor=actor, code=code, outcome=outcome, reason=reason, correction=None)
    except SocialCreditError as problem:
        return _desk(request, actor, status=problem.status, error=problem.message)
    return see_other("/source")


@router.post("/source/repairs/{code}", response_class=HTMLResponse)
def decide_repair(
    request: Request, code: str, decision: str = Form(...), reason: str = Form(""), csrf_token: str = Form("")
) -> Response:
    check_form(request, csrf_token)
    actor = require(request, "repairs.decide")
    try:
        with unit(request) as session:
            rights.decide_repair(session, actor=actor, code=code, decision=decision, reason=reason or None)
    except SocialCreditError as problem:
        return _desk(request, actor, status=problem.status, error=problem.message)
    return see_other("/source")
