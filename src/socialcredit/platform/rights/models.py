"""Rights tables, all append-only and audited: notices, objections and their outcomes, repair applications
and decisions, share codes, their revocations and their uses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.db.base import Base, BigKey, UTCDateTime


class Notice(Base):
    """A notice to a subject: a check denied them a service (the body says why and how to object)."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_subject", "subject"), Index("ix_notices_audit_seq", "audit_seq"))

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    subject: Mapped[str] = mapped_column(String(18))
    decision_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[str] = mapped_column(Text)
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class Objection(Base):
    """A subject's objection to a record, due for a decision by its source at ``due_at``."""

    __tablename__ = "objections"
    __table_args__ = (Index("ix_objections_subject", "subject"), Index("ix_objections_code", "code", unique=True))

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    record: Mapped[int] = mapped_column(ForeignKey("records.pk"))
    source: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(18))
    reason: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str] = mapped_column(String(200))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class ObjectionOutcome(Base):
    """What happened to an objection: ``overdue`` (deadline missed), then ``uphold``, ``correct`` or ``withdraw``."""

    __tablename__ = "objection_outcomes"

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    objection: Mapped[int] = mapped_column(ForeignKey("objections.pk"), index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    written: Mapped[str | None] = mapped_column(String(128))
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class RepairApplication(Base):
    """A subject's application to repair a record, with the proof of correction."""

    __tablename__ = "repair_applications"
    __table_args__ = (
        Index("ix_repair_applications_subject", "subject"),
        Index("ix_repair_applications_code", "code", unique=True),
    )

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    record: Mapped[int] = mapped_column(ForeignKey("records.pk"))
    source: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(18))
    proof: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    applied_by: Mapped[str] = mapped_column(String(200))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class RepairDecision(Base):
    """The source's decision on a repair application (approval writes a ``repair`` record)."""

    __tablename__ = "repair_decisions"

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    application: Mapped[int] = mapped_column(ForeignKey("repair_applications.pk"), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    written: Mapped[str | None] = mapped_column(String(128))
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class ShareCode(Base):
    """A share code a person issued: only its SHA-256 is kept, with its scope and expiry."""

    __tablename__ = "share_codes"
    __table_args__ = (
        Index("ix_share_codes_subject", "subject"),
        Index("ix_share_codes_code_hash", "code_hash", unique=True),
    )

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    hint: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(18))
    scope: Mapped[str] = mapped_column(String(20))
    label: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class ShareEvent(Base):
    """A share code revoked, or used to see the standing (``revoke`` / ``view``)."""

    __tablename__ = "share_events"

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    share: Mapped[int] = mapped_column(ForeignKey("share_codes.pk"), index=True)
    event: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    audit_seq: Mapped[int] = mapped_column(BigInteger)
