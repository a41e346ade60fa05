"""Bulk screening on the platform: read a file of identifiers, screen it a chunk at a time, log each chunk
(and the notices of its denials) in its own transaction, then hand its decisions on."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from socialcredit.access import Actor
from socialcredit.db.base import utcnow
from socialcredit.db.engine import SessionFactory, transaction
from socialcredit.errors import InvalidInput
from socialcredit.platform.checks.decision import Identifier, decide
from socialcredit.platform.checks.log import Entry, decision_id, write_checks
from socialcredit.platform.checks.screen import INVALID, screen
from socialcredit.platform.checks.snapshot import DENY, CheckSnapshot
from socialcredit.platform.rights.notices import notice_body

if TYPE_CHECKING:
    import polars as pl

CHUNK = 50_000
COLUMNS = ("identifier", "subject", "id")
PARQUET_MAGIC = b"PAR1"


def read_identifiers(body: bytes, content_type: str) -> pl.Series:
    """The identifiers of a CSV (a header naming ``identifier``, ``subject`` or ``id``; else the first column)
    or Parquet file (the same columns)."""
    import polars as pl

    if not body.strip():
        raise InvalidInput("the body is empty: send a CSV or Parquet file of identifiers", details=[{"field": "body"}])
    kind = content_type.split(";")[0].strip().lower()
    try:
        if body[:4] == PARQUET_MAGIC or "parquet" in kind:
            frame = pl.read_parquet(io.BytesIO(body))
        else:
            frame = pl.read_csv(io.BytesIO(body), infer_schema=False, has_header=True)
    except Exception as error:  # polars raises many kinds; the reason goes back to the caller
        raise InvalidInput(f"cannot read the identifiers file: {error}", details=[{"field": "body"}]) from None
    names = {name.strip().lower(): name for name in frame.columns}
    column = next((names[name] for name in COLUMNS if name in names), None)
    if column is None:
        if frame.width != 1:
            raise InvalidInput(
                f"the file has columns {frame.columns}; name one of them identifier (or subject)",
                details=[{"field": "body", "reason": "no identifier column"}],
            )
        column = frame.columns[0]
        if _looks_like_identifier(column):  # a headerless single column: the first line is data
            return pl.concat([pl.Series([column]), frame[column].cast(pl.String)]).alias("identifier")
    return frame[column].cast(pl.String).alias("identifier")


def _looks_like_identifier(text: str) -> bool:
    stripped = text.strip()
    return len(stripped) >= 8 and any(char.isdigit() for char in stripped)


@dataclass(frozen=True, slots=True)
class Screening:
    """A bulk screening to run: who asks, for which service and why, against which snapshot."""

    actor: Actor
    service: str
    purpose: str
    snapshot: CheckSnapshot


def run(sessions: SessionFactory, screening: Screening, identifiers: pl.Series) -> Iterator[list[dict[str, Any]]]:
    """Screen and log a chunk at a time; yield each chunk's decisions once its log is committed."""
    for start in range(0, len(identifiers), CHUNK):
        chunk = screen(screening.snapshot, identifiers.slice(start, CHUNK), screening.service)
        rows, entries = _entries(screening, chunk)
        if entries:
            with transaction(sessions) as session:
                write_checks(session, entries, actor="platform:checks", at=entries[0].row["checked_at"])
        yield rows


def _entries(screening: Screening, chunk: pl.DataFrame) -> tuple[list[dict[str, Any]], list[Entry]]:
    at = utcnow()
    version = screening.snapshot.list_version
    rows: list[dict[str, Any]] = []
    entries: list[Entry] = []
    for identifier, key, subject, decision, measures, lists in chunk.iter_rows():
        out: dict[str, Any] = {
            "identifier": identifier,
            "decision": decision,
            "measures": measures.split(";") if measures else [],
            "lists": lists.split(";") if lists else [],
            "list_version": version,
        }
        if decision != INVALID:
            holder = subject or (key if len(key) == 18 else None)
            entry = _entry(screening, key, holder, decision, measures, lists, at)
            out["decision_id"] = entry.row["decision_id"]
            entries.append(entry)
        rows.append(out)
    return rows, entries


def _entry(
    screening: Screening, key: str, subject: str | None, decision: str, measures: str, lists: str, at: Any
) -> Entry:
    row = {
        "decision_id": decision_id(),
        "checked_at": at,
        "party": screening.actor.id,
        "purpose": screening.purpose,
        "service": screening.service,
        "identifier": key,
        "subject": subject,
        "decision": decision,
        "measures": measures or None,
        "lists": lists or None,
        "list_version": screening.snapshot.list_version,
    }
    notice = None
    if decision == DENY and subject:
        found = Identifier(key, "national-id" if key == subject else "passport")
        single = decide(screening.snapshot, found, screening.service, subject=subject)
        notice = notice_body(
            single, screening.snapshot.policy, party=screening.actor.id, purpose=screening.purpose, checked_at=at
        )
    return Entry(row, notice)
