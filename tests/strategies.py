"""Hypothesis strategies: random record histories of one or more subjects under the test handbook."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import strategies as st

from socialcredit.records.schema import Record

from conftest import ORG, PERSON, PERSON2, TZ

FIXED_RULES = ["minus5", "plus1.capped", "plus4.points-cap", "litter", "drunk", "deed", "heroic"]
START = date(2023, 1, 1)
SUBJECTS = [PERSON, PERSON2, ORG]


@st.composite
def histories(draw: st.DrawFn, subjects: list[str] | None = None, max_facts: int = 12) -> list[Record]:
    """Facts (some pending, rejected, contested, recorded late) plus corrections, withdrawals, cures, repairs."""
    pool = subjects or [PERSON]
    facts = [draw(_fact(str(index), pool)) for index in range(draw(st.integers(0, max_facts)))]
    actions: list[Record] = []
    for index, fact in enumerate(facts):
        for number, kind in enumerate(
            draw(st.lists(st.sampled_from(["correct", "withdraw", "cure", "repair"]), max_size=2))
        ):
            actions.append(draw(_action(f"{index}-{number}", kind, fact)))
    return facts + actions


def _moment(day: date, delay_days: int, seconds: int) -> datetime:
    return datetime.combine(day, time.min, TZ) + timedelta(days=delay_days, seconds=seconds)


@st.composite
def _fact(draw: st.DrawFn, record_id: str, subjects: list[str]) -> Record:
    occurred = START + timedelta(days=draw(st.integers(0, 700)))
    source = draw(st.sampled_from(["s", "t", "court"]))
    rule = "defaulter" if source == "court" else draw(st.sampled_from([*FIXED_RULES, "other"]))
    points = draw(st.integers(-5000, -500)) if rule == "other" else None
    return Record(
        source=source,
        id=record_id,
        subject=draw(st.sampled_from(subjects)),
        rule=rule,
        occurred_on=occurred,
        recorded_at=_moment(occurred, draw(st.sampled_from([0, 0, 0, 1, 40, 400])), draw(st.integers(0, 86399))),
        points=points,
        reason="r" if points is not None else None,
        document="doc" if rule == "defaulter" else None,
        status=draw(st.sampled_from(["confirmed"] * 6 + ["pending", "rejected", "contested"])),
    )


@st.composite
def _action(draw: st.DrawFn, record_id: str, kind: str, fact: Record) -> Record:
    occurred = fact.occurred_on + timedelta(days=draw(st.integers(0, 500) if kind != "cure" else st.integers(0, 5)))
    rule = None
    points = None
    if kind == "correct":
        rule = "defaulter" if fact.source == "court" else draw(st.sampled_from(FIXED_RULES))
    return Record(
        source=fact.source,
        id=f"a{record_id}",
        subject=fact.subject,
        kind=kind,
        ref=fact.id,
        rule=rule,
        occurred_on=occurred,
        recorded_at=_moment(occurred, draw(st.sampled_from([0, 0, 2, 60])), draw(st.integers(0, 86399))),
        points=points,
        document="doc" if rule == "defaulter" else None,
    )


as_of_dates = st.integers(0, 1100).map(lambda offset: START + timedelta(days=offset))
