"""What-if for handbooks: a candidate handbook (uploaded, not stored) against the active one — its readable
diff, and a simulation over the platform's live records (``socialcredit.simulate``), for administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.api.deps import reading
from socialcredit.db.base import utcnow
from socialcredit.errors import InvalidInput, SocialCreditError
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.records.service import records_of
from socialcredit.platform.standings.service import today
from socialcredit.platform.subjects.models import Subject
from socialcredit.platform.subjects.service import consents_at
from socialcredit.policy import parse_policy
from socialcredit.policy.diff import diff_policies
from socialcredit.policy.model import Policy
from socialcredit.web.guard import check_form, require
from socialcredit.web.render import page

router = APIRouter(include_in_schema=False)
MAX_BYTES = 2 * 1024 * 1024


@router.get("/admin/handbooks/compare", response_class=HTMLResponse)
def compare_form(request: Request) -> HTMLResponse:
    require(request, "admin.read")
    return page(request, "handbook_compare.html", error=None)


def simulation_html(session: Session, baseline: Policy, candidate: Policy, now: datetime) -> Markup:
    """The simulator's report of ``candidate`` against ``baseline`` over every record on the platform now."""
    import polars as pl

    from socialcredit.simulate import Population, simulate
    from socialcredit.simulate.html import render_simulation_html

    subjects = list(session.execute(select(Subject.national_id, Subject.village)))
    ids = [subject for subject, _ in subjects]
    records = [record for found in records_of(session, ids, known_at=now).values() for record in found]
    consents = frozenset(s for s, given in consents_at(session, ids, now).items() if given)
    places = pl.DataFrame({"subject": ids, "village": [village for _, village in subjects]})
    report: dict[str, Any] = simulate(
        Population.from_records(records, consents=consents), baseline, candidate, as_of=today(baseline, now),
        known_at=now, places=places,
    )  # fmt: skip
    return Markup(render_simulation_html(report, fragment=True))


@router.post("/admin/handbooks/compare", response_class=HTMLResponse)
async def compare(request: Request, file: UploadFile, run: str = Form(""), csrf_token: str = Form("")) -> HTMLResponse:
    """The diff of an uploaded handbook against the active one; with ``run``, its simulation too."""
    from starlette.concurrency import run_in_threadpool

    check_form(request, csrf_token)
    require(request, "admin.read")
    data = await file.read(MAX_BYTES + 1)

    def work() -> dict[str, Any]:
        if len(data) > MAX_BYTES:
            raise InvalidInput(f"file: a handbook is at most {MAX_BYTES} bytes", details=[{"field": "file"}])
        candidate = parse_policy(data.decode("utf-8", errors="replace"), source=file.filename or "<upload>")
        with reading(request) as session:
            baseline = active_policy(session)
            result: dict[str, Any] = {"diff": diff_policies(baseline, candidate).as_json(), "simulation": None}
            if run:
                result["simulation"] = simulation_html(session, baseline, candidate, utcnow())
        return result

    try:
        result = await run_in_threadpool(work)
    except SocialCreditError as problem:
        details = problem.details if isinstance(problem.details, list) else []
        return page(request, "handbook_compare.html", status=problem.status, error=problem.message, details=details)
    return page(request, "handbook_compare.html", error=None, **result)
