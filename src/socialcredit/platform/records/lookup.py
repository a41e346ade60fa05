"""Queries the ingestion needs, in chunks so that no statement carries too many parameters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.db.queries import among, dialect
from socialcredit.platform.records.models import RecordRow
from socialcredit.platform.records.store import to_record
from socialcredit.platform.sources.models import Source
from socialcredit.records.schema import Record

CHUNK = 5000  # keys per query on SQLite (bound parameters); PostgreSQL takes one array per source
Key = tuple[str, str]


def _by_source(keys: Iterable[Key]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for source, record_id in set(keys):
        groups[source].append(record_id)
    return groups


def content_hashes(session: Session, keys: Iterable[Key]) -> dict[Key, str]:
    """``(source, id) → content hash`` of the stored records among ``keys``."""
    found: dict[Key, str] = {}
    chunk = 1_000_000 if dialect(session) == "postgresql" else CHUNK
    for source, ids in _by_source(keys).items():
        ids.sort()
        for start in range(0, len(ids), chunk):
            query = select(RecordRow.record_id, RecordRow.content_hash).where(
                RecordRow.source == source, among(session, RecordRow.record_id, ids[start : start + chunk])
            )
            found.update(((source, record_id), digest) for record_id, digest in session.execute(query))
    return found


def targets(session: Session, keys: Iterable[Key]) -> dict[Key, Record]:
    """The stored records named by ``keys`` (the facts that corrections and others reference)."""
    found: dict[Key, Record] = {}
    for source, ids in _by_source(keys).items():
        ids.sort()
        for start in range(0, len(ids), CHUNK):
            query = select(RecordRow).where(
                RecordRow.source == source, among(session, RecordRow.record_id, ids[start : start + CHUNK])
            )
            found.update(((source, row.record_id), to_record(row)) for row in session.execute(query).scalars())
    return found


def sources(session: Session, wanted: set[str]) -> set[str]:
    """The registered ones among ``wanted`` source ids."""
    if not wanted:
        return set()
    return set(session.execute(select(Source.id).where(among(session, Source.id, sorted(wanted)))).scalars())
