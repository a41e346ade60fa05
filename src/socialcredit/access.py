"""Who may do what: the one place access is decided (role × action), as a pure function with a reason.

Every API route names its action; :func:`decide` answers for an actor (or nobody), and the answer says
why. ``MATRIX`` is the whole policy: read it to know who can do anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ROLES = ("admin", "clerk", "assessor", "reviewer", "source", "relying-party", "auditor", "subject")
PUBLIC = "public"  # anyone, even without logging in
ANYONE = "anyone"  # any authenticated actor
OWN = "own"  # a subject, about itself

Audience = frozenset[str]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a logged-in user, an API key, or the operator at the command line."""

    kind: Literal["user", "key", "cli"]
    name: str
    role: str
    subject: str | None = None
    source: str | None = None
    services: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        """How the audit log and the records name this actor (``user:alice``, ``key:court``)."""
        return f"{self.kind}:{self.name}"


def _roles(*names: str) -> Audience:
    unknown = [name for name in names if name not in (*ROLES, PUBLIC, ANYONE, OWN)]
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    return frozenset(names)


MATRIX: dict[str, Audience] = {
    "handbook.read": _roles(PUBLIC),
    "me.read": _roles(ANYONE),
    "records.ingest": _roles("source", "assessor"),
    "records.read": _roles("clerk", "auditor", "admin", "reviewer"),
    "evidence.upload": _roles("source", "assessor"),
    "evidence.read": _roles("clerk", "auditor", "admin", "reviewer", "assessor", OWN),
    "review.read": _roles("reviewer"),
    "review.decide": _roles("reviewer"),
    "subject.read": _roles("clerk", "auditor", "admin", OWN),
    "subject.update": _roles("clerk", "admin"),
    "subject.consent": _roles("clerk", "admin", OWN),
    "standing.read": _roles("clerk", "auditor", "admin", OWN),
    "audit.read": _roles("auditor", "admin"),
    # Lists, checks and rights (issue 5). Ownership of records, objections and repairs is checked by the services.
    "lists.read": _roles("clerk", "auditor", "admin"),
    "lists.public": _roles(PUBLIC),
    "checks.run": _roles("relying-party"),
    "checks.bulk": _roles("relying-party"),
    "inquiries.read": _roles("clerk", "auditor", "admin", OWN),
    "rights.read": _roles("clerk", "auditor", "admin", OWN),
    "objections.create": _roles("clerk", "admin", "subject"),
    "objections.read": _roles("clerk", "auditor", "admin", "source", "subject"),
    "objections.decide": _roles("source"),
    "repairs.apply": _roles("clerk", "admin", "subject"),
    "repairs.read": _roles("clerk", "auditor", "admin", "source", "subject"),
    "repairs.decide": _roles("source"),
    "sharecodes.manage": _roles("subject"),
    "sharecodes.use": _roles(PUBLIC),
    "me.export": _roles("subject"),
    "keys.read": _roles(PUBLIC),
    "certificates.verify": _roles(PUBLIC),
    # Web pages (socialcredit.web): dashboards of aggregates, the administration pages, issuing certificates.
    "dashboard.read": _roles("admin", "clerk", "reviewer", "auditor"),
    "admin.read": _roles("admin"),
    "certificate.issue": _roles("clerk", "admin"),
    # The behavioural scorecard (issue 8): opt-in; a subject only itself (checked by the route), after consent.
    "scorecard.score": _roles("clerk", "subject"),
}


@dataclass(frozen=True, slots=True)
class Decision:
    """Allowed or not, and why (shown in 403 errors and on the explain page)."""

    allowed: bool
    reason: str
    status: int = 200


def decide(actor: Actor | None, action: str, *, subject: str | None = None) -> Decision:
    """May ``actor`` do ``action`` (about ``subject``, for actions a subject may do for itself)?"""
    try:
        audience = MATRIX[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}; add it to access.MATRIX") from None
    if PUBLIC in audience:
        return Decision(True, f"{action} is public")
    if actor is None:
        return Decision(False, f"{action} needs you to log in or send an API key", 401)
    if ANYONE in audience or actor.role in audience:
        return Decision(True, f"role {actor.role} may {action}")
    if OWN in audience and actor.role == "subject":
        if subject is not None and actor.subject == subject:
            return Decision(True, f"a subject may {action} about itself")
        return Decision(False, f"a subject may {action} only about itself", 403)
    allowed = ", ".join(sorted(role for role in audience if role in ROLES)) or "nobody"
    return Decision(False, f"role {actor.role} may not {action} (allowed: {allowed})", 403)
