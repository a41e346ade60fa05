"""Handbook tables: each version's text (by content hash) and the history of activations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.db.base import Base, UTCDateTime


class HandbookVersion(Base):
    """A handbook as loaded: its TOML text, id, version and content hash."""

    __tablename__ = "handbook_versions"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(100))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HandbookActivation(Base):
    """One activation; the latest is the active handbook (append-only, so the history stays)."""

    __tablename__ = "handbook_activations"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    handbook: Mapped[int] = mapped_column(ForeignKey("handbook_versions.pk"))
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    audit_seq: Mapped[int] = mapped_column(BigInteger)
