"""The review committee's page: the queue of pending reports with their evidence, approve or reject.

The queue and the decision are the platform's (``review.queue``, ``flows.decide``): four eyes, the rule's
evidence requirement and a reason for a rejection are enforced there, and shown here when refused.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, Response

from socialcredit.api.deps import reading, refresh_later, settings, unit
from socialcredit.errors import SocialCreditError
from socialcredit.platform import flows
from socialcredit.platform.cycle.service import calendar
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.records.store import evidence_text
from socialcredit.platform.review import service as review
from socialcredit.web.guard import check_form, require
from socialcredit.web.pages import see_other
from socialcredit.web.render import page

router = APIRouter(include_in_schema=False)
PAGE = 20


@router.get("/review", response_class=HTMLResponse)
def queue(request: Request, after: int = 0) -> HTMLResponse:
    """Pending reports, oldest first, a page at a time, with the month's committee calendar."""
    require(request, "review.read")
    with reading(request) as session:
        policy = active_policy(session)
        month = datetime.now(ZoneInfo(policy.policy.timezone)).strftime("%Y-%m")
        items = review.queue(session, limit=PAGE, after=after)
        rows = [
            {
                "item": item,
                "rule": policy.rule(item.record.rule or ""),
                "evidence": json.loads(evidence_text(item.record.evidence) or "[]"),
                "problem": review.evidence_problem(item.record, policy),
                "earlier": item.record.occurred_on.strftime("%Y-%m") < month,
            }
            for item in items
        ]
    return page(
        request,
        "review.html",
        partial="items",
        rows=rows,
        cycle=calendar(settings(request), month),
        next_after=items[-1].position if len(items) == PAGE else None,
    )


@router.post("/review/{source}/{record_id}", response_class=HTMLResponse)
def decide(
    request: Request,
    tasks: BackgroundTasks,
    source: str,
    record_id: str,
    decision: str = Form(...),
    reason: str = Form(""),
    position: int = Form(0),
    csrf_token: str = Form(""),
) -> Response:
    """Approve or reject one report; htmx swaps the item for the outcome, a plain post goes back to the queue."""
    check_form(request, csrf_token)
    actor = require(request, "review.decide")
    outcome, error = None, None
    try:
        with unit(request) as session:
            outcome = flows.decide(
                session, actor=actor, source=source, record_id=record_id, decision=decision, reason=reason or None
            )
    except SocialCreditError as problem:
        error = problem.message
    if outcome is not None:
        refresh_later(request, tasks)
    if request.headers.get("hx-request") != "true":
        return (
            see_other("/review")
            if error is None
            else page(request, "error.html", status=422, title="", message=error, details=[], back="/review")
        )
    response = page(request, "review_outcome.html", record_id=record_id, outcome=outcome, error=error)
    if outcome is not None:  # the item leaves the queue; an error only fills the item's message area
        response.headers["HX-Retarget"] = f"#item-{position}"
        response.headers["HX-Reswap"] = "outerHTML"
    return response
