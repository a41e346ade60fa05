"""One exception tree for the whole project.

Every error carries an HTTP status and a stable ``code``; the API renders them as
``{"error": {"code", "message", "details"}}`` and the CLI prints the message and exits 2.
"""

from __future__ import annotations

from typing import Any


class SocialCreditError(Exception):
    """Base of every error the project raises on purpose."""

    status: int = 500
    code: str = "internal"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        """The one error body, shared by API and CLI (``--format json``)."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class UserError(SocialCreditError):
    """Something the caller sent or asked for is wrong; nothing was changed."""

    status = 400
    code = "bad-request"


class InvalidInput(UserError):
    """Input failed validation; ``details`` lists the problems (field, line/index, reason)."""

    status = 422
    code = "invalid"


class IdentifierError(InvalidInput):
    """A national identifier (resident identity number, USCC, passport) is malformed."""

    code = "invalid-identifier"


class PolicyError(InvalidInput):
    """A handbook failed to load; ``details`` is the list of ``path: reason`` problems."""

    code = "invalid-policy"


class RefusedByDesign(PolicyError):
    """A handbook asks for something the system refuses (a banned category, measures on others)."""

    code = "refused-by-design"


class RecordError(InvalidInput):
    """One or more records are invalid; ``details`` lists ``{"line"|"index", "field", "reason"}``."""

    code = "invalid-records"


class NotFound(UserError):
    status = 404
    code = "not-found"


class Conflict(UserError):
    """The same key was sent with different content, or a state transition is not allowed."""

    status = 409
    code = "conflict"


class Unauthorized(UserError):
    status = 401
    code = "unauthorized"


class Forbidden(UserError):
    status = 403
    code = "forbidden"
