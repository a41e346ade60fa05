"""Public pages: the legally public lists (search by name, code or masked number) and certificate verification.

Entries come from the platform's public list service (organisations by name and code; persons only with
the court list's fields); verification uses this platform's published keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from socialcredit.api.deps import reading, settings
from socialcredit.errors import SocialCreditError
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.lists import public
from socialcredit.web.guard import allow
from socialcredit.web.render import page

router = APIRouter(include_in_schema=False)
SHOWN = 100


def matches(entry: dict[str, Any], needle: str) -> bool:
    text = needle.strip().upper()
    fields = (entry.get("name") or "", entry.get("code") or "", entry.get("id_number") or "")
    return not text or any(text in value.upper() for value in fields)


@router.get("/public/lists", response_class=HTMLResponse)
def public_lists(request: Request, q: str = "", list_id: str = Query("", alias="list")) -> HTMLResponse:
    allow(request, "lists.public")
    with reading(request) as session:
        policy = active_policy(session)
        lists = public.public_lists(policy)
        chosen = next((d for d in lists if d.id == list_id), lists[0] if lists else None)
        found: list[dict[str, Any]] = []
        if chosen is not None:
            today = datetime.now(ZoneInfo(policy.policy.timezone)).date()
            found = [e for e in public.entries(session, policy=policy, list_id=chosen.id, today=today) if matches(e, q)]
    return page(
        request, "public_lists.html", partial="entries", lists=lists, chosen=chosen, q=q, entries=found[:SHOWN],
        total=len(found),
    )  # fmt: skip


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request) -> HTMLResponse:
    allow(request, "certificates.verify")
    return page(request, "verify.html", payload="", result=None)


@router.post("/verify", response_class=HTMLResponse)
def verify(request: Request, payload: str = Form("")) -> HTMLResponse:
    """Verify a scanned payload (the QR code's text) offline against this platform's public keys."""
    from socialcredit.reports.certificate import verify_payload
    from socialcredit.reports.signing import load_public_keys

    allow(request, "certificates.verify")
    try:
        contents = verify_payload(payload.strip(), load_public_keys(settings(request).keys_dir))
        result: dict[str, Any] = {"valid": True, "contents": contents}
    except SocialCreditError as problem:
        result = {"valid": False, "code": problem.code, "message": problem.message}
    return page(request, "verify.html", payload=payload, result=result)
