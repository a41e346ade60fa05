"""Declarative base, naming convention and the column types every table shares."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A 64-bit key on PostgreSQL; SQLite only auto-increments ``INTEGER PRIMARY KEY``.
BigKey = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Base of every platform table."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC (``timestamptz`` on PostgreSQL, naive UTC text on SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the platform stores aware times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The platform clock: an aware UTC datetime (microseconds, as every database here stores them)."""
    return datetime.now(UTC)


@lru_cache(maxsize=4096)
def iso_utc(moment: datetime) -> str:
    """A fixed-width UTC form of a moment, used in hashes (``2025-06-01T02:03:04.000005Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class (typed as a :class:`Table`)."""
    return cast(Table, model.__table__)
