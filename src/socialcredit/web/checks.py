"""The relying party's page: a check form and bulk screening, answered by the platform's check service.

A person of a relying party logs in, and the terminal is bound (once per session) to the party's API key:
checks are made as that key, limited to its services, and logged under it, exactly as over the API.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from socialcredit.access import Actor
from socialcredit.api.deps import database, reading
from socialcredit.errors import SocialCreditError, Unauthorized
from socialcredit.platform.checks import bulk
from socialcredit.platform.checks.runtime import CheckService, purpose_text
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.users import service as users
from socialcredit.web.guard import check_form, require
from socialcredit.web.pages import see_other
from socialcredit.web.render import page

router = APIRouter(include_in_schema=False)
SESSION_KEY = "party_key"
SHOWN = 200


def party(request: Request) -> Actor | None:
    """The relying party's key bound to this session, as an actor (None when none or revoked)."""
    token = request.session.get(SESSION_KEY)
    if not token:
        return None
    with reading(request) as session:
        actor = users.key_actor(session, token=str(token))
    return actor if actor is not None and actor.role == "relying-party" else None


def _page(request: Request, *, status: int = 200, **values: Any) -> HTMLResponse:
    key = party(request)
    with reading(request) as session:
        services = sorted({m.service for m in active_policy(session).measures})
    allowed = [s for s in services if key is not None and s in key.services]
    return page(request, "checks.html", status=status, party=key, services=allowed, **values)


@router.get("/checks", response_class=HTMLResponse)
def checks_page(request: Request) -> HTMLResponse:
    require(request, "checks.run")
    return _page(request)


@router.post("/checks/key", response_class=HTMLResponse)
def bind_key(request: Request, key: str = Form(""), csrf_token: str = Form("")) -> Response:
    check_form(request, csrf_token)
    require(request, "checks.run")
    with reading(request) as session:
        actor = users.key_actor(session, token=key.strip())
    if actor is None or actor.role != "relying-party":
        return _page(request, status=401, error=Unauthorized("not a live relying-party key").message)
    request.session[SESSION_KEY] = key.strip()
    return see_other("/checks")


def _service(request: Request) -> CheckService:
    service: CheckService = request.app.state.checks
    return service


@router.post("/checks", response_class=HTMLResponse)
async def check(
    request: Request,
    subject: str = Form(""),
    service: str = Form(""),
    purpose: str = Form(""),
    csrf_token: str = Form(""),
) -> HTMLResponse:
    """One check, decided and logged by the check service (the subject will see it)."""
    check_form(request, csrf_token)
    require(request, "checks.run")
    key = party(request)
    try:
        if key is None:
            raise Unauthorized("bind the relying party's API key first")
        answer = await _service(request).check(actor=key, identifier=subject, service=service, purpose=purpose)
    except SocialCreditError as problem:
        return _page(
            request, status=problem.status, error=problem.message, form={"subject": subject, "purpose": purpose}
        )
    return _page(request, answer=answer, form={"subject": subject, "service": service, "purpose": purpose})


@router.post("/checks/bulk", response_class=HTMLResponse)
async def check_bulk(
    request: Request, file: UploadFile, service: str = Form(""), purpose: str = Form(""), csrf_token: str = Form("")
) -> HTMLResponse:
    """Screen a CSV or Parquet file of identifiers; every decision is logged before it is shown."""
    check_form(request, csrf_token)
    require(request, "checks.bulk")
    key = party(request)
    try:
        if key is None:
            raise Unauthorized("bind the relying party's API key first")
        body = await file.read()
        runtime = _service(request)
        identifiers = await run_in_threadpool(bulk.read_identifiers, body, file.content_type or "text/csv")
        snapshot = await run_in_threadpool(runtime.authorize, key, service, fresh=True)
        screening = bulk.Screening(key, service, purpose_text(purpose), snapshot)

        def work() -> list[dict[str, Any]]:
            return [row for chunk in bulk.run(database(request).sessions, screening, identifiers) for row in chunk]

        rows = await run_in_threadpool(work)
    except SocialCreditError as problem:
        return _page(request, status=problem.status, error=problem.message)
    denied = sum(row["decision"] == "deny" for row in rows)
    return _page(request, bulk_rows=rows[:SHOWN], bulk_total=len(rows), bulk_denied=denied)
