"""Subjects written to but not yet followed into the lists: their standing is queued for a refresh
(``standings_stale``), so a check on them evaluates their records afresh instead of trusting the snapshot.

The question is asked on a raw database connection per thread (a primary-key look-up, tens of
microseconds), because it is asked for every check.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from socialcredit.db.connect import Database
from socialcredit.db.engine import transaction
from socialcredit.platform.checks.snapshot import SubjectState, state_from_standing
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.standings.models import StaleStanding
from socialcredit.platform.standings.service import compute_many, today
from socialcredit.platform.subjects.models import SubjectAlias

TABLE = StaleStanding.__tablename__


class StaleProbe:
    """Asks whether a subject's standing is queued for a refresh."""

    def __init__(self, database: Database) -> None:
        self._engine = database.engine
        self._local = threading.local()
        self._open: list[Any] = []
        self._lock = threading.Lock()
        marker = "?" if self._engine.dialect.paramstyle == "qmark" else "%s"
        self._query = f"SELECT 1 FROM {TABLE} WHERE subject = {marker}"

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._engine.raw_connection()
            self._local.connection = connection
            with self._lock:
                self._open.append(connection)
        return connection

    def is_stale(self, subject: str) -> bool:
        connection = self._connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self._query, (subject,))
            found = cursor.fetchone() is not None
            cursor.close()
        finally:
            connection.rollback()  # never leave a transaction open (PostgreSQL) between checks
        return found

    def close(self) -> None:
        with self._lock:
            for connection in self._open:
                with contextlib.suppress(Exception):  # the pool may be gone already at shutdown
                    connection.close()
            self._open.clear()
        self._local = threading.local()


def stale_subjects(database: Database) -> list[str]:
    with transaction(database.readers) as session:
        return list(session.execute(select(StaleStanding.subject)).scalars())


def fresh_states(database: Database, subjects: Iterable[str], *, now: datetime) -> list[SubjectState]:
    """The check states of ``subjects`` evaluated now from their records (not from the stored standings)."""
    wanted = sorted(set(subjects))
    if not wanted:
        return []
    with transaction(database.readers) as session:
        policy = active_policy(session)
        aliases: dict[str, list[str]] = {}
        for value, subject in session.execute(
            select(SubjectAlias.value, SubjectAlias.subject).where(SubjectAlias.subject.in_(wanted))
        ):
            aliases.setdefault(subject, []).append(value)
        standings = compute_many(session, subjects=wanted, policy=policy, as_of=today(policy, now), known_at=now)
        return [state_from_standing(s, policy, aliases.get(s.subject, ())) for s in standings]
