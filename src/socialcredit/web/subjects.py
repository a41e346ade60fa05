"""The clerk's pages: search by identifier or name, a subject's standing explained, report and certificate.

The standing is always evaluated from the records (``standings.compute``), never read from a cache; the
report and the certificate are rendered by :mod:`socialcredit.reports` from that standing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from socialcredit.api.deps import reading, settings, unit
from socialcredit.db.base import utcnow
from socialcredit.errors import IdentifierError, NotFound, SocialCreditError
from socialcredit.platform.audit import service as audit
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.records.service import records_of
from socialcredit.platform.standings import service as standings
from socialcredit.platform.subjects import service as subjects
from socialcredit.web import queries
from socialcredit.web.guard import allow, check_form, may, require
from socialcredit.web.pages import error_page, see_other
from socialcredit.web.render import page
from socialcredit.web.standing_view import StandingView, build

router = APIRouter(include_in_schema=False)


def looks_like_identifier(text: str) -> bool:
    value = text.strip().upper()
    return len(value) == 18 or (len(value) >= 5 and value[0].isalpha() and any(ch.isdigit() for ch in value))


@router.get("/clerk", response_class=HTMLResponse)
def clerk(request: Request, q: str = "") -> Response:
    """Search: an identifier (or passport) goes straight to the subject; a name lists the matches."""
    require(request, "subject.read")
    found: list[queries.Found] = []
    error = None
    if q.strip() and looks_like_identifier(q):
        try:
            with reading(request) as session:
                national_id = subjects.get(session, identifier=q).national_id
            if request.headers.get("hx-request") != "true":
                return see_other(f"/subjects/{national_id}")
        except (IdentifierError, NotFound) as problem:
            error = problem.message
    if q.strip() and error is None:
        with reading(request) as session:
            found = queries.search_subjects(session, text=q)
    return page(request, "clerk.html", partial="results", q=q, found=found, error=error)


def subject_view(session: Session, national_id: str) -> tuple[Any, StandingView]:
    """The subject's row and its standing today, as known now, with the records behind it."""
    subject = subjects.get(session, identifier=national_id)
    policy = active_policy(session)
    now = utcnow()
    standing = standings.compute(session, national_id=subject.national_id, policy=policy, known_at=now)
    records = records_of(session, [subject.national_id], known_at=now).get(subject.national_id, [])
    return subject, build(standing, policy, records)


@router.get("/subjects/{subject}", response_class=HTMLResponse)
def subject_page(request: Request, subject: str) -> Response:
    """A subject's standing with its explanation (clerk, auditor, admin; a subject for itself)."""
    with reading(request) as session:
        try:
            national_id = subjects.resolve(session, subject)
        except SocialCreditError as problem:
            require(request, "subject.read")
            return error_page(request, problem, back="/clerk")
        require(request, "standing.read", subject=national_id)
        try:
            row, view = subject_view(session, national_id)
            aliases = subjects.aliases(session, national_id=national_id)
        except SocialCreditError as problem:
            return error_page(request, problem, back="/clerk")
    return page(
        request,
        "subject.html",
        subject=row,
        aliases=aliases,
        view=view,
        can_certify=may(request, "certificate.issue", subject=national_id),
    )


def _standing_json(request: Request, national_id: str) -> tuple[dict[str, Any], str | None, Any]:
    with reading(request) as session:
        subject, view = subject_view(session, national_id)
        return view.standing.as_json(), subject.name, active_policy(session)


@router.post("/subjects/{subject}/report")
def report(request: Request, subject: str, csrf_token: str = Form("")) -> Response:
    """The credit report of the standing now, as a PDF download."""
    from socialcredit.reports import notes_from_policy, render_report

    check_form(request, csrf_token)
    allow(request, "standing.read", subject=subject)
    try:
        standing, name, policy = _standing_json(request, subject)
        with tempfile.TemporaryDirectory() as folder:
            out = render_report(
                standing, out=Path(folder) / "report.pdf", subject_name=name, notes=notes_from_policy(policy)
            )
            data = out.read_bytes()
    except SocialCreditError as problem:
        return error_page(request, problem, back=f"/subjects/{subject}")
    return _pdf(data, f"credit-report-{subject}.pdf")


@router.post("/subjects/{subject}/certificate")
def certificate(request: Request, subject: str, csrf_token: str = Form("")) -> Response:
    """A signed certificate of the standing today (PDF with the QR payload); the issue is audited."""
    from socialcredit.reports import issue_certificate

    check_form(request, csrf_token)
    actor = require(request, "certificate.issue", subject=subject)
    try:
        with unit(request) as session, tempfile.TemporaryDirectory() as folder:
            policy = active_policy(session)
            found = subjects.get(session, identifier=subject)
            day = standings.today(policy)
            standing = standings.compute(session, national_id=found.national_id, policy=policy, as_of=day)
            out, _payload = issue_certificate(
                standing.as_json(), subject_name=found.name, keys_dir=settings(request).keys_dir,
                out=Path(folder) / "certificate.pdf", today=day,
            )  # fmt: skip
            data = out.read_bytes()
            audit.log(
                session, actor=actor.id, action="certificate.issue", object=f"subject:{found.national_id}",
                payload={"grade": standing.grade, "valid_days": 365, "policy": policy.hash},
            )  # fmt: skip
    except SocialCreditError as problem:
        return error_page(request, problem, back=f"/subjects/{subject}")
    return _pdf(data, f"credit-certificate-{subject}.pdf")


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
