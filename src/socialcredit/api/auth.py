"""Session login for people: ``GET/POST /login`` (a CSRF-protected form) and ``POST /logout``.

Passwords are checked against argon2 hashes; the signed session cookie holds the user and a CSRF token
that every unsafe request made with the cookie must echo (form field ``csrf_token`` or ``X-CSRF-Token``).
"""

from __future__ import annotations

import html
import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from socialcredit.api.deps import check_csrf, unit
from socialcredit.errors import Unauthorized
from socialcredit.platform.audit import service as audit
from socialcredit.platform.users import service as users

router = APIRouter(include_in_schema=False)

FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in · socialcredit</title></head>
<body><main>
<h1>Log in</h1>{error}
<form method="post" action="/login">
<input type="hidden" name="csrf_token" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<p><label>Name <input name="name" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Log in</button></p>
</form>
</main></body></html>
"""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def _safe_next(target: str) -> str:
    """Only redirect within this site."""
    parts = urlsplit(target)
    return target if target.startswith("/") and not target.startswith("//") and not parts.netloc else "/api/v1/me"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/api/v1/me", error: str | None = None) -> HTMLResponse:
    custom = getattr(request.app.state, "login_page", None)  # the web application's page, when installed
    if custom is not None:
        response: HTMLResponse = custom(request, next=_safe_next(next), error=error)
        return response
    message = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    page = FORM.format(error=message, csrf=csrf_token(request), next=html.escape(_safe_next(next)))
    return HTMLResponse(page, status_code=401 if error else 200)


@router.post("/login")
def login(
    request: Request,
    name: str = Form(...),
    password: str = Form(...),
    csrf_token_field: str = Form("", alias="csrf_token"),
    next: str = Form("/api/v1/me"),
) -> Response:
    check_csrf(request, csrf_token_field)
    try:
        with unit(request) as session:
            user = users.authenticate(session, name=name, password=password)
            audit.log(session, actor=f"user:{user.name}", action="session.login", object=f"user:{user.name}")
    except Unauthorized:
        return login_form(request, next=next, error="Wrong name or password.")
    request.session.clear()
    request.session.update({"user": user.pk, "csrf": secrets.token_urlsafe(32)})
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token_field: str = Form("", alias="csrf_token")) -> RedirectResponse:
    check_csrf(request, csrf_token_field or request.headers.get("X-CSRF-Token"))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
