"""``POST /api/v1/records:batch`` (JSON array or JSON Lines) and ``GET /api/v1/records/{source}/{id}``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, overload

import polars as pl
from fastapi import APIRouter, BackgroundTasks, Query, Request
from starlette.concurrency import run_in_threadpool

from socialcredit.api.deps import Allowed, guard, reading, refresh_later, required, unit
from socialcredit.errors import InvalidInput, UserError
from socialcredit.platform import flows
from socialcredit.platform.records import service as records
from socialcredit.platform.records.models import RecordRow
from socialcredit.platform.records.schemas import BatchAnswer, RecordRead, StatusChange
from socialcredit.policy.money import format_cents
from socialcredit.records.files import json_frame, jsonl_record

router = APIRouter(tags=["records"])
MAX_BODY = 64 * 1024 * 1024
MAX_RECORDS = 100_000
NDJSON = ("application/x-ndjson", "application/jsonl", "application/json-lines", "application/ndjson")


class Lines(Sequence[tuple[int, Any]]):
    """JSON Lines as ``(index, record)`` items, each line parsed when asked for (rows the column checks
    accept are never parsed one by one)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, index: int) -> tuple[int, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, Any]]: ...
    def __getitem__(self, index: int | slice) -> tuple[int, Any] | list[tuple[int, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        position = range(len(self.lines))[index]
        return position, _line(self.lines[position])


def parse_body(body: bytes, content_type: str) -> Sequence[tuple[int, Any]]:
    """``(index, record)`` items of a JSON array, or of JSON Lines (a bad line becomes a bad record)."""
    if len(body) > MAX_BODY:
        raise InvalidInput(
            f"the body is larger than {MAX_BODY} bytes; send smaller batches", details=[{"field": "body"}]
        )
    kind = content_type.split(";")[0].strip().lower()
    text = body.decode("utf-8-sig", errors="replace")
    if kind in NDJSON:
        items: Sequence[tuple[int, Any]] = Lines([line for line in text.splitlines() if line.strip()])
    else:
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            reason = f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
            raise InvalidInput(reason, details=[{"field": "body", "reason": reason}]) from None
        if not isinstance(data, list):
            reason = "the body must be a JSON array of records (or JSON Lines with Content-Type application/x-ndjson)"
            raise InvalidInput(reason, details=[{"field": "body", "reason": reason}])
        items = list(enumerate(data))
    if len(items) > MAX_RECORDS:
        raise InvalidInput(f"at most {MAX_RECORDS} records per batch; got {len(items)}", details=[{"field": "body"}])
    return items


def frame_of(body: bytes, content_type: str, count: int) -> pl.DataFrame | None:
    """The same records as a Polars frame (for the column checks), or None when Polars reads them otherwise."""
    frame = json_frame(body, lines=content_type.split(";")[0].strip().lower() in NDJSON)
    return frame if frame is not None and frame.height == count else None


def _line(line: str) -> Any:
    return jsonl_record(line)


@router.post("/records:batch", response_model=BatchAnswer, response_model_exclude_none=True, **guard("records.ingest"))
async def ingest_batch(
    request: Request,
    actor: Allowed,
    tasks: BackgroundTasks,
    partial: bool = Query(False, description="Accept the good records and report the bad ones."),
) -> dict[str, Any]:
    """Ingest a batch of records (DESIGN §6): atomic unless ``partial``; ``source`` comes from the key."""
    who = required(actor)
    if who.role == "source" and who.source is None:
        raise UserError("this source key is bound to no source")
    body, kind = await request.body(), request.headers.get("content-type", "application/json")
    items = parse_body(body, kind)

    def work() -> dict[str, Any]:
        frame = frame_of(body, kind, len(items)) if who.source is not None else None
        with unit(request) as session:
            result = flows.ingest(session, actor=who, items=items, source=who.source, partial=partial, frame=frame)
        return result.as_json(partial=partial)

    answer = await run_in_threadpool(work)
    refresh_later(request, tasks)
    return answer


@router.get("/records/{source}/{record_id}", response_model=RecordRead, **guard("records.read"))
def read_record(request: Request, actor: Allowed, source: str, record_id: str) -> RecordRead:
    """One stored record, its status now and its status history."""
    with reading(request) as session:
        row = records.get_row(session, source=source, record_id=record_id)
        return record_read(row, records.status_at(session, row), records.history(session, row))


def record_read(row: RecordRow, status: str, history: list[Any]) -> RecordRead:
    return RecordRead(
        source=row.source,
        id=row.record_id,
        subject=row.subject,
        kind=row.kind,
        ref=row.ref,
        rule=row.rule,
        occurred_on=row.occurred_on,
        recorded_at=row.recorded_at,
        points=None if row.points is None else format_cents(row.points),
        reason=row.reason,
        document=row.document,
        evidence=json.loads(row.evidence or "[]"),
        status=status,
        reported_by=row.reported_by,
        history=[
            StatusChange(status=h.status, cause=h.cause, reason=h.reason, actor=h.actor, changed_at=h.changed_at)
            for h in history
        ],
    )
