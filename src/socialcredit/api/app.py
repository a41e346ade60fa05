"""The application factory: ``create_app(settings)`` → a FastAPI app serving ``/api/v1`` and ``/login``."""

from __future__ import annotations

import contextlib
import gc
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import APIRouter, FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp

from socialcredit import __version__, web
from socialcredit.api import auth, errors
from socialcredit.api.routes import checks, evidence, lists, meta, records, review, rights, scorecard, subjects
from socialcredit.api.routes.checks_asgi import FastChecks
from socialcredit.db.connect import Database, open_database
from socialcredit.platform.handbooks.service import NoActiveHandbook
from socialcredit.settings import Settings

PREFIX = "/api/v1"
# A server process's log writer thread holds the database's write lock while it commits; a short switch
# interval lets it finish while the event loop is busy (Python's default, 5 ms, made checks wait in line).
SWITCH_INTERVAL_SECONDS = 0.0005
SESSION_COOKIE = "socialcredit_session"


def create_app(
    settings: Settings,
    *,
    migrate: bool = False,
    database: Database | None = None,
    refresh: Literal["request", "worker"] = "request",
) -> FastAPI:
    """Build the app on ``settings.database_url`` (migrated first when ``migrate``) or on ``database``.

    ``refresh``: who refreshes the current standings a write queued: the request, right after its response
    (``request``), or a separate worker process (``worker``, what ``socialcredit serve`` runs).
    """
    app = FastAPI(
        title="socialcredit",
        version=__version__,
        description="An open, auditable credit information platform. Errors: "
        '`{"error": {"code", "message", "details"}}`. Machines send `Authorization: Bearer <key>`; people log '
        "in at `/login` and echo the `X-CSRF-Token` of `GET /api/v1/me` on unsafe requests.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.refresh = refresh
    app.state.database = database or open_database(settings, migrate=migrate)
    secret = settings.secret_key or secrets.token_urlsafe(32)
    app.add_middleware(
        SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE, same_site="lax", max_age=12 * 3600
    )
    errors.install(app)
    api = APIRouter(prefix=PREFIX)
    for module in (meta, records, evidence, review, subjects, checks, lists, rights, scorecard):
        api.include_router(module.router)
    checks.install(app)  # the check snapshot and log writer start and stop with the app
    app.include_router(api)
    app.include_router(auth.router)
    web.install(app)  # the web application's pages and /static
    return app


def served_app() -> ASGIApp:
    """The app of one of ``socialcredit serve --workers N``'s processes (settings from the environment;
    the database was migrated before the processes started)."""
    from socialcredit.settings import load_settings

    return tune_for_serving(create_app(load_settings(), refresh="worker"))


def tune_for_serving(app: FastAPI) -> ASGIApp:
    """``app`` as a server process runs it (``socialcredit serve``), not as a test or a script imports it.

    - Keyed checks are answered at the very edge (:class:`FastChecks` in front of the framework's own
      middleware, where it also sits for everything else), saving a tenth of a check's work.
    - A short thread switch interval (see :data:`SWITCH_INTERVAL_SECONDS`).
    - Once started, with the check snapshot loaded, everything alive is moved out of the garbage collector's
      sight (``gc.freeze``): a full collection over a large snapshot paused the server for a quarter of a
      second, for no garbage.
    """
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with previous(app) as state:
            with contextlib.suppress(NoActiveHandbook):  # none yet: the first check loads it
                app.state.checks.snapshot()
            gc.collect()
            gc.freeze()
            yield state

    app.router.lifespan_context = lifespan
    return FastChecks(app, state=app.state)
