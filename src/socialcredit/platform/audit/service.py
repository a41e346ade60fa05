"""Append to the audit log. Every write of a service calls this in its own transaction (never commits).

Two steps when an entry covers rows of append-only tables: :func:`next_seq` locks the head of the chain
and gives the entry's number (stored as ``audit_seq`` on the rows), then :func:`append` writes the entry
with the hashes of those rows. :func:`log` does both for an entry without rows.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Table, insert, select, update
from sqlalchemy.orm import Session

from socialcredit.db.base import Base, table_of, utcnow
from socialcredit.platform.audit import hashing
from socialcredit.platform.audit.models import AuditEntry, AuditHead

_ENTRY_COLUMNS = ("seq", "at", "actor", "action", "object", "payload", "payload_hash", "prev_hash", "hash")
# Statements built once (building them is a large part of a small transaction's cost).
_HEAD = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_MOVE_HEAD = update(table_of(AuditHead)).where(AuditHead.id == 1)


@functools.cache
def _inserting(table: Table) -> Insert:
    return insert(table)


@functools.cache
def hashed_columns(table: Table) -> tuple[str, ...]:
    """The columns a row hash covers: all but the surrogate ``pk`` (assigned by the database)."""
    return tuple(column.name for column in table.columns if column.name != "pk")


def lock_chain(session: Session) -> None:
    """Take the chain head for this transaction: every writer does it first, so writers queue in one order."""
    next_seq(session)


def next_seq(session: Session) -> int:
    """Lock the chain head (serialising writers) and return the number the next entry will have."""
    seq, _ = _head(session)
    return seq + 1


def _head(session: Session) -> tuple[int, str]:
    """The chain head's number and hash, locked for this transaction (columns, not an ORM object, so a
    second read in the same session sees what :func:`append` wrote)."""
    seq, digest = session.connection().execute(_HEAD).one()
    return int(seq), str(digest)


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
    head_seq, head_hash = _head(session)
    if seq != head_seq + 1:
        raise RuntimeError(f"audit entry {seq} out of order: the chain head is at {head_seq}")
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
        prev_hash=head_hash,
        hash=hashing.entry_hash(seq, at, actor, action, object, digest, head_hash),
    )
    session.flush()  # rows the caller added through the ORM go first, as they always have
    connection = session.connection()
    connection.execute(_inserting(table_of(AuditEntry)), [{name: getattr(entry, name) for name in _ENTRY_COLUMNS}])
    connection.execute(_MOVE_HEAD, {"seq": seq, "hash": entry.hash})
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
        session.flush()  # rows the caller added through the ORM go first
        session.connection().execute(_inserting(table), rows)
    return digest.hexdigest()


def entries(session: Session, *, after: int = 0, limit: int = 100) -> list[AuditEntry]:
    """Entries in chain order, ``limit`` at a time after entry ``after``."""
    query = select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit)
    return list(session.execute(query).scalars())
