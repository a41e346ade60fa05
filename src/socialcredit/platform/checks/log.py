"""The check log: every check is written (with the notice of a denial) and committed before it is answered.

:func:`write_checks` appends checks and notices under one audit entry in the caller's transaction. Single
checks go through :class:`CheckWriter`, a thread that commits whatever checks are waiting in one transaction
(group commit) and only then releases them: many checks per commit, none answered before it is durable.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from socialcredit.errors import SocialCreditError
from socialcredit.platform.audit import service as audit
from socialcredit.platform.checks.models import CheckLog
from socialcredit.platform.rights.models import Notice

log = logging.getLogger("socialcredit.checks")
MAX_BATCH = 1000  # checks in one transaction, at most (groups are never split)


class CheckNotLogged(SocialCreditError):
    """The check could not be written to the log, so it is not answered (try again)."""

    status = 503
    code = "check-not-logged"


def decision_id() -> str:
    """A new decision id: 32 hex characters (random)."""
    return uuid.uuid4().hex


@dataclass(slots=True)
class Group:
    """Checks submitted together: written in the same transaction, ``done`` called once for them all."""

    entries: list[Entry]
    done: Callable[[BaseException | None], None]


@dataclass(slots=True)
class Entry:
    """A check to log: its row (without ``audit_seq``) and, for a denial, the notice body."""

    row: dict[str, Any]
    notice: dict[str, Any] | None = None


def write_checks(session: Session, entries: Sequence[Entry], *, actor: str, at: datetime) -> int:
    """Append ``entries`` and their notices under one audit entry; return its sequence number."""
    seq = audit.next_seq(session)
    rows = [{**entry.row, "audit_seq": seq} for entry in entries]
    notices = [
        {
            "subject": entry.row["subject"],
            "decision_id": entry.row["decision_id"],
            "created_at": entry.row["checked_at"],
            "body": json.dumps(entry.notice, ensure_ascii=False, separators=(",", ":")),
            "audit_seq": seq,
        }
        for entry in entries
        if entry.notice is not None
    ]
    covered = {"check_log": audit.add_rows(session, CheckLog, rows)}
    if notices:
        covered["notices"] = audit.add_rows(session, Notice, notices)
    payload = {
        "checks": len(rows),
        "denied": sum(row["decision"] == "deny" for row in rows),
        "first": rows[0]["decision_id"],
        "last": rows[-1]["decision_id"],
    }
    audit.append(
        session, seq=seq, actor=actor, action="checks.log", object="checks", payload=payload, covered=covered, at=at
    )
    return seq


class CheckWriter:
    """Group commit: one thread writes every waiting check in one transaction, then releases them all."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._connection: Connection | None = None  # the writer thread's own, kept between commits
        self._clock = clock
        self._queue: queue.SimpleQueue[Group | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="check-log-writer", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join(timeout=10)
                self._thread = None

    def submit(self, group: Group) -> None:
        """Queue checks gathered by the caller; ``group.done`` is called with None once they are committed,
        or with the error that stopped them."""
        self.start()  # an app used without its lifespan still logs its checks
        self._queue.put(group)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                self._close()
                return
            batch, stop = self._gather(first)
            self._write(batch)
            if stop:
                self._close()
                return

    def _gather(self, first: Group) -> tuple[list[Group], bool]:
        """``first`` and the groups already waiting behind it (callers batch: nobody waits for more)."""
        batch, size = [first], len(first.entries)
        while size < MAX_BATCH:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.append(item)
            size += len(item.entries)
        return batch, False

    def _write(self, batch: list[Group]) -> None:
        error: BaseException | None = None
        entries = [entry for group in batch for entry in group.entries]
        try:
            with self._transaction() as session:
                write_checks(session, entries, actor="platform:checks", at=self._clock())
            self.batches += 1
        except Exception as failure:  # every waiting check learns it was not logged, so not answered
            log.exception("could not log %d checks", len(entries))
            error = CheckNotLogged(f"the check could not be logged, so it is not answered: {failure}")
        for group in batch:
            group.done(error)

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """One transaction on the writer's connection (no pool round trip per commit); a connection that
        failed is closed, and the next transaction opens a new one."""
        if self._connection is None:
            self._connection = self._engine.connect()
        session = Session(bind=self._connection, expire_on_commit=False)
        try:
            with session.begin():
                yield session
        except BaseException:
            self._close()
            raise
        finally:
            session.close()

    def _close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already broken: nothing more to release
                self._connection.close()
            self._connection = None
