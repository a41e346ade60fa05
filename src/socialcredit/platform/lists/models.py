"""List tables: versions and changes of membership (append-only, audited), and the current members (derived).

Every change of any list's membership in one transaction gets the next version number (one counter for all
lists, so a check can name the version it was answered at); ``list_changes`` holds each add and remove.
``list_members`` is the membership now, kept in step with the standings, with the records behind it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.db.base import Base, BigKey, UTCDateTime


class ListVersion(Base):
    """One version: when it was made, how many changes it holds, the audit entry that covers it."""

    __tablename__ = "list_versions"

    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    changes: Mapped[int] = mapped_column(Integer)
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class ListChange(Base):
    """A subject added to or removed from a list in a version."""

    __tablename__ = "list_changes"
    __table_args__ = (
        Index("ix_list_changes_list_version", "list_id", "version"),
        Index("ix_list_changes_subject", "subject"),
    )

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    list_id: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(18))
    change: Mapped[str] = mapped_column(String(6))
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class ListMember(Base):
    """A subject on a list now (derived from the standings): since, until, the records behind it (JSON)."""

    __tablename__ = "list_members"
    __table_args__ = (Index("ix_list_members_subject", "subject"),)

    list_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    subject: Mapped[str] = mapped_column(String(18), primary_key=True)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    records: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(BigInteger)
