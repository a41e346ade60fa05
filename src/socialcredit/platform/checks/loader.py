"""Load the check snapshot from the database: all of it, or only what changed since a generation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from socialcredit.platform.checks.models import CheckSubject
from socialcredit.platform.checks.snapshot import CheckSnapshot, Membership, SubjectState, build_snapshot
from socialcredit.platform.lists.models import ListMember
from socialcredit.platform.lists.service import heads, membership
from socialcredit.platform.subjects.models import SubjectAlias
from socialcredit.policy.model import Policy

BATCH = 20_000


def _states(
    rows: Iterable[CheckSubject], members: dict[str, list[Membership]], aliases: dict[str, list[str]]
) -> list[SubjectState]:
    return [
        SubjectState(
            row.subject,
            row.grade,
            tuple(members.get(row.subject, ())),
            tuple(sorted(aliases.get(row.subject, ()))),
            row.next_change_on,
        )
        for row in rows
    ]


def load_all(session: Session, policy: Policy, *, built_at: datetime) -> CheckSnapshot:
    """The whole snapshot under ``policy`` (``built_at``: the moment it stands for)."""
    gen, version = heads(session)
    members: dict[str, list[Membership]] = defaultdict(list)
    for row in session.execute(select(ListMember).execution_options(yield_per=BATCH)).scalars():
        members[row.subject].append(membership(row))
    aliases: dict[str, list[str]] = defaultdict(list)
    for value, subject in session.execute(select(SubjectAlias.value, SubjectAlias.subject)):
        aliases[subject].append(value)
    newest = last_alias(session)
    rows = session.execute(select(CheckSubject).execution_options(yield_per=BATCH)).scalars()
    states = _states(rows, members, aliases)
    snapshot = build_snapshot(states, policy, list_version=version, built_at=built_at, generation=gen)
    snapshot.cache["alias"] = newest
    return snapshot


def last_alias(session: Session) -> int:
    """The newest alias (its key): aliases are linked without a standing changing, so they are followed apart."""
    return int(session.execute(select(func.max(SubjectAlias.pk))).scalar_one() or 0)


def load_changed(session: Session, since: int, alias_since: int = 0) -> tuple[int, int, list[SubjectState]]:
    """``(generation, list version, states)`` of the subjects whose check data changed after generation
    ``since``, or who got a passport alias after alias key ``alias_since``."""
    gen, version = heads(session)
    linked = select(SubjectAlias.subject).where(SubjectAlias.pk > alias_since)
    relinked = set(session.execute(linked).scalars()) if alias_since < last_alias(session) else set()
    if gen <= since and not relinked:
        return gen, version, []
    changed = (CheckSubject.gen > since) | CheckSubject.subject.in_(sorted(relinked))
    rows = list(session.execute(select(CheckSubject).where(changed)).scalars())
    members: dict[str, list[Membership]] = defaultdict(list)
    aliases: dict[str, list[str]] = defaultdict(list)
    listed = select(ListMember).join(CheckSubject, CheckSubject.subject == ListMember.subject).where(changed)
    for row in session.execute(listed).scalars():  # joined, not a long IN (...) list of the subjects
        members[row.subject].append(membership(row))
    pairs = select(SubjectAlias.value, SubjectAlias.subject).join(
        CheckSubject, CheckSubject.subject == SubjectAlias.subject
    )
    for value, subject in session.execute(pairs.where(changed)):
        aliases[subject].append(value)
    return gen, version, _states(rows, members, aliases)


def alias_owner(session: Session, passport: str) -> str | None:
    """The national id a passport number is linked to, if any."""
    query = select(SubjectAlias.subject).where(SubjectAlias.value == passport)
    return session.execute(query).scalar_one_or_none()
