"""Append to the audit log. Every write of a service calls this in its own transaction (never commits).

Two steps when an entry covers rows of append-only tables: :func:`next_seq` locks the head of the chain
and gives the entry's number (stored as ``audit_seq`` on the rows), then :func:`append` writes the entry
with the hashes of those rows. :func:`log` does both for an entry without rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from socialcredit.db.base import Base, table_of, utcnow
from socialcredit.platform.audit import hashing
from socialcredit.platform.audit.models import AuditEntry, AuditHead


def hashed_columns(table: Table) -> list[str]:
    """The columns a row hash covers: all but the surrogate ``pk`` (assigned by the database)."""
    return [column.name for column in table.columns if column.name != "pk"]


def lock_chain(session: Session) -> None:
    """Take the chain head for this transaction: every writer does it first, so writers queue in one order."""
    next_seq(session)


def next_seq(session: Session) -> int:
    """Lock the chain head (serialising writers) and return the number the next entry will have."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    return head.seq + 1


def append(
    session: Session,
    *,
    seq: int,
    actor: str,
    action: str,
    object: str,
    payload: Mapping[str, Any] | None = None,
    covered: Mapping[str, str] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Write entry ``seq`` (from :func:`next_seq`); ``covered`` maps table → digest of its rows' hashes."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    if seq != head.seq + 1:
        raise RuntimeError(f"audit entry {seq} out of order: the chain head is at {head.seq}")
    text = hashing.canonical_payload(payload)
    digest = hashing.payload_hash(text, covered or {})
    at = at or utcnow()
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        object=object,
        payload=text,
        payload_hash=digest,
        prev_hash=head.hash,
        hash=hashing.entry_hash(seq, at, actor, action, object, digest, head.hash),
    )
    session.add(entry)
    head.seq, head.hash = seq, entry.hash
    session.flush()
    return entry


def log(
    session: Session, *, actor: str, action: str, object: str, payload: Mapping[str, Any] | None = None
) -> AuditEntry:
    """Append an entry that covers no append-only rows (a user created, a key issued…)."""
    return append(session, seq=next_seq(session), actor=actor, action=action, object=object, payload=payload)


def add_rows(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> str:
    """Insert rows of an append-only table (each with its ``audit_seq``); return the digest to cover them."""
    table = table_of(model)
    columns = hashed_columns(table)
    digest = hashing.RowDigest()
    for row in rows:
        digest.add_row(row, columns)
    if rows:
        session.execute(insert(table), rows)
    return digest.hexdigest()


def entries(session: Session, *, after: int = 0, limit: int = 100) -> list[AuditEntry]:
    """Entries in chain order, ``limit`` at a time after entry ``after``."""
    query = select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit)
    return list(session.execute(query).scalars())
