"""The check snapshot and decision (pure): exact-key look-ups by national id and alias, verdicts that agree
with the engine, explanations, atomic switching, and bulk screening that matches single look-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from socialcredit.errors import IdentifierError
from socialcredit.identity import make_ric
from socialcredit.platform.checks.decision import classify, decide
from socialcredit.platform.checks.screen import screen
from socialcredit.platform.checks.snapshot import (
    Membership,
    SnapshotHolder,
    SubjectState,
    build_snapshot,
    state_from_standing,
    verdicts,
)
from socialcredit.scoring import evaluate

from conftest import ORG, PERSON, PERSON2, make_policy, rec

NOW = datetime(2025, 6, 1, tzinfo=UTC)
PASSPORT = "E12345678"


def defaulter_state(subject: str = PERSON, aliases: tuple[str, ...] = (PASSPORT,)) -> SubjectState:
    return SubjectState(subject, "C", (Membership("defaulters", date(2025, 1, 2), date(2027, 1, 2)),), aliases)


def snapshot(*states: SubjectState, version: int = 7):  # type: ignore[no-untyped-def]
    return build_snapshot(states, make_policy(), list_version=version, built_at=NOW)


def test_a_defaulter_is_denied_air_travel_by_id_and_by_passport() -> None:
    snap = snapshot(defaulter_state(), SubjectState(PERSON2, "A"))
    for raw in (PERSON, " e1234-5678 ", PASSPORT):
        decision = decide(snap, classify(raw), "air-travel")
        assert decision.decision == "deny"
        assert decision.subject == PERSON
        assert [m.id for m in decision.verdict.measures] == ["no-air"]
        assert decision.verdict.lists == ("defaulters",)
        assert decision.verdict.legal_basis == ("SPC art. 3(1)",)
        assert decision.list_version == 7
    assert "measure no-air" in decision.explanation and "list defaulters" in decision.explanation


def test_others_are_allowed_and_benefits_are_listed() -> None:
    snap = snapshot(defaulter_state(), SubjectState(PERSON2, "A"))
    assert decide(snap, classify(PERSON), "bike-rental").decision == "allow"
    unknown = decide(snap, classify(ORG), "air-travel")
    assert (unknown.decision, unknown.subject, unknown.verdict.measures) == ("allow", ORG, ())
    assert "no measure" in unknown.explanation
    bike = decide(snap, classify(PERSON2), "bike-rental")
    assert bike.decision == "allow" and [m.effect for m in bike.verdict.measures] == ["benefit"]
    assert "grade is A" in bike.explanation
    stranger = decide(snap, classify("G00000001"), "air-travel")
    assert stranger.subject is None and stranger.decision == "allow"


def test_the_answer_names_measures_lists_and_basis_only() -> None:
    policy = make_policy()
    answer = decide(snapshot(defaulter_state()), classify(PASSPORT), "air-travel").as_json(policy)
    assert answer["lists"] == [{"id": "defaulters", "kind": "black", "title": "Defaulters"}]
    assert answer["measures"][0]["id"] == "no-air"
    assert PERSON not in str(answer)  # a passport check does not reveal the national id behind it


def test_a_malformed_identifier_is_refused_with_the_reason() -> None:
    with pytest.raises(IdentifierError) as raised:
        classify("360426199101010072")
    assert "check digit" in raised.value.message
    with pytest.raises(IdentifierError):
        classify("hello")


def test_verdicts_agree_with_the_engine() -> None:
    policy = make_policy()
    records = [rec("d1", "defaulter", "2024-06-01", source="court", document="(2024)1")]
    standing = evaluate(records, policy, date(2024, 7, 1))
    state = state_from_standing(standing, policy, aliases=[PASSPORT])
    engine = {(m.service, m.id) for m in standing.measures}
    ours = {(s, m.id) for s, v in verdicts(policy, state.list_ids, state.grade).items() for m in v.measures}
    assert ours == engine and ("air-travel", "no-air") in ours
    [member] = state.lists
    assert (member.list_id, member.since, [b.record for b in member.records]) == (
        "defaulters",
        date(2024, 6, 1),
        ["d1"],
    )


def test_updates_make_a_new_snapshot_and_the_holder_switches_atomically() -> None:
    old = snapshot(defaulter_state())
    holder = SnapshotHolder(old)
    new = old.updated([SubjectState(PERSON, "A", (), (PASSPORT,))], list_version=8, built_at=NOW)
    assert decide(old, classify(PASSPORT), "air-travel").decision == "deny"  # the old one is untouched
    assert holder.switch(new) is old and holder.current is new
    assert decide(new, classify(PASSPORT), "air-travel").decision == "allow"
    assert decide(new, classify(PERSON), "air-travel").list_version == 8
    back = new.updated([defaulter_state(PERSON2, ())], list_version=9, built_at=NOW)
    assert decide(back, classify(PERSON2), "air-travel").decision == "deny"
    assert PERSON not in back.states and PERSON2 in back.states


def test_screening_matches_single_look_ups_in_input_order() -> None:
    people = [make_ric("110105", date(1960 + i, 1 + i % 12, 1 + i), i + 1) for i in range(20)]
    states = [defaulter_state(p, (f"E{i:08d}",)) if i % 3 == 0 else SubjectState(p, "A") for i, p in enumerate(people)]
    snap = snapshot(*states)
    given = [*people, "e0000 0003", "E00000003", "not-an-id", PERSON, ORG, "91110000600037341M", None]
    out = screen(snap, pl.Series(given, dtype=pl.String), "air-travel")
    assert out["identifier"].to_list() == given
    for identifier, decision, measures in zip(given[:20], out["decision"], out["measures"], strict=False):
        assert decision == decide(snap, classify(identifier), "air-travel").decision
        assert measures == ("no-air" if decision == "deny" else "")
    assert out["decision"].to_list()[20:] == ["deny", "deny", "invalid", "allow", "allow", "invalid", "invalid"]
    assert out["lists"][0] == "defaulters"
