"""The assessor's pages: report a deed from a phone (photos or a video, taken with the camera), my reports.

A report is an upload of each file (``evidence.store``) and one record referencing them by hash, ingested
like any batch (``flows.ingest``) for the assessor's source, in one unit of work: all or nothing.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from socialcredit.access import Actor
from socialcredit.api.deps import reading, refresh_later, settings, unit
from socialcredit.errors import InvalidInput, SocialCreditError, UserError
from socialcredit.platform import flows
from socialcredit.platform.evidence import service as evidence
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.sources.service import allowed_rules
from socialcredit.policy.model import Policy, Rule
from socialcredit.web import queries
from socialcredit.web.guard import check_form, require
from socialcredit.web.pages import detail_lines, see_other
from socialcredit.web.render import page

router = APIRouter(include_in_schema=False)
MAX_FILES = 6


def reportable(policy: Policy, actor: Actor) -> list[Rule]:
    """The rules this assessor's source may report (its handbook ``sources``), deeds first."""
    if actor.source is None:
        return []
    allowed = set(allowed_rules(policy, actor.source))
    rules = [rule for rule in policy.rules if rule.id in allowed]
    return sorted(rules, key=lambda rule: (not rule.review, rule.id))


def _form(request: Request, actor: Actor, *, status: int = 200, **values: Any) -> HTMLResponse:
    with reading(request) as session:
        policy = active_policy(session)
        mine = queries.reported_by(session, actor_id=actor.id, limit=50)
    today = datetime.now(ZoneInfo(policy.policy.timezone)).date()
    return page(
        request,
        "assessor.html",
        status=status,
        rules=reportable(policy, actor),
        mine=mine,
        today=today.isoformat(),
        form=values.pop("form", {}),
        **values,
    )


@router.get("/assessor", response_class=HTMLResponse)
def assessor(request: Request, done: str | None = None) -> HTMLResponse:
    actor = require(request, "records.ingest")
    return _form(request, actor, done=done)


def _files(form: Any) -> list[StarletteUpload]:
    files = [item for key in ("photos", "video") for item in form.getlist(key) if isinstance(item, StarletteUpload)]
    return [item for item in files if item.filename]


def record_of(form: Any, hashes: list[dict[str, str]], today: str) -> dict[str, Any]:
    """The record the form describes (the platform fills in ``recorded_at`` and the status)."""
    record: dict[str, Any] = {
        "id": f"web-{today.replace('-', '')}-{secrets.token_hex(5)}",
        "subject": str(form.get("subject", "")).strip(),
        "rule": str(form.get("rule", "")).strip(),
        "occurred_on": str(form.get("occurred_on", "")).strip() or today,
        "evidence": hashes,
    }
    for optional in ("points", "reason", "document"):
        value = str(form.get(optional, "")).strip()
        if value:
            record[optional] = value
    return record


@router.post("/assessor", response_class=HTMLResponse)
async def report(request: Request, tasks: BackgroundTasks) -> Response:
    """Store the photos/video, then ingest the report; on any problem nothing is kept and the form says why."""
    form = await request.form()
    check_form(request, str(form.get("csrf_token", "")))
    actor = require(request, "records.ingest")
    require(request, "evidence.upload")
    files = _files(form)
    config = settings(request)
    try:
        if actor.source is None:
            raise UserError("this assessor account is tied to no source; ask an administrator")
        if len(files) > MAX_FILES:
            raise InvalidInput(f"at most {MAX_FILES} files per report", details=[{"field": "photos"}])
        with unit(request) as session:
            hashes = []
            for upload in files:
                stored = evidence.store(
                    session, actor=actor, stream=upload.file, evidence_dir=config.evidence_dir,
                    max_bytes=config.evidence_max_bytes,
                )  # fmt: skip
                hashes.append({"sha256": stored.sha256, "media_type": stored.media_type})
            today = datetime.now(ZoneInfo(active_policy(session).policy.timezone)).date().isoformat()
            record = record_of(form, hashes, today)
            flows.ingest(session, actor=actor, items=[(0, record)], source=actor.source)
    except SocialCreditError as problem:
        values = {key: str(form.get(key, "")) for key in ("subject", "rule", "occurred_on", "points", "reason")}
        return _form(request, actor, status=problem.status, error=problem.message,
                     details=detail_lines(problem.details), form=values)  # fmt: skip
    refresh_later(request, tasks)
    return see_other(f"/assessor?done={record['id']}")
