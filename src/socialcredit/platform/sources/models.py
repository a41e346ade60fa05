"""Source tables: a source and the rules the active handbook lets it report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from socialcredit.db.base import Base, UTCDateTime


class Source(Base):
    """A data source: a court, the traffic police, a village's assessor team."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SourceRule(Base):
    """A rule this source may report, as the active handbook's ``sources`` lists say (refreshed on activation)."""

    __tablename__ = "source_rules"

    source: Mapped[str] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(128), primary_key=True)
