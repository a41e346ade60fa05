"""List services: follow the standings (a new list version per change of membership), read a list at a
version, the changes since a version, and the state of the check data.

:func:`follow` is called for every batch of standings the platform stores, in the same transaction: it
compares each subject's lists with ``list_members``, appends the adds and removes under the next list
version (audited), and stamps the check data with a new generation so that running servers refresh.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from socialcredit.platform.audit import service as audit
from socialcredit.platform.checks.models import CheckState, CheckSubject
from socialcredit.platform.checks.snapshot import Behind, Membership, SubjectState, state_from_standing
from socialcredit.platform.lists.diff import ADD, REMOVE
from socialcredit.platform.lists.models import ListChange, ListMember, ListVersion
from socialcredit.policy.model import Policy
from socialcredit.scoring.standing import Standing

CHUNK = 2000
CHANGED = "socialcredit.checks.changed"  # session.info key: the check data changed in this transaction


def check_state(session: Session, *, lock: bool = False) -> CheckState:
    """The one row of check state (created when missing); ``lock`` takes it for update."""
    query = select(CheckState).where(CheckState.id == 1)
    row = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if row is None:
        row = CheckState(id=1, gen=0, list_version=0, policy_hash=None)
        session.add(row)
        session.flush()
    return row


def heads(session: Session) -> tuple[int, int]:
    """``(generation, list version)`` of the check data, without writing anything (0, 0 when none)."""
    row = session.execute(select(CheckState.gen, CheckState.list_version).where(CheckState.id == 1)).first()
    return (row[0], row[1]) if row else (0, 0)


def records_json(member: Membership) -> str:
    return json.dumps([[b.source, b.record, b.rule] for b in member.records], separators=(",", ":"))


def membership(row: ListMember) -> Membership:
    behind = tuple(Behind(*item) for item in json.loads(row.records or "[]"))
    return Membership(row.list_id, row.since, row.until, behind)


@dataclass(slots=True)
class _Delta:
    changes: list[tuple[str, str, str, date | None, date | None]]  # list, subject, change, since, until
    members: dict[str, list[Membership]]  # subject → its memberships now (subjects whose memberships changed)
    kept_versions: dict[tuple[str, str], int]
    index: list[SubjectState]  # subjects whose check data changed


def follow(session: Session, *, standings: Sequence[Standing], policy: Policy) -> int | None:
    """Bring lists and check data in step with ``standings``; return the new list version, if any."""
    if not standings:
        return None
    states = [state_from_standing(standing, policy) for standing in standings]
    delta = _delta(session, states)
    if not delta.index:
        return None
    audit.next_seq(session)  # lock the audit chain first: writers are serialised in one order
    state = check_state(session, lock=True)
    state.gen += 1
    version = None
    if delta.changes:
        version = _append_version(session, delta.changes, state.list_version + 1, standings[0].known_at)
        state.list_version = version
    _store_members(session, delta, version or state.list_version)
    _store_index(session, delta.index, state.gen)
    state.policy_hash = policy.hash
    session.info[CHANGED] = True
    return version


def _delta(session: Session, states: list[SubjectState]) -> _Delta:
    subjects = [state.subject for state in states]
    old_members: dict[str, dict[str, ListMember]] = {}
    old_index: dict[str, CheckSubject] = {}
    for start in range(0, len(subjects), CHUNK):
        part = subjects[start : start + CHUNK]
        for row in session.execute(select(ListMember).where(ListMember.subject.in_(part))).scalars():
            old_members.setdefault(row.subject, {})[row.list_id] = row
        old_index.update(
            (row.subject, row)
            for row in session.execute(select(CheckSubject).where(CheckSubject.subject.in_(part))).scalars()
        )
    delta = _Delta([], {}, {}, [])
    for state in states:
        old = old_members.get(state.subject, {})
        new = {member.list_id: member for member in state.lists}
        delta.changes += [(name, state.subject, ADD, m.since, m.until) for name, m in new.items() if name not in old]
        delta.changes += [(name, state.subject, REMOVE, r.since, r.until) for name, r in old.items() if name not in new]
        moved = old.keys() != new.keys() or any(membership(old[name]) != member for name, member in new.items())
        if moved:
            delta.members[state.subject] = list(state.lists)
            delta.kept_versions.update(((name, state.subject), row.version) for name, row in old.items())
        index = old_index.get(state.subject)
        if moved or index is None or (index.grade, index.next_change_on) != (state.grade, state.next_change_on):
            delta.index.append(state)
    return delta


def _append_version(
    session: Session, changes: list[tuple[str, str, str, date | None, date | None]], version: int, at: datetime
) -> int:
    seq = audit.next_seq(session)
    rows = [
        {
            "version": version,
            "list_id": name,
            "subject": subject,
            "change": change,
            "since": since,
            "until": until,
            "audit_seq": seq,
        }
        for name, subject, change, since, until in sorted(changes)
    ]
    head = {"version": version, "at": at, "changes": len(rows), "audit_seq": seq}
    covered = {
        "list_versions": audit.add_rows(session, ListVersion, [head]),
        "list_changes": audit.add_rows(session, ListChange, rows),
    }
    counts: dict[str, dict[str, int]] = {}
    for name, _, change, _, _ in changes:
        counts.setdefault(name, {ADD: 0, REMOVE: 0})[change] += 1
    audit.append(
        session,
        seq=seq,
        actor="platform",
        action="lists.change",
        object=f"lists:{','.join(sorted(counts))}",
        payload={"version": version, "changes": counts},
        covered=covered,
        at=at,
    )
    return version


def _store_members(session: Session, delta: _Delta, version: int) -> None:
    subjects = sorted(delta.members)
    for start in range(0, len(subjects), CHUNK):
        session.execute(delete(ListMember).where(ListMember.subject.in_(subjects[start : start + CHUNK])))
    rows = [
        {
            "list_id": member.list_id,
            "subject": subject,
            "since": member.since,
            "until": member.until,
            "records": records_json(member),
            "version": delta.kept_versions.get((member.list_id, subject), version),
        }
        for subject in subjects
        for member in delta.members[subject]
    ]
    if rows:
        session.execute(insert(ListMember), rows)


def _store_index(session: Session, states: list[SubjectState], gen: int) -> None:
    subjects = [state.subject for state in states]
    for start in range(0, len(subjects), CHUNK):
        session.execute(delete(CheckSubject).where(CheckSubject.subject.in_(subjects[start : start + CHUNK])))
    rows = [{"subject": s.subject, "grade": s.grade, "next_change_on": s.next_change_on, "gen": gen} for s in states]
    session.execute(insert(CheckSubject), rows)


@dataclass(frozen=True, slots=True)
class Entry:
    """A member of a list at a version: since, until, and the version that added it."""

    subject: str
    since: date | None
    until: date | None
    added_in: int

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "added_in": self.added_in,
        }


def members_at(session: Session, *, list_id: str, version: int | None = None) -> tuple[int, list[Entry]]:
    """The members of ``list_id`` at ``version`` (default: now), by subject; and the version answered."""
    head = heads(session)[1]
    if version is None or version >= head:
        rows = session.execute(select(ListMember).where(ListMember.list_id == list_id).order_by(ListMember.subject))
        return head, [Entry(r.subject, r.since, r.until, r.version) for r in rows.scalars()]
    query = (
        select(ListChange)
        .where(ListChange.list_id == list_id, ListChange.version <= version)
        .order_by(ListChange.version, ListChange.pk)
    )
    current: dict[str, Entry] = {}
    for change in session.execute(query).scalars():
        if change.change == ADD:
            current[change.subject] = Entry(change.subject, change.since, change.until, change.version)
        else:
            current.pop(change.subject, None)
    return version, [current[subject] for subject in sorted(current)]


def changes_since(session: Session, *, list_id: str, since: int, limit: int = 1000) -> tuple[int, list[ListChange]]:
    """The changes of ``list_id`` after version ``since`` (oldest first, at most ``limit``), and the head version."""
    query = (
        select(ListChange)
        .where(ListChange.list_id == list_id, ListChange.version > since)
        .order_by(ListChange.version, ListChange.pk)
        .limit(limit)
    )
    return heads(session)[1], list(session.execute(query).scalars())


def version_times(session: Session, versions: Iterable[int]) -> dict[int, datetime]:
    wanted = sorted(set(versions))
    if not wanted:
        return {}
    rows = session.execute(select(ListVersion.version, ListVersion.at).where(ListVersion.version.in_(wanted)))
    return dict(rows.all())


def current_lists(session: Session, *, subject: str) -> list[Membership]:
    """The lists a subject is on now, with the records behind each."""
    rows = session.execute(select(ListMember).where(ListMember.subject == subject).order_by(ListMember.list_id))
    return [membership(row) for row in rows.scalars()]
