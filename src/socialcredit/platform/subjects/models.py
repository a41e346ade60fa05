"""Subject tables: the subject, its aliases (passport numbers) and its consent history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.db.base import Base, UTCDateTime


class Subject(Base):
    """A person (resident identity number) or organisation (credit code), with a short surrogate key."""

    __tablename__ = "subjects"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    national_id: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(6))
    village: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SubjectAlias(Base):
    """Another identifier of a subject (a passport number); checks must match on aliases too."""

    __tablename__ = "subject_aliases"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_subject_aliases_kind_value"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(ForeignKey("subjects.national_id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SubjectConsent(Base):
    """Consent to scoring, given or withdrawn, appended with its own time (the latest one holds)."""

    __tablename__ = "subject_consents"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(ForeignKey("subjects.national_id"), index=True)
    given: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    audit_seq: Mapped[int] = mapped_column(BigInteger)
