"""Administration and audit pages: sources, users, keys, handbook versions with a readable diff; the audit
chain's status and its latest entries."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from socialcredit.api.deps import reading
from socialcredit.errors import NotFound
from socialcredit.platform.audit import service as audit
from socialcredit.platform.audit.verify import verify
from socialcredit.platform.handbooks.service import active_version, policy_of
from socialcredit.platform.sources.service import list_sources
from socialcredit.policy.diff import diff_policies
from socialcredit.web import queries
from socialcredit.web.guard import require
from socialcredit.web.pages import error_page
from socialcredit.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request) -> HTMLResponse:
    require(request, "admin.read")
    with reading(request) as session:
        sources = list_sources(session)
        users = queries.users(session)
        keys = queries.keys(session)
        versions = queries.handbook_versions(session)
    return page(request, "admin.html", sources=sources, users=users, keys=keys, versions=versions)


@router.get("/admin/handbooks/{pk}", response_class=HTMLResponse)
def handbook_diff(request: Request, pk: int, against: int | None = None) -> HTMLResponse:
    """A stored handbook version against the active one (or ``against``): what a change would do."""
    require(request, "admin.read")
    with reading(request) as session:
        version = queries.handbook_text(session, pk=pk)
        other = queries.handbook_text(session, pk=against) if against else active_version(session)
        if version is None or other is None:
            return error_page(request, NotFound(f"no handbook version {pk if version is None else against}"))
        difference = diff_policies(policy_of(other), policy_of(version)).as_json()
        versions = queries.handbook_versions(session)
    return page(request, "handbook_diff.html", diff=difference, version=version, other=other, versions=versions)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request) -> HTMLResponse:
    require(request, "audit.read")
    with reading(request) as session:
        verdict = verify(session)
        head = verdict.entries
        latest = audit.entries(session, after=max(head - 25, 0), limit=25)
    return page(request, "audit.html", verdict=verdict, latest=list(reversed(latest)))
