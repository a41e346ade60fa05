"""The web application: server-rendered pages (Jinja2 + htmx) for every role, in Chinese and English.

:func:`install` adds the pages and the static files to the platform's FastAPI app. Pages are thin: they
ask :mod:`socialcredit.access` (through :mod:`socialcredit.web.guard`), call the platform's services and
render a template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def install(app: FastAPI) -> FastAPI:
    """Mount the web pages and ``/static`` on ``app`` (once; later calls do nothing)."""
    from fastapi.staticfiles import StaticFiles
    from starlette.exceptions import HTTPException

    from socialcredit.web import routes
    from socialcredit.web.guard import PageDenied
    from socialcredit.web.pages import denied, not_found_or_api
    from socialcredit.web.public import login_page

    if getattr(app.state, "web", False):
        return app
    app.state.web = True
    app.state.login_page = login_page
    app.mount("/static", StaticFiles(packages=[("socialcredit.web", "static")]), name="static")
    for router in routes.ROUTERS:
        app.include_router(router)
    app.add_exception_handler(PageDenied, denied)
    app.add_exception_handler(HTTPException, not_found_or_api)
    return app
