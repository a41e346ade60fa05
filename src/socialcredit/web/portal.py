"""The subject portal (``/me``): my points and grade, how far the next grade is, when it next changes, every
record with its evidence and rule; and my rights (who checked me, notices, objections, repair, share codes,
data copy) as the platform offers them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from socialcredit.api.deps import reading
from socialcredit.errors import SocialCreditError
from socialcredit.web.guard import PageDenied, require
from socialcredit.web.pages import error_page
from socialcredit.web.render import page
from socialcredit.web.subjects import subject_view

router = APIRouter(include_in_schema=False)


@router.get("/me", response_class=HTMLResponse)
def portal(request: Request) -> HTMLResponse:
    actor = require(request, "me.read")
    if actor.subject is None:
        from socialcredit.access import Decision

        raise PageDenied(Decision(False, "only a subject has a record of its own here", 403), "standing.read")
    require(request, "standing.read", subject=actor.subject)
    try:
        with reading(request) as session:
            subject, view = subject_view(session, actor.subject)
    except SocialCreditError as problem:
        return error_page(request, problem)
    return page(request, "portal.html", subject=subject, view=view, objectable=True)
