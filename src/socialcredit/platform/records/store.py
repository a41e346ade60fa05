"""Rows of the records table: build them from validated records, insert them fast, read them back.

On PostgreSQL rows are loaded with ``COPY`` (psycopg); elsewhere with one ``executemany``. Both keep the
input order, which is the primary-key order the audit digest is computed in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from socialcredit.db.base import table_of
from socialcredit.db.queries import bulk_insert
from socialcredit.platform.audit import hashing
from socialcredit.platform.records import canonical
from socialcredit.platform.records.models import RecordRow
from socialcredit.records.schema import EvidenceRef, Record

TABLE = table_of(RecordRow)


def evidence_text(refs: Sequence[EvidenceRef]) -> str | None:
    """Evidence as stored: canonical JSON, or NULL when there is none."""
    if not refs:
        return None
    return json.dumps([{"sha256": ref.sha256, "media_type": ref.media_type} for ref in refs], separators=(",", ":"))


def _content(record: Record) -> str:
    values = [
        record.source,
        record.id,
        record.subject,
        record.kind,
        record.ref,
        record.rule,
        record.occurred_on,
        record.points,
        record.reason,
        record.document,
        evidence_text(record.evidence),
    ]
    return canonical.text(values)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(record: Record) -> str:
    """What the sender said, hashed: re-sending the same content is a duplicate, different content a conflict.

    ``recorded_at`` and ``status`` are the platform's, so they are not part of it.
    """
    return sha256_text(_content(record))


def build_row(record: Record, *, status: str, reported_by: str, audit_seq: int) -> tuple[dict[str, Any], bytes]:
    """The stored row of a validated record, and its line for the audit digest (:func:`record_line`)."""
    content = _content(record)
    row = {
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
        "content_hash": sha256_text(content),
        "audit_seq": audit_seq,
    }
    return row, f"{content}|{canonical.platform_text(row)}".encode()


def record_line(row: Mapping[Any, Any]) -> bytes:
    """A stored row as the audit digest sees it: its content, the platform's columns, and a mark when the
    stored content hash does not match the content (so that changing either is seen)."""
    content = canonical.content_text(row)
    mark = "" if sha256_text(content) == row["content_hash"] else "!"
    return f"{content}|{canonical.platform_text(row)}{mark}".encode()


def insert_rows(
    session: Session, rows: Sequence[tuple[dict[str, Any], bytes]], digest: hashing.RowDigest | None = None
) -> str:
    """Insert built rows in order; return the digest (running on in ``digest``) for the entry covering them."""
    digest = digest or hashing.RowDigest()
    for _, line in rows:
        digest.add_line(line)
    bulk_insert(session, TABLE, [row for row, _ in rows])
    return digest.hexdigest()


def to_record(row: RecordRow | Row[Any], status: str | None = None) -> Record:
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
