"""One handler table: every error leaves the API as ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from socialcredit.errors import InvalidInput, SocialCreditError

log = logging.getLogger("socialcredit.api")

HTTP_CODES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "too-large",
    415: "unsupported-media-type",
}


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SocialCreditError)
    body = exc.body()["error"]
    return error_response(exc.status, body["code"], body["message"], body["details"])


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body",
            "reason": error.get("msg"),
        }
        for error in exc.errors()
    ]
    return error_response(InvalidInput.status, InvalidInput.code, "the request is not valid", details)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, code, str(exc.detail))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal", "internal error; nothing was written")


HANDLERS = {
    SocialCreditError: _domain,
    RequestValidationError: _validation,
    HTTPException: _http,
    Exception: _unexpected,
}


def install(app: FastAPI) -> None:
    """Register the handler table on ``app``."""
    for kind, handler in HANDLERS.items():
        app.add_exception_handler(kind, handler)
