"""Verify the audit log: the chain, each entry's payload, and every covered row of the append-only tables.

A row changed, deleted or added behind the platform's back changes the digest of the entry that covers
it; an entry changed or deleted breaks the chain; a truncated tail disagrees with the chain head.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from socialcredit.platform.audit import hashing
from socialcredit.platform.audit.covered import covered_tables, line_of
from socialcredit.platform.audit.models import AuditEntry, AuditHead
from socialcredit.platform.audit.service import hashed_columns

Digests = dict[int, dict[str, str]]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The result: ``ok``, how many entries were checked, and the first broken entry with the reason."""

    ok: bool
    entries: int
    broken_seq: int | None = None
    reason: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "entries": self.entries, "broken_entry": self.broken_seq, "reason": self.reason}


def verify(session: Session) -> Verdict:
    """Walk the whole log in order; stop at the first broken entry."""
    covered = covered_digests(session)
    count, prev, expected_seq = 0, hashing.GENESIS, 1
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        problem = _entry_problem(entry, expected_seq, prev, covered.pop(entry.seq, {}))
        if problem:
            return Verdict(False, count, entry.seq if entry.seq == expected_seq else expected_seq, problem)
        count, prev, expected_seq = count + 1, entry.hash, entry.seq + 1
    if covered:
        seq = min(covered)
        tables = ", ".join(sorted(covered[seq]))
        return Verdict(False, count, seq, f"rows of {tables} name audit entry {seq}, which is not in the log")
    head = session.get(AuditHead, 1)
    if head is None or head.seq != expected_seq - 1 or head.hash != prev:
        at = head.seq if head is not None else 0
        return Verdict(False, count, at, f"the chain head names entry {at} but the log ends at {expected_seq - 1}")
    return Verdict(True, count)


def _entry_problem(entry: AuditEntry, expected_seq: int, prev: str, covered: dict[str, str]) -> str | None:
    if entry.seq != expected_seq:
        return f"entry {expected_seq} is missing (the log jumps to {entry.seq})"
    if entry.prev_hash != prev:
        return "its previous-entry hash does not match the entry before it"
    digest = hashing.payload_hash(entry.payload, covered)
    if digest != entry.payload_hash:
        return f"{entry.action} by {entry.actor}: its payload, or rows it covers, were changed, added or deleted"
    actual = hashing.entry_hash(
        entry.seq, entry.at, entry.actor, entry.action, entry.object, entry.payload_hash, entry.prev_hash
    )
    if actual != entry.hash:
        return "the entry itself was changed (its hash does not match its fields)"
    return None


def covered_digests(session: Session) -> Digests:
    """``audit_seq → {table → digest of its rows' hashes}`` over every covered table."""
    digests: Digests = defaultdict(dict)
    for table in covered_tables():
        for seq, digest in _table_digests(session, table).items():
            digests[seq][table.name] = digest
    return digests


def _table_digests(session: Session, table: Table) -> dict[int, str]:
    columns = hashed_columns(table)
    line = line_of(table)
    order = [table.c.audit_seq, *([table.c.pk] if "pk" in table.c else [])]
    result: dict[int, str] = {}
    current: int | None = None
    digest = hashing.RowDigest()
    rows = session.execute(
        select(*[table.c[name] for name in columns]).order_by(*order).execution_options(yield_per=10000)
    )
    for row in rows.mappings():
        if row["audit_seq"] != current:
            if current is not None:
                result[current] = digest.hexdigest()
            current, digest = row["audit_seq"], hashing.RowDigest()
        if line is None:
            digest.add_row(row, columns)
        else:
            digest.add_line(line(row))
    if current is not None:
        result[current] = digest.hexdigest()
    return result
