"""Public pages and the frame: landing (``/``), language switch, the login page, certificate verification."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from socialcredit.web.guard import actor_of
from socialcredit.web.i18n import COOKIE, LANGUAGES
from socialcredit.web.render import page

router = APIRouter(include_in_schema=False)

HOME = {
    "admin": "/dashboard",
    "clerk": "/clerk",
    "assessor": "/assessor",
    "reviewer": "/review",
    "subject": "/me",
    "relying-party": "/checks",
    "auditor": "/audit",
    "source": "/source",
}


def local(target: str | None, default: str = "/") -> str:
    """Only paths on this site (no scheme, no host, no ``//``)."""
    if not target:
        return default
    parts = urlsplit(target)
    ok = target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme
    return target if ok else default


@router.get("/", response_class=HTMLResponse)
def landing(request: Request) -> Response:
    """Logged in: the user's main page; otherwise what the platform is and the public pages."""
    actor = actor_of(request)
    if actor is not None and actor.role in HOME:
        return RedirectResponse(HOME[actor.role], status_code=303)
    return page(request, "landing.html")


@router.get("/lang")
def switch_language(request: Request, set: str = "zh", next: str = "/") -> RedirectResponse:
    """Remember the language in a cookie (a year) and go back."""
    response = RedirectResponse(local(next), status_code=303)
    if set in LANGUAGES:
        response.set_cookie(COOKIE, set, max_age=365 * 24 * 3600, samesite="lax")
    return response


def login_page(request: Request, *, next: str, error: str | None) -> HTMLResponse:
    """The login form of the platform's ``/login`` (it checks the password and the CSRF token)."""
    target = local(next)
    if target.startswith("/api/"):
        target = "/"
    return page(request, "login.html", status=401 if error else 200, next=target, error=error)
