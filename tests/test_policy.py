"""The handbook format: two-phase loading, errors that name their path, refusals, content hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcredit.errors import PolicyError, RefusedByDesign
from socialcredit.policy import load_policy, parse_policy
from socialcredit.policy.categories import ALLOWED_CATEGORIES, REFUSED_CATEGORIES
from socialcredit.policy.duration import Duration, add_duration, parse_duration
from socialcredit.policy.model import Policy, Rule
from socialcredit.policy.money import to_cents

from conftest import POLICY_TOML, make_policy


def problems_of(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text)
    return list(caught.value.details)


def test_the_test_handbook_loads_with_hash_and_lookups() -> None:
    policy = make_policy()
    assert len(policy.hash) == 64
    rule = policy.rule("other")
    assert rule is not None and rule.points == (-5000, -500) and rule.discretionary
    assert policy.rule("deed").points == 50  # type: ignore[union-attr]


def test_hash_ignores_comments_and_key_order_but_not_content() -> None:
    base = make_policy()
    reordered = POLICY_TOML.replace(
        'version = "1"\ntitle = "Test handbook"', 'title = "Test handbook"  # t\nversion = "1"'
    )
    commented = parse_policy("# a comment\n" + reordered)
    assert commented.hash == base.hash
    assert make_policy(replace={"points = -5\n": "points = -6\n"}).hash != base.hash


def test_shape_errors_name_their_path() -> None:
    lines = problems_of(POLICY_TOML.replace('cap = { count = 2, per = "month" }', 'cap = { count = 2, per = "week" }'))
    assert lines == ["rules[1].cap.per: must be one of month, quarter, year; got 'week'"]


def test_missing_legal_basis_and_unknown_keys_are_errors() -> None:
    text = POLICY_TOML.replace('legal_basis = "Test law 1"\n', 'legal_basiss = "x"\n')
    assert problems_of(text) == ["rules[0].legal_basis: required", "rules[0].legal_basiss: unknown field"]


def test_points_must_be_exact_to_two_decimals() -> None:
    assert problems_of(POLICY_TOML.replace("points = 0.5", "points = 0.125")) == [
        "rules[7].points: 0.125 has more than two decimals"
    ]


def test_discretionary_range_must_be_low_then_high() -> None:
    lines = problems_of(POLICY_TOML.replace("points = [-50, -5]", "points = [-5, -50]"))
    assert lines == ["rules[6].points: range [-5, -50] must be [low, high] with low < high"]


@pytest.mark.parametrize("category", sorted(REFUSED_CATEGORIES))
def test_refused_categories_name_the_category_and_why(category: str) -> None:
    with pytest.raises(RefusedByDesign) as caught:
        parse_policy(POLICY_TOML.replace('category = "traffic"', f'category = "{category}"', 1))
    (line,) = caught.value.details
    assert line.startswith(f"rules[0].category: category '{category}' is refused by design: ")
    assert REFUSED_CATEGORIES[category] in line


def test_unknown_category_lists_the_whitelist() -> None:
    (line,) = problems_of(POLICY_TOML.replace('category = "traffic"', 'category = "gossip"', 1))
    assert line.startswith("rules[0].category: unknown category 'gossip'; allowed: ")
    assert all(name in line for name in ALLOWED_CATEGORIES)


def test_measures_on_others_do_not_exist_in_the_format() -> None:
    text = POLICY_TOML.replace('title = "No flights"', 'title = "No flights"\napplies_to = "children"')
    with pytest.raises(RefusedByDesign) as caught:
        parse_policy(text)
    assert caught.value.details[0].startswith("measures[0].applies_to: refused by design")


def test_grade_based_public_lists_would_publish_scores() -> None:
    text = POLICY_TOML.replace('members = { grades = ["C"] }', 'members = { grades = ["C"] }\npublic = true')
    with pytest.raises(RefusedByDesign):
        parse_policy(text)


def test_references_are_resolved() -> None:
    text = POLICY_TOML.replace('members = { rules = ["defaulter"] }', 'members = { rules = ["nope"] }')
    text = text.replace('when = { lists = ["defaulters"] }', 'when = { lists = ["gone"] }')
    text = text.replace('grade_ceiling = "B"', 'grade_ceiling = "Z"')
    assert problems_of(text) == [
        "rules[4].grade_ceiling: no grade named 'Z'",
        "lists[0].members.rules: no rule with id 'nope'",
        "measures[0].when.lists: no list with id 'gone'",
    ]


def test_grade_bands_strictly_decreasing_and_last_without_min() -> None:
    lines = problems_of(POLICY_TOML.replace('name = "B"\nmin = 900', 'name = "B"\nmin = 1000'))
    assert lines == ["grades[1].min: grade bands must be strictly decreasing, best first"]
    lines = problems_of(POLICY_TOML.replace('name = "C"\n', 'name = "C"\nmin = 1\n'))
    assert lines == ["grades[2].min: the last grade takes everything below: it has no min"]


def test_ids_are_unique() -> None:
    lines = problems_of(POLICY_TOML.replace('id = "minus5"', 'id = "deed"'))
    assert lines == ["rules[7].id: duplicate rule id 'deed'"]


def test_toml_syntax_errors_are_reported() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy("[policy\nid=1")
    assert "not valid TOML" in caught.value.message


def test_durations_parse_and_add_with_month_end_clamping() -> None:
    assert parse_duration("P1Y2M") == Duration(14, 0)
    assert parse_duration("P2W3D") == Duration(0, 17)
    with pytest.raises(ValueError, match="not an ISO 8601 duration"):
        parse_duration("PT3H")
    from datetime import date

    assert add_duration(date(2024, 1, 31), Duration(1, 0)) == date(2024, 2, 29)
    assert add_duration(date(2024, 2, 29), Duration(12, 1)) == date(2025, 3, 1)


def test_legal_basis_must_not_be_blank() -> None:
    assert problems_of(POLICY_TOML.replace('legal_basis = "Test law 1"', 'legal_basis = "   "')) == [
        "rules[0].legal_basis: must not be blank"
    ]


# The shipped handbook, policies/rongcheng.toml, written from DOMAIN.md.
SHIPPED = Path(__file__).resolve().parents[1] / "policies" / "rongcheng.toml"


@pytest.fixture(scope="module")
def rongcheng() -> Policy:
    return load_policy(SHIPPED)


def test_rongcheng_grades_and_start_follow_the_domain_brief(rongcheng: Policy) -> None:
    assert rongcheng.scale.start == to_cents(1000)
    bands = [(grade.name, grade.min) for grade in rongcheng.grades]
    assert bands == [("AAA", 105000), ("AA", 103000), ("A", 96000), ("B", 85000), ("C", 60000), ("D", None)]


def test_rongcheng_court_list_carries_the_nine_high_consumption_restrictions(rongcheng: Policy) -> None:
    court = next(entry for entry in rongcheng.lists if entry.id == "court-defaulters")
    assert court.public and court.members.rules == ["court.judgment-defaulter"]
    on_court_list = [m for m in rongcheng.measures if m.when.lists == ["court-defaulters"] and m.effect == "deny"]
    items = {item for m in on_court_list for item in range(1, 10) if f"art. 3({item})" in m.legal_basis}
    assert items == set(range(1, 10))
    assert {"air-travel", "g-train"} <= {m.service for m in on_court_list}


def test_rongcheng_denies_only_through_legal_listings_and_publishes_no_grades(rongcheng: Policy) -> None:
    for measure in rongcheng.measures:
        assert measure.legal_basis.strip()
        if measure.effect == "deny":
            assert measure.when.lists and not measure.when.grades, measure.id
    for entry in rongcheng.lists:
        assert not (entry.public and entry.members.grades), entry.id
    benefits = {m.id for m in rongcheng.measures if m.effect == "benefit"}
    assert {"green-channel", "deposit-free-bikes", "heating-discount"} <= benefits


def test_rongcheng_catalogue_values_caps_and_evidence(rongcheng: Policy) -> None:
    def rule(rule_id: str) -> Rule:
        found = rongcheng.rule(rule_id)
        assert found is not None, rule_id
        return found

    assert rule("village.read-water-meter").points == 50  # +0.5
    assert rule("commerce.other-untrustworthiness").points == (-5000, -500)
    escort = rule("village.escort-elder")
    assert escort.cap is not None and (escort.cap.count, escort.cap.per) == (2, "month")
    assert escort.evidence is not None and (escort.evidence.photos, escort.evidence.or_video) == (2, True)
    littering = rule("village.littering")
    assert littering.notice is not None and str(littering.notice.cure_within) == "P3D"
    assert rule("traffic.drunk-driving").grade_ceiling == "C"
    assert rule("utility.destroy-equipment").points == -10000
    assert all(r.category in ALLOWED_CATEGORIES for r in rongcheng.rules)


def test_rongcheng_synth_rates_name_its_rules(rongcheng: Policy) -> None:
    assert rongcheng.synth.rates and set(rongcheng.synth.rates) <= {r.id for r in rongcheng.rules}
