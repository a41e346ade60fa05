"""List version diffs: who was added to and removed from each list between two membership snapshots (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ADD, REMOVE = "add", "remove"

Memberships = Mapping[str, frozenset[str]]  # subject → the lists it is on


@dataclass(frozen=True, slots=True, order=True)
class Change:
    """One change of membership: ``subject`` was added to or removed from ``list_id``."""

    list_id: str
    subject: str
    change: str

    def as_json(self) -> dict[str, str]:
        return {"list": self.list_id, "subject": self.subject, "change": self.change}


def diff(before: Memberships, after: Memberships) -> list[Change]:
    """The changes that turn ``before`` into ``after``, sorted by list, subject, change.

    A subject missing from one side is on no list there.
    """
    changes = []
    for subject in before.keys() | after.keys():
        old, new = before.get(subject, frozenset()), after.get(subject, frozenset())
        changes += [Change(name, subject, ADD) for name in new - old]
        changes += [Change(name, subject, REMOVE) for name in old - new]
    return sorted(changes)


def replay(changes: Iterable[Change], start: Mapping[str, frozenset[str]] | None = None) -> dict[str, set[str]]:
    """List → members after applying ``changes`` in order to ``start`` (list → members)."""
    members: dict[str, set[str]] = {name: set(subjects) for name, subjects in (start or {}).items()}
    for change in changes:
        group = members.setdefault(change.list_id, set())
        if change.change == ADD:
            group.add(change.subject)
        else:
            group.discard(change.subject)
    return members


def by_list(memberships: Memberships) -> dict[str, set[str]]:
    """Subject → lists turned around: list → subjects."""
    members: dict[str, set[str]] = {}
    for subject, lists in memberships.items():
        for name in lists:
            members.setdefault(name, set()).add(subject)
    return members
