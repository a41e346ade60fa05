"""Rows of the records table: build them from validated records, insert them fast, read them back.

On PostgreSQL rows are loaded with ``COPY`` (psycopg); elsewhere with one ``executemany``. Both keep the
input order, which is the primary-key order the audit digest is computed in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from socialcredit.db.base import table_of
from socialcredit.platform.audit import hashing
from socialcredit.platform.audit.service import hashed_columns
from socialcredit.platform.records.models import RecordRow
from socialcredit.records.schema import EvidenceRef, Record

TABLE = table_of(RecordRow)
COLUMNS = hashed_columns(TABLE)
CONTENT = ("source", "id", "subject", "kind", "ref", "rule", "occurred_on", "points", "reason", "document")


def evidence_text(refs: Sequence[EvidenceRef]) -> str | None:
    """Evidence as stored: canonical JSON, or NULL when there is none."""
    if not refs:
        return None
    return json.dumps([{"sha256": ref.sha256, "media_type": ref.media_type} for ref in refs], separators=(",", ":"))


def content_hash(record: Record) -> str:
    """What the sender said, hashed: re-sending the same content is a duplicate, different content a conflict.

    ``recorded_at`` and ``status`` are the platform's, so they are not part of it.
    """
    values = [getattr(record, name) for name in CONTENT]
    return hashlib.sha256(hashing.encode([*values, evidence_text(record.evidence)])).hexdigest()


def build_row(record: Record, *, status: str, reported_by: str, audit_seq: int) -> dict[str, Any]:
    """The stored row of a validated record."""
    return {
        "source": record.source,
        "record_id": record.id,
        "subject": record.subject,
        "kind": record.kind,
        "ref": record.ref,
        "rule": record.rule,
        "occurred_on": record.occurred_on,
        "recorded_at": record.recorded_at,
        "points": record.points,
        "reason": record.reason,
        "document": record.document,
        "evidence": evidence_text(record.evidence),
        "status": status,
        "reported_by": reported_by,
        "content_hash": content_hash(record),
        "audit_seq": audit_seq,
    }


def insert_rows(session: Session, rows: list[dict[str, Any]]) -> str:
    """Insert rows in order; return the digest of their hashes for the audit entry that covers them."""
    digest = hashing.RowDigest()
    for row in rows:
        digest.add(hashing.row_hash(row, COLUMNS))
    if not rows:
        return digest.hexdigest()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection.connection.driver_connection, rows)
    else:
        session.execute(insert(TABLE), rows)
    return digest.hexdigest()


def _copy(driver: Any, rows: Iterable[dict[str, Any]]) -> None:
    """``COPY records (…) FROM STDIN``: PostgreSQL's bulk path."""
    statement = f"COPY records ({', '.join(COLUMNS)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in COLUMNS])


def to_record(row: RecordRow, status: str | None = None) -> Record:
    """A stored row as the engines see it (``status``: as known at the moment asked, default as sent)."""
    evidence = tuple(EvidenceRef(item["sha256"], item["media_type"]) for item in json.loads(row.evidence or "[]"))
    return Record(
        source=row.source,
        id=row.record_id,
        subject=row.subject,
        kind=row.kind,
        ref=row.ref,
        rule=row.rule,
        occurred_on=row.occurred_on,
        recorded_at=row.recorded_at,
        points=row.points,
        reason=row.reason,
        document=row.document,
        evidence=evidence,
        status=status or row.status,
    )
