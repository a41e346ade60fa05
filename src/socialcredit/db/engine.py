"""Engines and sessions. Services never commit; :func:`transaction` commits once at the edge."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

try:
    import fcntl
except ImportError:  # not on Windows: writers there wait in SQLite's own busy handler
    fcntl = None  # type: ignore[assignment]

SessionFactory = sessionmaker[Session]


def normalize_url(url: str) -> str:
    """Use psycopg (3) for ``postgresql://`` URLs, the driver this project installs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and writer-serialising transactions.

    On SQLite every transaction that may write starts with ``BEGIN IMMEDIATE``: writers queue for the lock
    instead of failing half-way; readers (``session_factory(read_only=True)``) read a WAL snapshot.
    """
    url = normalize_url(url)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        if fcntl is not None and make_url(url).database not in (None, "", ":memory:"):
            kwargs["connect_args"].setdefault("factory", QueuedWriterConnection)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    return engine


def _sqlite_setup(engine: Engine) -> None:
    """Foreign keys on; ``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing mid-transaction."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, QueuedWriterConnection):
            dbapi_connection.lock_path = f"{engine.url.database}-writers"
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event emit BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get("read_only", False)
        if not read_only:
            raw = connection.connection.dbapi_connection
            if isinstance(raw, QueuedWriterConnection):
                try:
                    raw.queue()
                except sqlite3.OperationalError as error:  # as SQLAlchemy reports SQLite's own "locked"
                    raise OperationalError("BEGIN IMMEDIATE", None, error) from None
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions first queue on a lock file (``flock``) next to the database.

    SQLite makes a second writer poll with sleeps that grow to 100 ms; polling the lock file instead (sleeps
    from 0.1 ms to 0.5 ms), it goes on within half a millisecond of the first one's commit, which keeps
    latency flat when several processes write (``serve --workers N``, the standings worker, the CLI). The
    lock is released when the transaction ends; after :attr:`timeout` seconds of waiting the writer fails as
    SQLite's would.
    """

    lock_path: str | None = None
    timeout = 30.0  # seconds a writer waits for the lock, as long as SQLite's own busy timeout
    _lock: int | None = None

    def queue(self) -> None:
        """Wait for, and take, the writers' lock (a no-op when this connection holds it)."""
        if self.lock_path is None or fcntl is None:
            return
        if self._lock is None:
            self._lock = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline, pause = time.monotonic() + self.timeout, 0.0001
        while True:
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError(
                        f"database is locked: another writer has held it for {self.timeout:g} s"
                    ) from None
                time.sleep(pause)  # 0.1 ms, doubling to 0.5 ms: a waiting writer goes on within 0.5 ms
                pause = min(pause * 2, 0.0005)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._lock is not None:
                os.close(self._lock)  # closing the descriptor releases the lock
                self._lock = None

    def _release(self) -> None:
        if self._lock is not None and fcntl is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)


def session_factory(engine: Engine, *, read_only: bool = False) -> SessionFactory:
    """Sessions on ``engine``; ``read_only`` ones do not queue behind writers (SQLite: a deferred ``BEGIN``)."""
    bind = engine.execution_options(read_only=True) if read_only else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: SessionFactory) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back (nothing written) when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
