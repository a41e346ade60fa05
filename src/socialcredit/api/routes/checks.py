"""Checks at the point of service: ``POST /api/v1/checks`` and ``POST /api/v1/checks:bulk``.

Both answer from the in-memory snapshot and log every check (and the notice of every denial) before
answering. :func:`install` gives an app its check service (started and stopped with the app).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from socialcredit.access import Actor
from socialcredit.api.deps import Allowed, current_actor, database, guard, required
from socialcredit.api.routes.checks_asgi import CheckIn, FastChecks, KeyCache, allowed
from socialcredit.errors import InvalidInput
from socialcredit.platform.checks import bulk
from socialcredit.platform.checks.runtime import CheckService, purpose_text
from socialcredit.platform.checks.screen import normalised

router = APIRouter(tags=["checks"])
MAX_BULK_BYTES = 256 * 1024 * 1024


class MeasureOut(BaseModel):
    id: str
    title: str
    effect: str
    legal_basis: str


class ListOut(BaseModel):
    id: str
    kind: str
    title: str


class CheckOut(BaseModel):
    decision: str
    service: str
    measures: list[MeasureOut]
    lists: list[ListOut]
    legal_basis: list[str]
    list_version: int
    explanation: str
    decision_id: str
    checked_at: str


async def caller(request: Request) -> Actor:
    """Who checks (people with a session come this way; keyed checks take the hot path in ``checks_asgi``)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        keys: KeyCache = request.app.state.check_keys
        return allowed(await keys.actor(token.strip()))
    return allowed(await run_in_threadpool(current_actor, request))


def checks(request: Request) -> CheckService:
    service: CheckService = request.app.state.checks
    return service


def install(app: FastAPI) -> None:
    """Give ``app`` a check service, started and stopped with it (wrapping any lifespan it has)."""
    from socialcredit.platform.rights.flows import run_duties

    db = app.state.database
    service = CheckService(db, duties=lambda: run_duties(db))
    app.state.checks = service
    app.state.check_keys = KeyCache(db)
    app.add_middleware(FastChecks, state=app.state)
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        service.start()
        try:
            async with previous(app) as state:
                yield state
        finally:
            service.stop()

    app.router.lifespan_context = lifespan


@router.post("/checks", response_model=CheckOut, **guard("checks.run"))
async def check(body: CheckIn, request: Request, who: Actor = Depends(caller)) -> Response:
    """May this subject have this service? Decided from the lists, logged for the subject to see, then answered."""
    answer = await checks(request).check(actor=who, identifier=body.subject, service=body.service, purpose=body.purpose)
    return Response(json.dumps(answer, ensure_ascii=False, separators=(",", ":")), media_type="application/json")


@router.post("/checks:bulk", **guard("checks.bulk"))
async def check_bulk(
    request: Request,
    actor: Allowed,
    service: str = Query(..., max_length=100, description="The service, e.g. air-travel."),
    purpose: str = Query(..., max_length=200, description="Why you screen, e.g. passenger-list."),
) -> StreamingResponse:
    """Screen a CSV or Parquet file of identifiers; streams one decision per identifier (JSON Lines, or CSV
    with ``Accept: text/csv``), each chunk logged before it is sent."""
    who = required(actor)
    body = await request.body()
    if len(body) > MAX_BULK_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_BULK_BYTES} bytes; split it", details=[{"field": "body"}])
    runtime = checks(request)
    identifiers = await run_in_threadpool(bulk.read_identifiers, body, request.headers.get("content-type", ""))
    keys = set(normalised(identifiers).to_list())
    snapshot = await run_in_threadpool(runtime.authorize, who, service, fresh=True, among=keys)
    screening = bulk.Screening(who, service, purpose_text(purpose), snapshot)
    as_csv = "text/csv" in request.headers.get("accept", "")
    lines = _csv_lines if as_csv else _json_lines
    chunks = bulk.run(database(request).sessions, screening, identifiers)
    media = "text/csv" if as_csv else "application/x-ndjson"
    return StreamingResponse(lines(chunks), media_type=media)


def _json_lines(chunks: Iterator[list[dict[str, Any]]]) -> Iterator[str]:
    for rows in chunks:
        yield "".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in rows)


def _csv_lines(chunks: Iterator[list[dict[str, Any]]]) -> Iterator[str]:
    import csv
    import io

    yield "identifier,decision,measures,lists,list_version,decision_id\n"
    for rows in chunks:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in rows:
            writer.writerow(
                [
                    row["identifier"],
                    row["decision"],
                    ";".join(row["measures"]),
                    ";".join(row["lists"]),
                    row["list_version"],
                    row.get("decision_id", ""),
                ]
            )
        yield buffer.getvalue()
