"""Pure rules of subject rights: publicity and repair periods, objection deadlines in working days, share
codes, the notice of a denial, and list diffs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from socialcredit.errors import InvalidInput
from socialcredit.platform.checks.decision import classify, decide
from socialcredit.platform.checks.snapshot import Behind, Membership, SubjectState, build_snapshot
from socialcredit.platform.lists.diff import ADD, REMOVE, Change, by_list, diff, replay
from socialcredit.platform.rights import sharecodes
from socialcredit.platform.rights.deadlines import add_working_days, calendar, due_at
from socialcredit.platform.rights.notices import notice_body
from socialcredit.platform.rights.periods import publicity

from conftest import PERSON, PERSON2, make_policy

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("severity", "repair_from", "ends_on"),
    [
        ("minor", date(2025, 1, 10), date(2025, 4, 10)),
        ("general", date(2025, 4, 10), date(2026, 1, 10)),
        ("serious", date(2026, 1, 10), date(2028, 1, 10)),
    ],
)
def test_publicity_periods_by_severity(severity: str, repair_from: date, ends_on: date) -> None:
    period = publicity(severity, date(2025, 1, 10))
    assert (period.repair_from, period.ends_on) == (repair_from, ends_on)
    assert period.published_on(ends_on - timedelta(days=1)) and not period.published_on(ends_on)
    assert not period.repairable_on(repair_from - timedelta(days=1)) or severity == "minor"
    with pytest.raises(ValueError, match="severity"):
        publicity("grave", date(2025, 1, 10))


def test_working_days_skip_weekends() -> None:
    weekdays = calendar("weekdays")
    assert add_working_days(date(2025, 6, 6), 3, weekdays) == date(2025, 6, 11)  # Fri → Wed
    raised = datetime(2025, 6, 2, 10, 0, tzinfo=TZ)  # Monday
    assert due_at(raised, 3, TZ, weekdays) == datetime(2025, 6, 6, 0, 0, tzinfo=TZ)  # end of Thursday
    late_utc = datetime(2025, 6, 1, 17, 0, tzinfo=UTC)  # already Monday 01:00 in Shanghai
    assert due_at(late_utc, 3, TZ, weekdays) == datetime(2025, 6, 6, 0, 0, tzinfo=TZ)
    with pytest.raises(ValueError):
        add_working_days(date(2025, 6, 6), 0, weekdays)


def test_chinese_public_holidays_and_moved_working_days_count() -> None:
    china = calendar("CN")
    assert not china.is_working_day(date(2025, 10, 1))  # National Day
    assert china.is_working_day(date(2025, 9, 28))  # a Sunday worked in its place
    # Monday 29 September: Tuesday 30, then the holiday week, then Thursday 9 and Friday 10 October.
    assert add_working_days(date(2025, 9, 29), 3, china) == date(2025, 10, 10)


def test_share_codes_are_random_hashed_scoped_and_short_lived() -> None:
    code = sharecodes.new_code()
    assert code.startswith("shr_") and code != sharecodes.new_code()
    assert sharecodes.code_hash(code) == sharecodes.code_hash(f" {code} ") != code
    now = datetime(2025, 6, 1, tzinfo=UTC)
    assert sharecodes.expiry(now, 90) == now + timedelta(days=90)
    for days in (0, 91):
        with pytest.raises(InvalidInput) as raised:
            sharecodes.expiry(now, days)
        assert raised.value.details[0]["field"] == "expires_in_days"
    with pytest.raises(InvalidInput):
        sharecodes.check_scope("everything")
    standing = {"subject": PERSON, "as_of": "2025-06-01", "grade": "A", "points": "1000", "policy": {}, "lists": []}
    assert "points" not in sharecodes.shared_view(standing, "grade-only")
    assert sharecodes.shared_view(standing, "full-report") == standing


def test_a_denial_notice_names_measure_list_records_basis_and_recourse() -> None:
    policy = make_policy()
    member = Membership("defaulters", date(2025, 1, 2), date(2027, 1, 2), (Behind("court", "J-1", "defaulter"),))
    snap = build_snapshot([SubjectState(PERSON, "C", (member,))], policy, list_version=3, built_at=datetime.now(UTC))
    decision = decide(snap, classify(PERSON), "air-travel")
    body = notice_body(decision, policy, party="airline", purpose="ticket-sale", checked_at=datetime.now(UTC))
    [reason] = body["reasons"]
    assert reason["measure"] == "no-air" and reason["legal_basis"] == "SPC art. 3(1)"
    [listed] = reason["lists"]
    assert (listed["id"], listed["since"], listed["until"]) == ("defaulters", "2025-01-02", "2027-01-02")
    assert listed["records"] == [
        {
            "source": "court",
            "record": "J-1",
            "rule": "defaulter",
            "rule_title": "Judgment defaulter",
            "legal_basis": "SPC",
        }
    ]
    assert "3 working days" in body["how_to_object"] and "/api/v1/objections" in body["how_to_object"]
    assert (body["party"], body["purpose"], body["list_version"]) == ("airline", "ticket-sale", 3)


def test_list_diffs_are_adds_and_removes_that_replay_to_the_new_lists() -> None:
    before = {PERSON: frozenset({"defaulters"}), PERSON2: frozenset({"low"})}
    after = {PERSON: frozenset({"defaulters", "low"}), "X": frozenset({"defaulters"})}
    changes = diff(before, after)
    assert changes == [
        Change("defaulters", "X", ADD),
        Change("low", PERSON2, REMOVE),
        Change("low", PERSON, ADD),
    ]
    assert replay(changes, by_list(before)) == by_list(after)
    assert diff(after, after) == []
