"""Dependencies: the database, who is asking (bearer key or session), and whether they may (``access``).

A route names its action with ``**guard("action")``; :func:`authorized` reads it from the matched route
and asks :func:`socialcredit.access.decide`. A route without an action fails closed.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy.orm import Session

from socialcredit.access import Actor, decide
from socialcredit.db.connect import Database
from socialcredit.db.engine import transaction
from socialcredit.errors import Forbidden, IdentifierError, NotFound, SocialCreditError, Unauthorized
from socialcredit.platform.flows import refresh_standings
from socialcredit.platform.subjects.service import resolve
from socialcredit.platform.users import service as users
from socialcredit.settings import Settings

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "X-CSRF-Token"


def guard(action: str) -> dict[str, Any]:
    """Route keyword arguments that name the route's action (shown in OpenAPI as ``x-action``)."""
    return {"openapi_extra": {"x-action": action}}


def database(request: Request) -> Database:
    db: Database = request.app.state.database
    return db


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


@contextmanager
def unit(request: Request) -> Iterator[Session]:
    """The request's unit of work: commits once at the end, rolls back on any error."""
    with transaction(database(request).sessions) as session:
        yield session


@contextmanager
def reading(request: Request) -> Iterator[Session]:
    """A read-only unit (never queues behind writers)."""
    with transaction(database(request).readers) as session:
        yield session


def refresh_later(request: Request, tasks: BackgroundTasks) -> None:
    """After this request's write commits, refresh the standings it queued (unless a worker does it)."""
    if request.app.state.refresh == "request":
        tasks.add_task(refresh_standings, database(request).sessions)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_actor(request: Request) -> Actor | None:
    """The actor of the bearer key, or of the logged-in session; None for nobody. A bad key is 401."""
    token = _bearer(request)
    with reading(request) as session:
        if token is not None:
            actor = users.key_actor(session, token=token)
            if actor is None:
                raise Unauthorized("unknown or revoked API key")
            return actor
        pk = request.session.get("user") if "session" in request.scope else None
        user = users.get_user(session, pk=int(pk)) if pk is not None else None
    if user is None:
        return None
    if request.method in UNSAFE:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return users.user_actor(user)


def check_csrf(request: Request, token: str | None) -> None:
    """Unsafe requests made with a session cookie must echo the session's CSRF token."""
    expected = request.session.get("csrf")
    if not expected or not token or not hmac.compare_digest(str(expected), token):
        raise Forbidden(f"missing or wrong CSRF token (send the {CSRF_HEADER} header from GET /api/v1/me)")


def _subject_of(request: Request) -> str | None:
    raw = request.path_params.get("subject")
    if raw is None:
        return None
    try:
        with reading(request) as session:
            return resolve(session, raw)
    except (IdentifierError, NotFound):
        return raw


def authorized(request: Request, actor: Annotated[Actor | None, Depends(current_actor)]) -> Actor | None:
    """Enforce the route's action for this actor; returns the actor (None on public routes)."""
    route = request.scope.get("route")
    action = (getattr(route, "openapi_extra", None) or {}).get("x-action")
    if not action:
        raise SocialCreditError(f"route {request.url.path} names no access action")
    decision = decide(actor, action, subject=_subject_of(request))
    if not decision.allowed:
        raise (Unauthorized if decision.status == 401 else Forbidden)(decision.reason, details={"action": action})
    return actor


def required(actor: Actor | None) -> Actor:
    """The actor of a non-public route (never None once :func:`authorized` allowed it)."""
    if actor is None:
        raise Unauthorized("log in or send an API key")
    return actor


Allowed = Annotated[Actor | None, Depends(authorized)]
