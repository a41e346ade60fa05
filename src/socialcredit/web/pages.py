"""Shared page helpers: error pages for refused access and domain errors, redirects after a post."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from socialcredit.errors import SocialCreditError
from socialcredit.web.guard import PageDenied
from socialcredit.web.i18n import Translator
from socialcredit.web.render import language, page


def detail_lines(details: Any) -> list[str]:
    """An error's details as lines a person can read (``field: reason``)."""
    if not details:
        return []
    if isinstance(details, dict):
        details = [details]
    lines = []
    for item in details if isinstance(details, list) else [details]:
        if isinstance(item, dict):
            where = item.get("field") or item.get("index")
            lines.append(f"{where}: {item.get('reason', '')}" if where is not None else str(item))
        else:
            lines.append(str(item))
    return lines


def error_page(request: Request, error: SocialCreditError, *, back: str | None = None) -> HTMLResponse:
    _ = Translator(language(request))
    return page(
        request,
        "error.html",
        status=error.status,
        title=_("error.title"),
        message=error.message,
        details=detail_lines(error.details),
        back=back,
    )


def denied(request: Request, exc: Exception) -> Response:
    """PageDenied: to the login page when nobody is logged in, else a 403 page with the reason."""
    assert isinstance(exc, PageDenied)
    if exc.decision.status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    _ = Translator(language(request))
    return page(request, "error.html", status=403, title=_("error.forbidden"), message=exc.decision.reason, details=[])


def see_other(path: str) -> RedirectResponse:
    """The answer to a successful form post: go and look (POST → redirect → GET)."""
    return RedirectResponse(path, status_code=303)


async def not_found_or_api(request: Request, exc: Exception) -> Response:
    """Browsers asking for a page that does not exist get an HTML page; everything else keeps the API's body."""
    from starlette.exceptions import HTTPException

    from socialcredit.api.errors import HANDLERS

    assert isinstance(exc, HTTPException)
    wants_html = "text/html" in request.headers.get("accept", "")
    if exc.status_code == 404 and wants_html and not request.url.path.startswith("/api/"):
        _ = Translator(language(request))
        return page(request, "error.html", status=404, title=_("error.not_found"), message=request.url.path, details=[])
    response: Response = await HANDLERS[HTTPException](request, exc)
    return response
