"""Record tables. Nothing here is ever updated or deleted: a status change is a new row.

``records`` holds what the sources sent (``status`` is the status it arrived with: ``pending`` or
``confirmed``); ``record_status`` appends each later change (review decisions, objections, outcomes)
with its own time, so the status as known at any moment can be rebuilt.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.db.base import Base, BigKey, UTCDateTime


def identifier(length: int) -> String:
    """An identifier column compared byte by byte (``COLLATE "C"`` on PostgreSQL; SQLite's default already is).

    Its index entries are then ordered by ``memcmp`` instead of the locale's collation: the same order for
    UTF-8 under the databases' ``C.UTF-8``, at a fraction of the cost of every comparison a bulk load makes.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class RecordRow(Base):
    """One record as ingested (DESIGN §6), with who sent it, its content hash and its audit entry.

    Deliberately without foreign keys (bulk loads at COPY speed): the ingestion service creates the
    subject and checks the source before any row is written. Two indexes besides the key, each what a
    read needs and no more: ``(source, record_id)`` unique (duplicates, conflicts, references) and a hash
    index on ``subject`` on PostgreSQL (records are only ever looked up by equal subjects; a hash index
    takes an insert without a walk of comparisons down a tree).
    """

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("source", "record_id", name="uq_records_source_record_id"),
        Index("ix_records_subject", "subject", postgresql_using="hash"),
    )

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    source: Mapped[str] = mapped_column(identifier(64))
    record_id: Mapped[str] = mapped_column(identifier(128))
    subject: Mapped[str] = mapped_column(identifier(18))
    kind: Mapped[str] = mapped_column(String(10))
    ref: Mapped[str | None] = mapped_column(String(128))
    rule: Mapped[str | None] = mapped_column(String(128))
    occurred_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    points: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    document: Mapped[str | None] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    reported_by: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class RecordStatus(Base):
    """A status change of a record (``confirmed``, ``rejected``, ``contested``), appended with its time."""

    __tablename__ = "record_status"

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    record: Mapped[int] = mapped_column(ForeignKey("records.pk"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    cause: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    audit_seq: Mapped[int] = mapped_column(BigInteger)
