"""Standing tables: the current standing (a cache, recomputed on change) and monthly snapshots."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.db.base import Base, BigKey, UTCDateTime


class CurrentStanding(Base):
    """The standing of a subject as last computed (``body`` is the JSON of DESIGN §7)."""

    __tablename__ = "standings"

    subject: Mapped[str] = mapped_column(ForeignKey("subjects.national_id"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    known_at: Mapped[datetime] = mapped_column(UTCDateTime)
    points: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(20))
    policy_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)


class StandingSnapshot(Base):
    """A subject's standing as published for a month by ``cycle close`` (append-only)."""

    __tablename__ = "standing_snapshots"
    __table_args__ = (
        UniqueConstraint("month", "subject", name="uq_standing_snapshots_month_subject"),
        Index("ix_standing_snapshots_subject", "subject"),
    )

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    subject: Mapped[str] = mapped_column(ForeignKey("subjects.national_id"))
    as_of: Mapped[date] = mapped_column(Date)
    known_at: Mapped[datetime] = mapped_column(UTCDateTime)
    points: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(20))
    policy_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class StaleStanding(Base):
    """A subject whose current standing must be recomputed (queued in the write's transaction)."""

    __tablename__ = "standings_stale"

    subject: Mapped[str] = mapped_column(String(18), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
