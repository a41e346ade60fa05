"""The in-memory check snapshot: identifier (national id or alias) → list memberships and measures per service.

Pure: built from :class:`SubjectState` values (what a standing says about lists and grade) and the handbook.
Subjects that share the same lists and grade share one :class:`Profile`, whose verdict for every service is
computed once when the snapshot is built; a check is then two dictionary look-ups. A snapshot never changes:
:meth:`CheckSnapshot.updated` returns a new one, and :class:`SnapshotHolder` switches the current snapshot by
replacing one reference, so a check sees either the old or the new snapshot, never a mixture.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from socialcredit.policy.model import Policy
from socialcredit.scoring import standing as st
from socialcredit.scoring.standing import Standing

ALLOW, DENY = "allow", "deny"
MERGE_AT = 10_000  # merge the overlay of recent changes into the base once it is this large (or 1/8 of it)


@dataclass(frozen=True, slots=True)
class Behind:
    """A record that holds a subject on a list (an in-force fact of one of the list's rules)."""

    source: str
    record: str
    rule: str


@dataclass(frozen=True, slots=True)
class Membership:
    """A subject on a list: since/until (rule-based lists) and the records behind it."""

    list_id: str
    since: date | None = None
    until: date | None = None
    records: tuple[Behind, ...] = ()


@dataclass(frozen=True, slots=True)
class SubjectState:
    """What checks need to know of one subject: its grade, its lists, its aliases (passport numbers)."""

    subject: str
    grade: str | None
    lists: tuple[Membership, ...] = ()
    aliases: tuple[str, ...] = ()
    next_change_on: date | None = None

    @property
    def list_ids(self) -> frozenset[str]:
        return frozenset(member.list_id for member in self.lists)


def state_from_standing(standing: Standing, policy: Policy, aliases: Iterable[str] = ()) -> SubjectState:
    """The check-relevant part of a standing, with the in-force records behind each rule-based list."""
    members = {definition.id: set(definition.members.rules) for definition in policy.lists}
    in_force = [c for c in standing.contributions if c.status in st.IN_FORCE]
    lists = tuple(
        Membership(
            entry.id,
            entry.since,
            entry.until,
            tuple(Behind(c.source, c.record, c.rule) for c in in_force if c.rule in members.get(entry.id, ())),
        )
        for entry in standing.lists
    )
    return SubjectState(standing.subject, standing.grade, lists, tuple(sorted(aliases)), standing.next_change_on)


@dataclass(frozen=True, slots=True)
class Applied:
    """A measure that applies to a subject for a service, and what triggered it (lists held, or the grade)."""

    id: str
    title: str
    service: str
    effect: str
    legal_basis: str
    lists: tuple[str, ...]
    grade: str | None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision for one service: deny if any applicable measure denies it (DESIGN §7 step 9)."""

    decision: str
    measures: tuple[Applied, ...] = ()

    @property
    def lists(self) -> tuple[str, ...]:
        """The lists behind the applicable measures, in handbook order of first mention."""
        return tuple(dict.fromkeys(name for measure in self.measures for name in measure.lists))

    @property
    def legal_basis(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(measure.legal_basis for measure in self.measures))


NOTHING = Verdict(ALLOW)


def verdicts(policy: Policy, lists: frozenset[str], grade: str | None) -> dict[str, Verdict]:
    """Service → verdict for a subject on ``lists`` with ``grade``; services with no applicable measure omitted."""
    by_service: dict[str, list[Applied]] = {}
    for measure in policy.measures:
        held = tuple(name for name in measure.when.lists if name in lists)
        by_grade = grade if grade is not None and grade in measure.when.grades else None
        if held or by_grade:
            applied = Applied(
                measure.id, measure.title, measure.service, measure.effect, measure.legal_basis, held, by_grade
            )
            by_service.setdefault(measure.service, []).append(applied)
    return {
        service: Verdict(DENY if any(m.effect == "deny" for m in applied) else ALLOW, tuple(applied))
        for service, applied in by_service.items()
    }


@dataclass(frozen=True, slots=True)
class Profile:
    """Lists and grade shared by many subjects, with its verdict for every service that has one."""

    lists: frozenset[str]
    grade: str | None
    by_service: Mapping[str, Verdict]

    def verdict(self, service: str) -> Verdict:
        return self.by_service.get(service, NOTHING)

    @property
    def empty(self) -> bool:
        return not self.lists and not self.by_service


Entry = tuple[str, Profile]  # (national id, profile)


@dataclass(frozen=True, slots=True)
class Found:
    """The outcome of a look-up: the national id (None when the platform holds nothing) and the verdict."""

    subject: str | None
    verdict: Verdict
    state: SubjectState | None


class _Profiles:
    """Interns profiles by (lists, grade), computing each one's verdicts once."""

    def __init__(self, policy: Policy, known: Iterable[Profile] = ()) -> None:
        self.policy = policy
        self.cache: dict[tuple[frozenset[str], str | None], Profile] = {(p.lists, p.grade): p for p in known}

    def get(self, lists: frozenset[str], grade: str | None) -> Profile:
        key = (lists, grade)
        profile = self.cache.get(key)
        if profile is None:
            profile = Profile(lists, grade, MappingProxyType(verdicts(self.policy, lists, grade)))
            self.cache[key] = profile
        return profile


@dataclass(frozen=True, eq=False)
class CheckSnapshot:
    """An immutable snapshot: identifier → (national id, profile), plus the states of listed subjects."""

    policy: Policy
    list_version: int
    built_at: datetime
    base: Mapping[str, Entry]
    overlay: Mapping[str, Entry] = field(default_factory=dict)
    states: Mapping[str, SubjectState] = field(default_factory=dict)
    profiles: tuple[Profile, ...] = ()
    generation: int = 0  # the generation of the check data it was loaded at (``check_state.gen``)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # derived frames (bulk screening), lazily

    @functools.cached_property
    def services(self) -> frozenset[str]:
        """The services the handbook has measures for."""
        return frozenset(measure.service for measure in self.policy.measures)

    def entry(self, key: str) -> Entry | None:
        """The entry of a normalised identifier (overlay of recent changes first)."""
        found = self.overlay.get(key)
        return found if found is not None else self.base.get(key)

    def find(self, key: str, service: str) -> Found:
        """The verdict for ``service`` on the subject a normalised identifier names (allow when unknown)."""
        entry = self.entry(key)
        if entry is None:
            return Found(None, NOTHING, None)
        subject, profile = entry
        return Found(subject, profile.verdict(service), self.states.get(subject))

    def subject_of(self, key: str) -> str | None:
        entry = self.entry(key)
        return entry[0] if entry is not None else None

    def __len__(self) -> int:
        return len(self.base) + sum(1 for key in self.overlay if key not in self.base)

    def items(self) -> Iterable[tuple[str, Entry]]:
        """Every (identifier, entry), overlay applied; entries with an empty profile are left out."""
        for key, entry in self.base.items():
            if key not in self.overlay and not entry[1].empty:
                yield key, entry
        for key, entry in self.overlay.items():
            if not entry[1].empty:
                yield key, entry

    def updated(
        self, states: Iterable[SubjectState], *, list_version: int, built_at: datetime, generation: int = 0
    ) -> CheckSnapshot:
        """A new snapshot with these subjects' states replaced (the old snapshot is left untouched)."""
        profiles = _Profiles(self.policy, self.profiles)
        overlay = dict(self.overlay)
        kept = dict(self.states)
        for state in states:
            entry = (state.subject, profiles.get(state.list_ids, state.grade))
            for key in (state.subject, *state.aliases):
                overlay[key] = entry
            if state.lists:
                kept[state.subject] = state
            else:
                kept.pop(state.subject, None)
        base: Mapping[str, Entry] = self.base
        if len(overlay) >= max(MERGE_AT, len(base) // 8):
            base = {**base, **overlay}
            base = {key: entry for key, entry in base.items() if not entry[1].empty}
            overlay = {}
        return CheckSnapshot(self.policy, list_version, built_at, base, overlay, kept, tuple(profiles.cache.values()))


def build_snapshot(
    states: Iterable[SubjectState], policy: Policy, *, list_version: int, built_at: datetime, generation: int = 0
) -> CheckSnapshot:
    """A snapshot of ``states`` under ``policy``; subjects with nothing that matters to a check are left out."""
    profiles = _Profiles(policy)
    keys: dict[str, Entry] = {}
    listed: dict[str, SubjectState] = {}
    for state in states:
        profile = profiles.get(state.list_ids, state.grade)
        if profile.empty:
            continue
        entry = (state.subject, profile)
        keys[state.subject] = entry
        for alias in state.aliases:
            keys[alias] = entry
        if state.lists:
            listed[state.subject] = state
    return CheckSnapshot(policy, list_version, built_at, keys, {}, listed, tuple(profiles.cache.values()), generation)


class SnapshotHolder:
    """Holds the current snapshot; :meth:`switch` replaces it with one reference assignment (atomic)."""

    def __init__(self, snapshot: CheckSnapshot | None = None) -> None:
        self._current = snapshot

    @property
    def current(self) -> CheckSnapshot | None:
        return self._current

    def switch(self, snapshot: CheckSnapshot) -> CheckSnapshot | None:
        """Make ``snapshot`` current; return the one it replaced."""
        previous, self._current = self._current, snapshot
        return previous
