"""Check tables: the check log (append-only, audited), and what the in-memory snapshot is loaded from.

``check_subjects`` holds each scored subject's grade and next change date, stamped with the generation in
which it last changed; ``check_state`` (one row) holds the current generation and list version, so that a
server notices cheaply that its snapshot is behind and loads only what changed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.db.base import Base, BigKey, UTCDateTime


class CheckLog(Base):
    """One check: who asked (party), why (purpose), for which service, the answer and the list version."""

    __tablename__ = "check_log"
    __table_args__ = (
        Index("ix_check_log_subject", "subject"),
        Index("ix_check_log_decision_id", "decision_id", unique=True),
        Index("ix_check_log_audit_seq", "audit_seq"),
    )

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    decision_id: Mapped[str] = mapped_column(String(32))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    party: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(100))
    identifier: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(18))
    decision: Mapped[str] = mapped_column(String(10))
    measures: Mapped[str | None] = mapped_column(Text)
    lists: Mapped[str | None] = mapped_column(Text)
    list_version: Mapped[int] = mapped_column(BigInteger)
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class CheckSubject(Base):
    """A subject's grade and next change date as the snapshot needs them, and the generation it changed in."""

    __tablename__ = "check_subjects"
    __table_args__ = (
        Index("ix_check_subjects_gen", "gen"),
        Index("ix_check_subjects_next_change_on", "next_change_on"),
    )

    subject: Mapped[str] = mapped_column(String(18), primary_key=True)
    grade: Mapped[str | None] = mapped_column(String(20))
    next_change_on: Mapped[date | None] = mapped_column(Date)
    gen: Mapped[int] = mapped_column(BigInteger)


class CheckState(Base):
    """The one row: the generation of the check data and the current list version."""

    __tablename__ = "check_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    gen: Mapped[int] = mapped_column(BigInteger)
    list_version: Mapped[int] = mapped_column(BigInteger)
    policy_hash: Mapped[str | None] = mapped_column(String(64))
