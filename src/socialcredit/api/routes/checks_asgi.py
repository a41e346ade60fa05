"""The hot path of ``POST /api/v1/checks``: a relying party's keyed checks, answered by a small ASGI layer in
front of the framework (no routing, sessions or dependency solving), at thousands per second.

Same contract as the route it shadows: the caller is decided by :func:`socialcredit.access.decide`, the body
is validated by the same model, errors have the one error body, and the answer comes from
:meth:`CheckService.check` (logged before it is answered). Requests without a bearer key (people logged in
with a session) go on to the framework's route unchanged.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from socialcredit.access import Actor, decide
from socialcredit.db.connect import Database
from socialcredit.db.engine import transaction
from socialcredit.errors import Forbidden, InvalidInput, SocialCreditError, Unauthorized
from socialcredit.platform.checks.runtime import CheckService
from socialcredit.platform.users import service as users
from socialcredit.platform.users.credentials import key_hash

log = logging.getLogger("socialcredit.checks")
PATH = "/api/v1/checks"
KEY_TTL_SECONDS = 1.0  # a revoked key stops checking within this long
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class CheckIn(BaseModel):
    subject: str = Field(description="National identifier, or a passport number linked to one.", max_length=64)
    service: str = Field(description="The service asked for, e.g. air-travel.", max_length=100)
    purpose: str = Field(description="Why you check, e.g. ticket-sale.", max_length=200)


class KeyCache:
    """Bearer key → actor, each kept for :data:`KEY_TTL_SECONDS` (one look-up a second per busy key)."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._cache: dict[str, tuple[float, Actor]] = {}

    async def actor(self, token: str) -> Actor:
        digest = key_hash(token)
        now = time.monotonic()
        hit = self._cache.get(digest)
        if hit is not None and hit[0] > now:
            return hit[1]
        found = await run_in_threadpool(self._look_up, token)
        if found is None:
            self._cache.pop(digest, None)
            raise Unauthorized("unknown or revoked API key")
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = (now + KEY_TTL_SECONDS, found)
        return found

    def _look_up(self, token: str) -> Actor | None:
        with transaction(self._database.readers) as session:
            return users.key_actor(session, token=token)


def allowed(actor: Actor | None) -> Actor:
    """The caller if ``access`` lets it run checks; else the 401 or 403 it decides."""
    decision = decide(actor, "checks.run")
    if not decision.allowed or actor is None:
        raise (Unauthorized if decision.status == 401 else Forbidden)(decision.reason, details={"action": "checks.run"})
    return actor


def parse(body: bytes) -> CheckIn:
    try:
        return CheckIn.model_validate_json(body or b"null")
    except ValidationError as error:
        details = [
            {"field": ".".join(str(part) for part in item["loc"]) or "body", "reason": item["msg"]}
            for item in error.errors()
        ]
        raise InvalidInput("the request is not valid", details=details) from None


class FastChecks:
    """ASGI middleware answering keyed ``POST /api/v1/checks``; everything else passes through."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], *, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            return await self.app(scope, receive, send)
        token = _bearer(scope)
        if token is None:
            return await self.app(scope, receive, send)
        try:
            status, payload = 200, await self._answer(token, await _body(receive))
        except SocialCreditError as error:
            status, payload = error.status, error.body()
        except Exception:
            log.exception("unexpected error on POST %s", PATH)
            status, payload = 500, {"error": {"code": "internal", "message": "internal error", "details": None}}
        await _respond(send, status, payload)

    async def _answer(self, token: str, body: bytes) -> dict[str, Any]:
        keys: KeyCache = self.state.check_keys
        actor = allowed(await keys.actor(token))
        asked = parse(body)
        checks: CheckService = self.state.checks
        return await checks.check(actor=actor, identifier=asked.subject, service=asked.service, purpose=asked.purpose)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _respond(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode("ascii"))]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
