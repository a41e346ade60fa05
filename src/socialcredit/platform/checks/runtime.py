"""The check service of a running server: the current snapshot, kept fresh, and the group-committed log.

- The snapshot is loaded when the service starts and switched (one reference) whenever the check data
  changes: at once after a write in this process commits (an ``after_commit`` hook), and within
  ``poll_seconds`` after a write by another process (the generation in ``check_state``).
- A check is decided from the snapshot, logged with its notice through :class:`CheckWriter`, and answered
  only once the log is committed.
- Every ``duty_seconds`` the clock-driven duties run (overdue objections, standings whose next change has
  come), given as a callable so this module does not depend on the rights domain.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import utcnow
from socialcredit.db.connect import Database
from socialcredit.db.engine import transaction
from socialcredit.errors import Forbidden, InvalidInput
from socialcredit.platform.checks.decision import CheckDecision, Identifier, classify, decide
from socialcredit.platform.checks.loader import alias_owner, last_alias, load_all, load_changed
from socialcredit.platform.checks.log import CheckWriter, Entry, Group, decision_id
from socialcredit.platform.checks.snapshot import DENY, CheckSnapshot, SnapshotHolder
from socialcredit.platform.checks.stale import StaleProbe, fresh_states, stale_subjects
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.lists.service import CHANGED
from socialcredit.platform.rights.notices import notice_body

log = logging.getLogger("socialcredit.checks")
MAX_FRESH = 20_000  # subjects evaluated afresh for one bulk screening, at most
_LIVE: list[CheckService] = []
_LIVE_LOCK = threading.Lock()


class CheckService:
    """Snapshot, refresher and log writer of one server (one database)."""

    def __init__(
        self,
        database: Database,
        *,
        poll_seconds: float = 0.5,
        duty_seconds: float = 60.0,
        duties: Callable[[], object] | None = None,
    ) -> None:
        self.database = database
        self.holder = SnapshotHolder()
        self.writer = CheckWriter(database.engine, clock=utcnow)
        self._poll, self._duty_seconds, self._duties = poll_seconds, duty_seconds, duties
        self.stale = StaleProbe(database)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._batchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopBatcher] = weakref.WeakKeyDictionary()

    def start(self) -> None:
        """Start the log writer and the refresher; register for commits of this process."""
        self.writer.start()
        with _LIVE_LOCK:
            _LIVE.append(self)
        self._stop.clear()
        self._thread = threading.Thread(target=self._refresh_loop, name="check-snapshot", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with _LIVE_LOCK:
            if self in _LIVE:
                _LIVE.remove(self)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.writer.stop()
        self.stale.close()

    def snapshot(self) -> CheckSnapshot:
        current = self.holder.current
        return current if current is not None else self.refresh()

    def refresh(self) -> CheckSnapshot:
        """Bring the snapshot up to the database (only what changed, unless the handbook did) and switch to it."""
        with self._lock, transaction(self.database.readers) as session:
            policy = active_policy(session)
            current = self.holder.current
            if current is None or current.policy.hash != policy.hash:
                fresh = load_all(session, policy, built_at=utcnow())
            else:
                seen = int(current.cache.get("alias", 0))
                newest = last_alias(session)
                gen, version, states = load_changed(session, current.generation, seen)
                if gen == current.generation and newest == seen:
                    return current
                if gen < current.generation or newest < seen:  # the data was reset under us: start again
                    fresh = load_all(session, policy, built_at=utcnow())
                else:
                    fresh = current.updated(states, list_version=version, built_at=utcnow(), generation=gen)
                    fresh.cache["alias"] = newest
            self.holder.switch(fresh)
            return fresh

    def _refresh_loop(self) -> None:
        last_duty = 0.0
        ticks = 0.0
        while not self._stop.wait(self._poll):
            ticks += self._poll
            try:
                if self._duties is not None and ticks - last_duty >= self._duty_seconds:
                    last_duty = ticks
                    self._duties()
                self.refresh()
            except Exception:
                log.exception("refreshing the check snapshot failed; the previous snapshot stays in use")

    def same_database(self, session: Session) -> bool:
        bind = session.get_bind()
        return str(getattr(bind, "url", "")) == str(self.database.engine.url)

    def authorize(
        self, actor: Actor, service: str, *, fresh: bool = False, among: Iterable[str] | None = None
    ) -> CheckSnapshot:
        """The snapshot to check ``service`` against, once ``actor`` may check it and the handbook knows it.

        ``fresh`` (bulk screening): brought up to the database first, and the subjects written to but not yet
        followed into the lists (those ``among`` the identifiers screened, when given) evaluated afresh.
        """
        if not isinstance(service, str) or service not in actor.services:
            allowed = ", ".join(actor.services) or "none"
            raise Forbidden(f"this key may check the services {allowed}, not {service!r}", details={"service": service})
        snapshot = self.refresh() if fresh else self.snapshot()
        if service not in snapshot.services:
            raise InvalidInput(
                f"service: {service!r} is not a service of the active handbook",
                details=[{"field": "service", "reason": "unknown service"}],
            )
        if fresh:
            stale = stale_subjects(self.database)
            if among is not None:
                stale = sorted(set(stale).intersection(among))
            if len(stale) > MAX_FRESH:  # a large import not yet refreshed: the lists catch up within seconds
                log.warning("%d subjects await a standings refresh; screening them from the lists", len(stale))
                stale = []
            snapshot = self._with_fresh(snapshot, stale)
        return snapshot

    def _with_fresh(self, snapshot: CheckSnapshot, subjects: list[str]) -> CheckSnapshot:
        if not subjects:
            return snapshot
        moment = utcnow()
        states = fresh_states(self.database, subjects, now=moment)
        return snapshot.updated(
            states, list_version=snapshot.list_version, built_at=moment, generation=snapshot.generation
        )

    def decide(self, actor: Actor, identifier: str, service: str) -> CheckDecision:
        """Decide a check for ``actor`` (a relying party limited to its services) from the current snapshot."""
        snapshot = self.authorize(actor, service)
        found = classify(identifier)
        owner = self._alias_owner(snapshot, found)
        subject = owner or snapshot.subject_of(found.value) or (found.value if found.kind == "national-id" else None)
        if subject is not None and self.stale.is_stale(subject):
            snapshot = self._with_fresh(snapshot, [subject])
        return decide(snapshot, found, service, subject=owner)

    def _alias_owner(self, snapshot: CheckSnapshot, found: Identifier) -> str | None:
        """A passport the snapshot does not hold may have been linked since: ask the database."""
        if found.kind != "passport" or snapshot.entry(found.value) is not None:
            return None
        with transaction(self.database.readers) as session:
            return alias_owner(session, found.value)

    def entry(self, decision: CheckDecision, *, actor: Actor, purpose: str, at: datetime) -> Entry:
        """The log row of a decision (and the notice to the subject of a denial)."""
        row = {
            "decision_id": decision_id(),
            "checked_at": at,
            "party": actor.id,
            "purpose": purpose,
            "service": decision.service,
            "identifier": decision.identifier.value,
            "subject": decision.subject,
            "decision": decision.decision,
            "measures": ";".join(m.id for m in decision.verdict.measures) or None,
            "lists": ";".join(decision.verdict.lists) or None,
            "list_version": decision.list_version,
        }
        notice = None
        if decision.decision == DENY and decision.subject:
            policy = self.snapshot().policy
            notice = notice_body(decision, policy, party=actor.id, purpose=purpose, checked_at=at)
        return Entry(row, notice)

    async def check(self, *, actor: Actor, identifier: str, service: str, purpose: str) -> dict[str, Any]:
        """Decide, log durably, then answer (the answer of DESIGN §8 and issue 5)."""
        decision = self.decide(actor, identifier, service)
        entry = self.entry(decision, actor=actor, purpose=purpose_text(purpose), at=utcnow())
        await self._batcher().log(entry)
        return answer(decision, entry, self.snapshot())

    def _batcher(self) -> LoopBatcher:
        loop = asyncio.get_running_loop()
        batcher = self._batchers.get(loop)
        if batcher is None:
            batcher = self._batchers[loop] = LoopBatcher(self.writer, loop)
        return batcher


class LoopBatcher:
    """The checks of one event loop, handed to the log writer a group at a time: while one group commits,
    the next gathers (group commit without waiting on purpose, one wake-up of the loop per group)."""

    def __init__(self, writer: CheckWriter, loop: asyncio.AbstractEventLoop) -> None:
        self.writer, self.loop = writer, loop
        self.waiting: list[tuple[Entry, asyncio.Future[None]]] = []
        self.busy = False

    def log(self, entry: Entry) -> asyncio.Future[None]:
        """A future settled once ``entry`` is committed to the log (or with the error that stopped it)."""
        logged: asyncio.Future[None] = self.loop.create_future()
        self.waiting.append((entry, logged))
        if not self.busy:
            self._send()
        return logged

    def _send(self) -> None:
        group, self.waiting = self.waiting, []
        self.busy = True

        def done(error: BaseException | None) -> None:  # on the writer's thread
            if not self.loop.is_closed():  # else nobody waits any more
                self.loop.call_soon_threadsafe(self._settled, group, error)

        self.writer.submit(Group([entry for entry, _ in group], done))

    def _settled(self, group: list[tuple[Entry, asyncio.Future[None]]], error: BaseException | None) -> None:
        for _, logged in group:
            _settle(logged, error)
        if self.waiting:
            self._send()
        else:
            self.busy = False


def answer(decision: CheckDecision, entry: Entry, snapshot: CheckSnapshot) -> dict[str, Any]:
    body = decision.as_json(snapshot.policy)
    body["decision_id"] = entry.row["decision_id"]
    body["checked_at"] = entry.row["checked_at"].isoformat()
    return body


def purpose_text(purpose: str) -> str:
    text = purpose.strip() if isinstance(purpose, str) else ""
    if not text or len(text) > 200:
        raise InvalidInput(
            "purpose: say why you check (1 to 200 characters), e.g. ticket-sale",
            details=[{"field": "purpose", "reason": "required, at most 200 characters"}],
        )
    return text


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """A transaction that changed check data committed: refresh the snapshots of this process now."""
    if not session.info.pop(CHANGED, False):
        return
    with _LIVE_LOCK:
        services = [service for service in _LIVE if service.same_database(session)]
    for service in services:
        try:
            service.refresh()
        except Exception:
            log.exception("refreshing the check snapshot after a commit failed")


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(CHANGED, None)
