"""Invariants of the per-subject engine (Hypothesis): order, late records, determinism, arithmetic."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.policy.money import to_cents
from socialcredit.records.schema import Record
from socialcredit.scoring import evaluate

from conftest import PERSON, TZ, make_policy
from strategies import as_of_dates, histories

POLICY = make_policy()


def _json(records: list[Record], as_of: date, known_at: datetime | None = None) -> dict[str, Any]:
    return evaluate(records, POLICY, as_of, known_at, subject=PERSON).as_json()


@settings(max_examples=150, deadline=None)
@given(histories(), as_of_dates, st.randoms(use_true_random=False))
def test_order_of_records_does_not_matter(records: list[Record], as_of: date, random: Any) -> None:
    shuffled = list(records)
    random.shuffle(shuffled)
    assert _json(shuffled, as_of) == _json(records, as_of)


@settings(max_examples=150, deadline=None)
@given(histories(), as_of_dates, histories(max_facts=4))
def test_records_recorded_after_known_at_change_nothing(
    records: list[Record], as_of: date, extra: list[Record]
) -> None:
    known_at = datetime.combine(as_of, time.max, TZ)
    late = [_renamed(r, known_at + timedelta(seconds=1 + i)) for i, r in enumerate(extra)]
    before, after = _json(records, as_of), _json(records + late, as_of)
    after["contributions"] = [
        c for c in after["contributions"] if c["status"] != "not-yet-known" or c["record"][0] != "L"
    ]
    assert after == before


def _renamed(record: Record, recorded_at: datetime) -> Record:
    from dataclasses import replace

    ref = f"L{record.ref}" if record.ref else None
    return replace(record, id=f"L{record.id}", ref=ref, recorded_at=recorded_at)


@settings(max_examples=100, deadline=None)
@given(histories(), as_of_dates)
def test_evaluating_is_deterministic(records: list[Record], as_of: date) -> None:
    assert _json(records, as_of) == _json(list(records), as_of)


@settings(max_examples=150, deadline=None)
@given(histories(), as_of_dates)
def test_points_are_start_plus_counted_contributions(records: list[Record], as_of: date) -> None:
    data = _json(records, as_of)
    total = sum(to_cents(c["points"]) for c in data["contributions"])
    assert to_cents(data["points"]) == POLICY.scale.start + total
    assert all(c["points"] == "0" for c in data["contributions"] if c["status"] != "counted")
    if data["next_change_on"] is not None:
        assert date.fromisoformat(data["next_change_on"]) > as_of
