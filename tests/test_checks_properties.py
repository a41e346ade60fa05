"""Invariants of checks and lists (Hypothesis): a check decides exactly as the engine's measures say; bulk
screening agrees with single checks; a snapshot updated with new states equals one built from scratch; list
diffs replay to the new lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.identity import make_ric
from socialcredit.platform.checks.decision import classify, decide
from socialcredit.platform.checks.screen import screen
from socialcredit.platform.checks.snapshot import Membership, SubjectState, build_snapshot, state_from_standing
from socialcredit.platform.lists.diff import by_list, diff, replay
from socialcredit.scoring import evaluate

from conftest import PERSON, make_policy
from strategies import histories

POLICY = make_policy()
PEOPLE = [make_ric("110105", date(1970 + i, 1 + i % 12, 1 + i), i + 1) for i in range(8)]
NOW = datetime(2025, 1, 1, tzinfo=UTC)
SERVICES = sorted({measure.service for measure in POLICY.measures})


def states() -> st.SearchStrategy[list[SubjectState]]:
    state = st.builds(
        lambda subject, grade, lists, alias: SubjectState(
            subject, grade, tuple(Membership(name) for name in sorted(lists)), (alias,) if alias else ()
        ),
        st.sampled_from(PEOPLE),
        st.sampled_from(["A", "B", "C", None]),
        st.sets(st.sampled_from(["defaulters", "low"])),
        st.one_of(st.none(), st.from_regex(r"E[0-9]{8}", fullmatch=True)),
    )
    return st.lists(state, max_size=8, unique_by=lambda s: s.subject).filter(
        lambda found: len({a for s in found for a in s.aliases}) == sum(len(s.aliases) for s in found)
    )


@settings(max_examples=60, deadline=None)
@given(histories(), st.dates(date(2023, 1, 1), date(2025, 6, 30)))
def test_a_check_decides_as_the_engine_measures_say(records: list, day: date) -> None:  # type: ignore[type-arg]
    standing = evaluate(records, POLICY, day, subject=PERSON)
    snapshot = build_snapshot([state_from_standing(standing, POLICY)], POLICY, list_version=1, built_at=NOW)
    for service in SERVICES:
        assert decide(snapshot, classify(PERSON), service).decision == standing.decision(service)


@settings(max_examples=60, deadline=None)
@given(states(), st.sampled_from(SERVICES))
def test_bulk_screening_agrees_with_single_checks(found: list[SubjectState], service: str) -> None:
    snapshot = build_snapshot(found, POLICY, list_version=1, built_at=NOW)
    keys = [*PEOPLE, *(alias for state in found for alias in state.aliases)]
    out = screen(snapshot, keys, service)
    single = [decide(snapshot, classify(key), service) for key in keys]
    assert out["decision"].to_list() == [d.decision for d in single]
    assert out["measures"].to_list() == [";".join(m.id for m in d.verdict.measures) for d in single]


@settings(max_examples=60, deadline=None)
@given(states(), states())
def test_an_updated_snapshot_answers_like_a_fresh_one(before: list[SubjectState], after: list[SubjectState]) -> None:
    aliases_after = {a for s in after for a in s.aliases}
    before = [s for s in before if not set(s.aliases) & aliases_after]  # an alias belongs to one person
    merged = {s.subject: s for s in before} | {s.subject: s for s in after}
    updated = build_snapshot(before, POLICY, list_version=1, built_at=NOW).updated(after, list_version=2, built_at=NOW)
    fresh = build_snapshot(merged.values(), POLICY, list_version=2, built_at=NOW)
    for key in [*PEOPLE, *aliases_after]:
        for service in SERVICES:
            assert decide(updated, classify(key), service).verdict == decide(fresh, classify(key), service).verdict


@given(
    st.dictionaries(st.sampled_from(PEOPLE), st.frozensets(st.sampled_from(["a", "b", "c"]))),
    st.dictionaries(st.sampled_from(PEOPLE), st.frozensets(st.sampled_from(["a", "b", "c"]))),
)
def test_list_diffs_replay_to_the_new_lists(before: dict, after: dict) -> None:  # type: ignore[type-arg]
    changes = diff(before, after)
    replayed = {name: members for name, members in replay(changes, by_list(before)).items() if members}
    assert replayed == by_list(after)
    assert diff(before, before) == []
