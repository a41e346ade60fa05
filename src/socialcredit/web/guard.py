"""Who is looking at a page, and whether they may: the session's user, asked of :func:`socialcredit.access.decide`.

Pages never decide access themselves: each names an action of ``access.MATRIX`` (and the subject it is
about), exactly like the API routes. Unsafe requests (form posts) must carry the session's CSRF token,
checked by the platform's :func:`socialcredit.api.deps.check_csrf`.
"""

from __future__ import annotations

from fastapi import Request

from socialcredit.access import Actor, Decision, decide
from socialcredit.api.deps import check_csrf, reading
from socialcredit.platform.users import service as users

_MISSING = object()


class PageDenied(Exception):
    """A page refused: 401 sends the browser to ``/login``, 403 shows the reason."""

    def __init__(self, decision: Decision, action: str) -> None:
        super().__init__(decision.reason)
        self.decision = decision
        self.action = action


def actor_of(request: Request) -> Actor | None:
    """The logged-in user as an actor, or None (cached on the request)."""
    cached = getattr(request.state, "web_actor", _MISSING)
    if cached is not _MISSING:
        return cached  # type: ignore[return-value]
    pk = request.session.get("user")
    actor = None
    if pk is not None:
        with reading(request) as session:
            user = users.get_user(session, pk=int(pk))
            actor = users.user_actor(user) if user is not None else None
    request.state.web_actor = actor
    return actor


def may(request: Request, action: str, *, subject: str | None = None) -> bool:
    """Whether the current user may do ``action`` (for showing links and buttons)."""
    return decide(actor_of(request), action, subject=subject).allowed


def allow(request: Request, action: str, *, subject: str | None = None) -> Actor | None:
    """The current actor when ``action`` is allowed; PageDenied otherwise."""
    actor = actor_of(request)
    decision = decide(actor, action, subject=subject)
    if not decision.allowed:
        raise PageDenied(decision, action)
    return actor


def require(request: Request, action: str, *, subject: str | None = None) -> Actor:
    """Like :func:`allow`, for actions that need someone logged in."""
    actor = allow(request, action, subject=subject)
    if actor is None:
        raise PageDenied(Decision(False, f"{action} needs you to log in", 401), action)
    return actor


def check_form(request: Request, token: str | None) -> None:
    """A form post must echo the session's CSRF token (Forbidden otherwise)."""
    check_csrf(request, token)
