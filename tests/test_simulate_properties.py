"""Property: for random records and random handbook changes, the simulation's transitions, list and service
changes equal those of two independent per-subject evaluations."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.policy.model import Policy
from socialcredit.records.schema import Record
from socialcredit.scoring import evaluate
from socialcredit.scoring.batch_io import group_by_subject
from socialcredit.simulate import Options, Population, simulate

from conftest import ORG, PERSON, PERSON2, make_policy
from strategies import as_of_dates, histories

CHANGES = {
    "harsher": {"points = -5\n": "points = -15\n"},
    "longer": {'default_counts_for = "P1Y"': 'default_counts_for = "P2Y"'},
    "bands": {"min = 900": "min = 990"},
    "ceiling": {'grade_ceiling = "B"': 'grade_ceiling = "C"'},
    "no-cap": {'cap = { count = 2, per = "month" }\n': ""},
    "grade-list": {'members = { grades = ["C"] }': 'members = { grades = ["B", "C"] }'},
    "grade-measure": {'when = { lists = ["defaulters"] }': 'when = { lists = ["defaulters"], grades = ["C"] }'},
    "benefit-lost": {'when = { grades = ["A"] }': 'when = { lists = ["low"] }'},
    "top-grade": {'name = "A"\nmin = 1000': 'name = "AA"\nmin = 1010\n[[grades]]\nname = "A"\nmin = 1000'},
}
SERVICE = '\n[[measures]]\nid = "no-rail"\nservice = "rail"\neffect = "deny"\nwhen = { lists = ["low"] }\nlegal_basis = "L"\ntitle = "No rail"\n'


def candidate(names: list[str]) -> Policy:
    replace: dict[str, str] = {}
    for name in names:
        replace |= CHANGES[name]
    return make_policy(SERVICE if "grade-list" in names else "", replace=replace)


def standings(records: list[Record], policy: Policy, as_of: date) -> dict[str, tuple[str | None, set[str], set[str]]]:
    out = {}
    for subject, history in group_by_subject(records).items():
        s = evaluate(history, policy, as_of, subject=subject)
        out[subject] = (s.grade, {e.id for e in s.lists}, {m.service for m in s.measures if m.effect == "deny"})
    return out


@settings(max_examples=40, deadline=None)
@given(
    records=histories(subjects=[PERSON, PERSON2, ORG], max_facts=14),
    as_of=as_of_dates,
    names=st.lists(st.sampled_from(sorted(CHANGES)), min_size=1, max_size=4, unique=True),
)
def test_figures_equal_two_per_subject_evaluations(records: list[Record], as_of: date, names: list[str]) -> None:
    baseline, proposal = make_policy(), candidate(names)
    report = simulate(Population.from_records(records), baseline, proposal, as_of=as_of, options=Options(top=2))
    base, cand = standings(records, baseline, as_of), standings(records, proposal, as_of)
    assert {(t["from"], t["to"]): t["count"] for t in report["transitions"]} == Counter(
        (base[s][0], cand[s][0]) for s in base
    )
    for entry in report["lists"]:
        assert entry["added"] == sum(entry["id"] in cand[s][1] - base[s][1] for s in base)
        assert entry["removed"] == sum(entry["id"] in base[s][1] - cand[s][1] for s in base)
    for item in report["measures"]:
        assert item["newly_denied"] == sum(item["service"] in cand[s][2] - base[s][2] for s in base)
        assert item["newly_allowed"] == sum(item["service"] in base[s][2] - cand[s][2] for s in base)
    assert report["summary"]["subjects"] == len(base)
