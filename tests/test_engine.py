"""DESIGN §7, step by step, on the per-subject engine."""

from __future__ import annotations

from datetime import date, datetime

from socialcredit.policy.model import Policy
from socialcredit.scoring import evaluate
from socialcredit.scoring.standing import Standing

from conftest import PERSON, TZ, make_policy, rec


def statuses(standing: Standing) -> dict[str, tuple[str, str]]:
    return {c.record: (c.status, c.as_json()["points"]) for c in standing.contributions}


def points(standing: Standing) -> str | None:
    return standing.as_json()["points"]


AS_OF = date(2024, 6, 30)


def test_no_records_gives_the_start_and_its_grade(policy: Policy) -> None:
    standing = evaluate([], policy, AS_OF, subject=PERSON)
    assert points(standing) == "1000" and standing.grade == "A"
    assert standing.contributions == () and standing.next_change_on is None
    assert [m.id for m in standing.measures] == ["bike"]


def test_step1_records_recorded_after_known_at_are_not_yet_known(policy: Policy) -> None:
    late = rec("1", recorded_at="2024-07-02T09:00:00")
    standing = evaluate([late], policy, AS_OF)
    assert points(standing) == "1000"
    assert statuses(standing) == {"1": ("not-yet-known", "0")}
    known_later = evaluate([late], policy, AS_OF, known_at=datetime(2024, 7, 3, tzinfo=TZ))
    assert points(known_later) == "995"


def test_known_at_defaults_to_the_end_of_as_of(policy: Policy) -> None:
    standing = evaluate([rec("1", recorded_at="2024-06-30T23:59:59")], policy, AS_OF)
    assert points(standing) == "995"
    assert standing.known_at.date() == AS_OF and standing.known_at.tzinfo is not None


def test_step2_correction_replaces_content_and_withdrawal_removes(policy: Policy) -> None:
    fact = rec("1", "minus5", "2024-01-10")
    fix = rec("2", "drunk", "2024-01-11", kind="correct", ref="1", recorded_at="2024-02-01T00:00:00")
    standing = evaluate([fact, fix], policy, AS_OF)
    assert points(standing) == "980"
    assert [(c.rule, c.occurred_on) for c in standing.contributions] == [("drunk", date(2024, 1, 11))]
    withdrawn = evaluate([fact, rec("3", None, "2024-03-01", kind="withdraw", ref="1")], policy, AS_OF)
    assert points(withdrawn) == "1000" and statuses(withdrawn)["1"] == ("withdrawn", "0")


def test_step2_corrections_apply_in_recorded_order_and_only_when_visible(policy: Policy) -> None:
    fact = rec("1", "minus5", "2024-01-10")
    first = rec("2", "drunk", "2024-01-10", kind="correct", ref="1", recorded_at="2024-02-01T00:00:00")
    second = rec("3", "deed", "2024-01-10", kind="correct", ref="1", recorded_at="2024-03-01T00:00:00")
    assert points(evaluate([second, fact, first], policy, AS_OF)) == "1000.5"
    before_second = datetime(2024, 2, 15, tzinfo=TZ)
    assert points(evaluate([second, fact, first], policy, AS_OF, known_at=before_second)) == "980"


def test_step2_only_confirmed_facts_take_part(policy: Policy) -> None:
    records = [rec("1", status="pending"), rec("2", status="rejected"), rec("3", status="contested")]
    standing = evaluate(records, policy, AS_OF)
    assert statuses(standing) == {"1": ("not-confirmed", "0"), "2": ("not-confirmed", "0"), "3": ("counted", "-5")}
    suspended = make_policy(
        replace={'default_counts_for = "P1Y"': 'default_counts_for = "P1Y"\nwhile_contested = "suspended"'}
    )
    assert statuses(evaluate(records, suspended, AS_OF))["3"] == ("suspended-contested", "0")


def test_step3_notice_delays_start_and_a_timely_cure_prevents_it(policy: Policy) -> None:
    fact = rec("1", "litter", "2024-06-28")
    assert statuses(evaluate([fact], policy, AS_OF))["1"] == ("pending-notice", "0")
    assert evaluate([fact], policy, AS_OF).next_change_on == date(2024, 7, 1)
    assert points(evaluate([fact], policy, date(2024, 7, 1))) == "997"
    cured = rec("2", None, "2024-07-01", kind="cure", ref="1")
    assert statuses(evaluate([fact, cured], policy, date(2024, 7, 5)))["1"] == ("cured", "0")
    too_late = rec("2", None, "2024-07-02", kind="cure", ref="1")
    assert statuses(evaluate([fact, too_late], policy, date(2024, 7, 5)))["1"] == ("counted", "-3")


def test_step3_expiry_and_repair(policy: Policy) -> None:
    fact = rec("1", "minus5", "2023-06-30")
    assert statuses(evaluate([fact], policy, date(2024, 6, 29)))["1"] == ("counted", "-5")
    assert statuses(evaluate([fact], policy, date(2024, 6, 30)))["1"] == ("expired", "0")
    repair = rec("2", None, "2024-01-01", kind="repair", ref="1")
    assert statuses(evaluate([fact, repair], policy, date(2023, 12, 31)))["1"] == ("counted", "-5")
    assert statuses(evaluate([fact, repair], policy, date(2024, 1, 1)))["1"] == ("repaired", "0")


def test_step3_month_arithmetic_clamps_to_month_end() -> None:
    policy = make_policy(replace={'counts_for = "P2Y"\nsources': 'counts_for = "P1M"\nsources'})
    fact = rec("1", "defaulter", "2024-01-31", source="court", document="(2024)1")
    assert evaluate([fact], policy, date(2024, 2, 28)).lists[0].until == date(2024, 2, 29)


def test_step4_count_cap_per_calendar_month(policy: Policy) -> None:
    records = [rec(str(i), "plus1.capped", f"2024-03-{10 + i:02d}") for i in range(3)]
    records.append(rec("9", "plus1.capped", "2024-04-01"))
    standing = evaluate(records, policy, AS_OF)
    assert statuses(standing) == {
        "0": ("counted", "1"), "1": ("counted", "1"), "2": ("capped", "0"), "9": ("counted", "1")
    }  # fmt: skip
    assert points(standing) == "1003"


def test_step4_cap_orders_by_date_then_source_then_id(policy: Policy) -> None:
    records = [rec("b", "plus1.capped", "2024-03-05"), rec("a", "plus1.capped", "2024-03-05", source="t"),
               rec("a", "plus1.capped", "2024-03-05")]  # fmt: skip
    standing = evaluate(records, policy, AS_OF)
    assert [(c.source, c.record, c.status) for c in standing.contributions] == [
        ("s", "a", "counted"), ("s", "b", "counted"), ("t", "a", "capped")
    ]  # fmt: skip


def test_step4_points_cap_clips_the_crossing_fact(policy: Policy) -> None:
    records = [rec(str(i), "plus4.points-cap", f"2024-0{i + 1}-01") for i in range(4)]
    standing = evaluate(records, policy, AS_OF)
    assert [c.as_json()["points"] for c in standing.contributions] == ["4", "4", "2", "0"]
    assert [c.status for c in standing.contributions] == ["counted", "counted", "counted", "capped"]
    assert points(standing) == "1010"


def test_step4_cap_counts_only_facts_in_force(policy: Policy) -> None:
    pending = rec("0", "plus1.capped", "2024-03-01", status="pending")
    records = [pending] + [rec(str(i), "plus1.capped", f"2024-03-{10 + i:02d}") for i in (1, 2)]
    assert points(evaluate(records, policy, AS_OF)) == "1002"


def test_step5_clamp_to_scale() -> None:
    policy = make_policy(replace={"start = 1000": "start = 1000\nmin = 990\nmax = 1001"})
    low = evaluate([rec(str(i)) for i in range(4)], policy, AS_OF)
    high = evaluate([rec(str(i), "plus1.capped", f"2024-0{i + 1}-01") for i in range(3)], policy, AS_OF)
    assert (points(low), points(high)) == ("990", "1001")


def test_step5_exact_decimals(policy: Policy) -> None:
    records = [rec(str(i), "deed", "2024-05-01") for i in range(3)]
    records.append(rec("x", "other", "2024-05-02", points="-5.25"))
    assert points(evaluate(records, policy, AS_OF)) == "996.25"


def test_step6_grades_and_ceiling(policy: Policy) -> None:
    assert evaluate([rec("1")], policy, AS_OF).grade == "B"
    assert evaluate([rec(str(i), "other", points="-50") for i in range(3)], policy, AS_OF).grade == "C"
    heroic_drunk = evaluate([rec("h", "heroic"), rec("d", "drunk")], policy, AS_OF)
    assert points(heroic_drunk) == "1010" and heroic_drunk.grade == "B"
    assert evaluate([rec("h", "heroic")], policy, AS_OF).grade == "A"


def test_step6_ceiling_does_not_raise_a_worse_grade(policy: Policy) -> None:
    records = [rec("d", "drunk", "2024-01-01")] + [rec(str(i), "other", points="-50") for i in range(2)]
    assert evaluate(records, policy, AS_OF).grade == "C"


def test_step7_consent_required_nulls_points_but_keeps_rule_lists() -> None:
    policy = make_policy(
        replace={'default_counts_for = "P1Y"': 'default_counts_for = "P1Y"\nscoring_requires_consent = true'}
    )
    records = [rec("1", "defaulter", source="court", document="(2024)1"), rec("2")]
    standing = evaluate(records, policy, AS_OF)
    assert standing.points is None and standing.grade is None
    assert [entry.id for entry in standing.lists] == ["defaulters"]
    assert [m.id for m in standing.measures] == ["no-air"]
    consented = evaluate(records, policy, AS_OF, consent=True)
    assert points(consented) == "945" and consented.grade == "B"


def test_step8_rule_lists_since_until_and_grade_lists(policy: Policy) -> None:
    records = [
        rec("1", "defaulter", "2024-01-05", source="court", document="d1"),
        rec("2", "defaulter", "2024-03-01", source="court", document="d2"),
    ]
    standing = evaluate(records, policy, AS_OF)
    assert [entry.as_json() for entry in standing.lists] == [
        {"id": "defaulters", "since": "2024-01-05", "until": "2026-03-01"}
    ]
    low = evaluate([rec(str(i), "other", points="-50") for i in range(3)], policy, AS_OF)
    assert [entry.as_json() for entry in low.lists] == [{"id": "low", "since": None, "until": None}]


def test_step9_measures_and_service_decision(policy: Policy) -> None:
    listed = evaluate([rec("1", "defaulter", source="court", document="d")], policy, AS_OF)
    assert [m.as_json() for m in listed.measures] == [{"id": "no-air", "service": "air-travel", "effect": "deny"}]
    assert listed.decision("air-travel") == "deny" and listed.decision("rail") == "allow"
    expired = evaluate([rec("1", "defaulter", "2021-01-01", source="court", document="d")], policy, AS_OF)
    assert expired.decision("air-travel") == "allow"


def test_step10_explanation_leaves_out_future_facts_and_sorts(policy: Policy) -> None:
    records = [rec("late", "minus5", "2024-07-01"), rec("b", "minus5", "2024-02-01"), rec("a", "deed", "2024-01-01")]
    standing = evaluate(records, policy, AS_OF)
    assert [c.record for c in standing.contributions] == ["a", "b"]
    assert standing.as_json()["contributions"][0] == {
        "source": "s", "record": "a", "rule": "deed", "points": "0.5", "status": "counted"
    }  # fmt: skip


def test_step11_next_change_is_the_earliest_start_or_end(policy: Policy) -> None:
    records = [rec("1", "minus5", "2024-01-10"), rec("2", "drunk", "2024-02-01"), rec("3", "litter", "2024-06-29")]
    assert evaluate(records, policy, AS_OF).next_change_on == date(2024, 7, 2)
    assert evaluate(records[:2], policy, AS_OF).next_change_on == date(2025, 1, 10)


def test_step11_a_fact_after_as_of_is_no_part_of_the_standing_even_when_known(policy: Policy) -> None:
    """Asked about 30 June as known in December: July's facts are neither pending notice nor a next change."""
    records = [rec("1", "minus5", "2024-01-10"), rec("2", "minus5", "2024-07-01"), rec("3", "litter", "2024-07-03")]
    standing = evaluate(records, policy, AS_OF, known_at=datetime(2024, 12, 31, tzinfo=TZ))
    assert [c.record for c in standing.contributions] == ["1"]
    assert standing.next_change_on == date(2025, 1, 10) and points(standing) == "995"


def test_standing_json_shape(policy: Policy) -> None:
    data = evaluate([rec("1")], policy, AS_OF).as_json()
    assert list(data) == [
        "subject", "as_of", "known_at", "policy", "points", "grade", "lists", "measures", "contributions",
        "next_change_on",
    ]  # fmt: skip
    assert data["policy"] == {"id": "test", "version": "1", "hash": policy.hash}
    assert data["subject"] == PERSON and data["as_of"] == "2024-06-30"
