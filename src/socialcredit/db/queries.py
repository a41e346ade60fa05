"""Query helpers that differ by database: membership tests and bulk inserts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, any_, bindparam, insert, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstrumentedAttribute, Session


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def among(session: Session, column: InstrumentedAttribute[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN values``: one array parameter on PostgreSQL (fast to plan), expanding elsewhere."""
    if dialect(session) == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def bulk_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows in order: ``COPY`` on PostgreSQL, one ``executemany`` elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([row[name] for name in columns])


def insert_missing(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows, skipping those whose primary or unique key already exists (``ON CONFLICT DO NOTHING``)."""
    if not rows:
        return
    make = pg_insert if dialect(session) == "postgresql" else sqlite_insert
    session.execute(make(table).on_conflict_do_nothing(), list(rows))


def insert_keys(session: Session, table: Table, column: str, keys: Sequence[Any], **values: Any) -> None:
    """Insert one row per key (other columns from ``values``), skipping keys already present.

    PostgreSQL gets one ``INSERT … SELECT unnest(array) ON CONFLICT DO NOTHING``; elsewhere an executemany.
    """
    if not keys:
        return
    if dialect(session) != "postgresql":
        insert_missing(session, table, [{column: key, **values} for key in keys])
        return
    names = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    statement = text(
        f"INSERT INTO {table.name} ({column}, {names}) SELECT unnest(:keys), {params} ON CONFLICT DO NOTHING"
    ).bindparams(bindparam("keys", list(keys), type_=ARRAY(table.c[column].type)))
    session.execute(statement, values)
