"""The columnar engine equals the per-subject engine (Hypothesis): random handbooks, random records.

For every subject, ``standings_json`` must equal ``evaluate(...).as_json()`` (points, grade, lists with
since/until, measures, explanation, next change), and ``score_frame`` must agree with both.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcredit.policy.load import policy_from_dict
from socialcredit.policy.model import Policy
from socialcredit.records.schema import Record
from socialcredit.scoring import evaluate
from socialcredit.scoring.columnar import score_frame, standings_json
from socialcredit.scoring.frames import from_records

from conftest import ORG, PERSON, PERSON2, TZ, make_policy
from strategies import as_of_dates, histories

START = date(2023, 1, 1)
SUBJECTS = [PERSON, PERSON2, ORG]
SERVICES = ["air-travel", "rail", "bike-rental"]


def _duration(draw: st.DrawFn, *, allow_zero: bool = False) -> str:
    months, days = draw(st.integers(0, 30)), draw(st.sampled_from([0, 0, 1, 3, 10, 45]))
    if not (months or days or allow_zero):
        days = 1
    return f"P{months}M{days}D"


def _points(draw: st.DrawFn) -> str:
    cents = draw(st.integers(1, 6000)) * draw(st.sampled_from([1, -1, -1]))
    return str(Decimal(cents) / 100)


@st.composite
def _rule(draw: st.DrawFn, index: int, grades: list[str]) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": f"r{index}",
        "title": f"Rule {index}",
        "category": "community",
        "severity": "minor",
        "legal_basis": "Test law",
    }
    if draw(st.booleans()) and index % 3 == 2:
        low = draw(st.integers(-6000, 5000))
        rule["points"] = [str(Decimal(low) / 100), str(Decimal(low + draw(st.integers(1, 3000))) / 100)]
    else:
        rule["points"] = _points(draw)
    if draw(st.booleans()):
        rule["counts_for"] = _duration(draw, allow_zero=True)
    if draw(st.integers(0, 3)) == 0:
        rule["notice"] = {"cure_within": _duration(draw)}
    cap_kind = draw(st.sampled_from([None, None, "count", "points"]))
    per = draw(st.sampled_from(["month", "quarter", "year"]))
    if cap_kind == "count":
        rule["cap"] = {"count": draw(st.integers(1, 3)), "per": per}
    elif cap_kind == "points":
        rule["cap"] = {"points": str(Decimal(draw(st.integers(1, 8000))) / 100), "per": per}
    if draw(st.integers(0, 4)) == 0:
        rule["grade_ceiling"] = draw(st.sampled_from(grades))
    return rule


@st.composite
def handbooks(draw: st.DrawFn) -> Policy:
    """A random, valid handbook exercising every feature of DESIGN §7."""
    names = [f"G{index}" for index in range(draw(st.integers(1, 4)))]
    mins = sorted(
        draw(st.lists(st.integers(50000, 150000), min_size=len(names) - 1, max_size=len(names) - 1, unique=True)),
        reverse=True,
    )
    grades = [{"name": name, "min": str(Decimal(low) / 100)} for name, low in zip(names, mins, strict=False)]
    grades.append({"name": names[-1]})
    rules = [draw(_rule(index, names)) for index in range(draw(st.integers(1, 6)))]
    rule_ids = [rule["id"] for rule in rules]
    start = draw(st.integers(80000, 120000))
    scale: dict[str, Any] = {"start": str(Decimal(start) / 100)}
    if draw(st.booleans()):
        scale["min"] = str(Decimal(start - draw(st.integers(0, 3000))) / 100)
    if draw(st.booleans()):
        scale["max"] = str(Decimal(start + draw(st.integers(1, 3000))) / 100)
    lists = []
    for index in range(draw(st.integers(0, 3))):
        members = {
            "rules": draw(st.lists(st.sampled_from(rule_ids), max_size=2, unique=True)),
            "grades": draw(st.lists(st.sampled_from(names), max_size=2, unique=True)),
        }
        if not members["rules"] and not members["grades"]:
            members["rules"] = [rule_ids[0]]
        lists.append({"id": f"l{index}", "kind": "black", "title": "L", "members": members})
    measures = []
    for index in range(draw(st.integers(0, 4))):
        when = {
            "lists": draw(st.lists(st.sampled_from([entry["id"] for entry in lists] or ["-"]), max_size=2, unique=True))
            if lists
            else [],
            "grades": draw(st.lists(st.sampled_from(names), max_size=1)),
        }
        if not when["lists"] and not when["grades"]:
            when["grades"] = [names[0]]
        measures.append(
            {
                "id": f"m{index}",
                "service": draw(st.sampled_from(SERVICES)),
                "effect": draw(st.sampled_from(["deny", "benefit"])),
                "when": when,
                "legal_basis": "Test",
                "title": "M",
            }
        )
    header = {
        "id": "random",
        "version": "1",
        "title": "Random",
        "effective_from": START,
        "default_counts_for": _duration(draw),
        "while_contested": draw(st.sampled_from(["counts", "suspended"])),
        "scoring_requires_consent": draw(st.integers(0, 3)) == 0,
    }
    raw = {"policy": header, "scale": scale, "grades": grades, "rules": rules, "lists": lists, "measures": measures}
    return policy_from_dict(raw)


def _moment(day: date, delay_days: int, seconds: int) -> datetime:
    return datetime.combine(day, time.min, TZ) + timedelta(days=delay_days, seconds=seconds)


def _given_points(draw: st.DrawFn, policy: Policy, rule_id: str) -> int | None:
    rule = policy.rule(rule_id)
    if rule is None or not isinstance(rule.points, tuple):
        return None
    return draw(st.integers(*rule.points))


@st.composite
def records_for(draw: st.DrawFn, policy: Policy) -> list[Record]:
    """Facts of several subjects (some pending, rejected, contested, late) and actions on them."""
    rule_ids = [rule.id for rule in policy.rules]
    facts = []
    for index in range(draw(st.integers(0, 14))):
        occurred = START + timedelta(days=draw(st.integers(0, 600)))
        rule = draw(st.sampled_from(rule_ids))
        facts.append(
            Record(
                source=draw(st.sampled_from(["s", "t"])),
                id=str(index),
                subject=draw(st.sampled_from(SUBJECTS)),
                rule=rule,
                occurred_on=occurred,
                points=_given_points(draw, policy, rule),
                recorded_at=_moment(
                    occurred, draw(st.sampled_from([0, 0, 0, 1, 40, 400])), draw(st.integers(0, 86399))
                ),
                status=draw(st.sampled_from(["confirmed"] * 6 + ["pending", "rejected", "contested", "suspended"])),
            )
        )
    actions = []
    for index, fact in enumerate(facts):
        for number, kind in enumerate(
            draw(st.lists(st.sampled_from(["correct", "withdraw", "cure", "repair"]), max_size=3))
        ):
            span = st.integers(0, 6) if kind == "cure" else st.integers(0, 500)
            occurred = fact.occurred_on + timedelta(days=draw(span))
            rule = draw(st.sampled_from(rule_ids)) if kind == "correct" else None
            actions.append(
                Record(
                    source=fact.source,
                    id=f"a{index}-{number}",
                    subject=fact.subject,
                    kind=kind,
                    ref=fact.id,
                    rule=rule,
                    occurred_on=occurred,
                    points=_given_points(draw, policy, rule) if rule else None,
                    recorded_at=_moment(occurred, draw(st.sampled_from([0, 0, 2, 60])), draw(st.integers(0, 86399))),
                )
            )
    return facts + actions


def _compare(
    records: list[Record], policy: Policy, as_of: date, known_at: datetime | None, consent: frozenset[str]
) -> None:
    frame = from_records(records)
    columnar = list(standings_json(frame, policy, as_of, known_at, consent))
    subjects = sorted({record.subject for record in records})
    expected = [
        evaluate(
            [r for r in records if r.subject == s], policy, as_of, known_at, consent=s in consent, subject=s
        ).as_json()
        for s in subjects
    ]
    assert [c["subject"] for c in columnar] == subjects
    for got, want in zip(columnar, expected, strict=True):
        for key in want:
            assert got[key] == want[key], (got["subject"], key)
    rows = score_frame(frame, policy, as_of, known_at, consent).to_dicts()
    assert [row["subject"] for row in rows] == subjects
    for row, standing in zip(rows, expected, strict=True):
        assert row["points"] == standing["points"]
        assert row["grade"] == standing["grade"]
        assert row["lists"] == [entry["id"] for entry in standing["lists"]]
        denied = [m["service"] for m in standing["measures"] if m["effect"] == "deny"]
        assert row["denied"] == list(dict.fromkeys(denied))
        assert (row["next_change_on"].isoformat() if row["next_change_on"] else None) == standing["next_change_on"]


@st.composite
def _known_at(draw: st.DrawFn, as_of: date) -> datetime | None:
    if draw(st.booleans()):
        return None
    return _moment(as_of, draw(st.integers(-90, 30)), draw(st.integers(0, 86399)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_columnar_equals_per_subject_engine_on_random_handbooks(data: st.DataObject) -> None:
    policy = data.draw(handbooks())
    records = data.draw(records_for(policy))
    as_of = data.draw(as_of_dates)
    known_at = data.draw(_known_at(as_of))
    consent = frozenset(data.draw(st.lists(st.sampled_from(SUBJECTS), max_size=2)))
    _compare(records, policy, as_of, known_at, consent)


@settings(max_examples=100, deadline=None)
@given(histories(subjects=SUBJECTS, max_facts=20), as_of_dates)
def test_columnar_equals_per_subject_engine_on_the_test_handbook(records: list[Record], as_of: date) -> None:
    _compare(records, make_policy(), as_of, None, frozenset())


def test_many_measures_deny_in_the_order_of_the_measures() -> None:
    """More deny measures than a 62-bit mask holds: the slower path gives the same services, same order."""
    rule = {
        "id": "r0",
        "title": "R",
        "category": "community",
        "severity": "minor",
        "points": "-5",
        "legal_basis": "Test law",
    }
    measures = [
        {
            "id": f"m{n}",
            "service": f"s{(70 - n) % 35}",
            "effect": "deny",
            "when": {"grades": ["G0", "G1"]},
            "legal_basis": "Test",
            "title": "M",
        }
        for n in range(70)
    ]
    policy = policy_from_dict(
        {
            "policy": {"id": "many", "version": "1", "title": "Many", "effective_from": START},
            "scale": {"start": "100"},
            "grades": [{"name": "G0", "min": "50"}, {"name": "G1"}],
            "rules": [rule],
            "measures": measures,
        }
    )
    record = Record(source="s", id="1", subject=PERSON, rule="r0", occurred_on=START, recorded_at=_moment(START, 0, 0))
    row = score_frame(from_records([record]), policy, START).row(0, named=True)
    standing = evaluate([record], policy, START, subject=PERSON)
    assert row["denied"] == list(dict.fromkeys(m.service for m in standing.measures if m.effect == "deny"))
    assert len(row["denied"]) == 35
