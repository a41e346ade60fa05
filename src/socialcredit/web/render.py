"""Rendering pages: one Jinja2 environment over the package's templates, and the context every page gets.

Every page gets ``_`` (the translator), ``lang``, ``actor``, ``csrf`` (the session's token for forms),
``nav`` (the links this user may follow, decided by ``access``) and ``path``. A request made by htmx
(``HX-Request``) renders only the template's ``content`` block when ``partial`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from socialcredit.api.auth import csrf_token
from socialcredit.web import filters
from socialcredit.web.guard import actor_of, may
from socialcredit.web.i18n import COOKIE, HTML_LANG, LANGUAGES, Translator, pick_language


@dataclass(frozen=True, slots=True)
class NavItem:
    path: str
    label: str  # message key
    action: str
    own: bool = False  # about the user's own subject (the portal)


NAV = (
    NavItem("/dashboard", "nav.dashboard", "dashboard.read"),
    NavItem("/clerk", "nav.clerk", "subject.read"),
    NavItem("/assessor", "nav.assessor", "records.ingest"),
    NavItem("/review", "nav.review", "review.read"),
    NavItem("/me", "nav.me", "standing.read", own=True),
    NavItem("/checks", "nav.checks", "checks.run"),
    NavItem("/source", "nav.source", "objections.decide"),
    NavItem("/admin", "nav.admin", "admin.read"),
    NavItem("/audit", "nav.audit", "audit.read"),
)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("socialcredit.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters.FILTERS)
    return env


def language(request: Request) -> str:
    return pick_language(request.cookies.get(COOKIE), request.headers.get("accept-language"))


def nav_for(request: Request) -> list[NavItem]:
    """The role pages this user may open (public pages are always linked in the footer)."""
    actor = actor_of(request)
    if actor is None:
        return []
    items = []
    for item in NAV:
        if item.own and actor.subject is None:
            continue
        try:
            allowed = may(request, item.action, subject=actor.subject if item.own else None)
        except ValueError:  # an action another part of the platform has not added yet
            allowed = False
        if allowed:
            items.append(item)
    return items


def context(request: Request, **values: Any) -> dict[str, Any]:
    lang = language(request)
    base = {
        "request": request,
        "_": Translator(lang),
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "languages": LANGUAGES,
        "actor": actor_of(request),
        "csrf": csrf_token(request),
        "nav": nav_for(request),
        "path": request.url.path,
        "full_path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    base.update(values)
    return base


def page(
    request: Request, template: str, *, status: int = 200, partial: str | None = None, **values: Any
) -> HTMLResponse:
    """Render ``template`` (or its ``partial`` block for htmx requests) as an HTML response."""
    env = environment()
    tmpl = env.get_template(template)
    ctx = context(request, **values)
    if partial and request.headers.get("hx-request") == "true":
        block = tmpl.blocks[partial]
        html = "".join(block(tmpl.new_context(ctx)))
    else:
        html = tmpl.render(ctx)
    return HTMLResponse(html, status_code=status, headers={"Vary": "Cookie, Accept-Language, HX-Request"})
