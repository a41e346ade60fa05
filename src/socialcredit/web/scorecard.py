"""The scorecard page (``/me/scorecard``): a subject enters its features and sees its score, band, the four
reasons in plain sentences with what would improve each, and the smallest change to the next band.

Scoring goes through the API's :func:`socialcredit.api.routes.scorecard.score_subject` (same consent rule,
same model); nothing is stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from socialcredit.api.routes.scorecard import ConsentRequired, characteristics, score_subject, scorecard_of
from socialcredit.errors import SocialCreditError
from socialcredit.web.guard import check_form
from socialcredit.web.pages import error_page
from socialcredit.web.portal import me
from socialcredit.web.render import page

router = APIRouter(include_in_schema=False)


def _page(request: Request, values: dict[str, str], **extra: Any) -> HTMLResponse:
    try:
        fields = characteristics(scorecard_of(request))
    except SocialCreditError as problem:
        return error_page(request, problem, back="/me")
    return page(request, "scorecard.html", fields=fields, values=values, **extra)


@router.get("/me/scorecard", response_class=HTMLResponse)
def scorecard_form(request: Request) -> HTMLResponse:
    """The form: one field per characteristic of the model."""
    me(request, "scorecard.score")
    return _page(request, {})


@router.post("/me/scorecard", response_class=HTMLResponse)
async def scorecard_score(request: Request) -> HTMLResponse:
    """Score the submitted features and explain the score (the form stays filled in)."""
    form = await request.form()
    check_form(request, str(form.get("csrf_token", "")))
    actor, subject = me(request, "scorecard.score")
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    try:
        result = score_subject(request, actor, subject, dict(values))
    except ConsentRequired:
        return _page(request, values, status=409, consent_needed=True)
    except SocialCreditError as problem:
        return _page(request, values, status=problem.status, error=problem.message, details=problem.details)
    return _page(request, values, result=result)
