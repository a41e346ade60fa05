"""``socialcredit policy diff``: every kind of change, as structured data and as readable text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from socialcredit.policy import parse_policy
from socialcredit.policy.diff import diff_policies

from conftest import POLICY_TOML, make_policy

NEW_RULE = """
[[rules]]
id = "noise"
title = "Noise at night"
category = "community"
severity = "minor"
points = -2
legal_basis = "Local rule"
"""


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "socialcredit", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def changed(section: dict[str, Any]) -> dict[str, dict[str, tuple[Any, Any]]]:
    return {item["id"]: {f["field"]: (f["old"], f["new"]) for f in item["fields"]} for item in section["changed"]}


def test_identical_handbooks_have_no_changes() -> None:
    result = diff_policies(make_policy(), make_policy())
    data = result.as_json()
    assert result.identical and data["identical"] is True
    assert data["header"] == data["scale"] == data["synth"] == []
    assert all(data[name] == {"added": [], "removed": [], "changed": []} for name in ("rules", "lists", "measures"))


def test_header_scale_and_synth_fields() -> None:
    new = make_policy(
        "\n[synth]\nrates = { traffic = 0.5 }\n",
        replace={'version = "1"': 'version = "2"', "start = 1000": "start = 1000\nmin = 0",
                 'default_counts_for = "P1Y"': 'default_counts_for = "P18M"'},
    )  # fmt: skip
    data = diff_policies(make_policy(), new).as_json()
    assert {(c["field"], c["old"], c["new"]) for c in data["header"]} == {
        ("version", "1", "2"),
        ("default_counts_for", "P1Y", "P1Y6M"),
    }
    assert data["scale"] == [{"field": "min", "old": None, "new": "0"}]
    assert data["synth"] == [{"field": "rates.traffic", "old": None, "new": 0.5}]
    assert not data["identical"] and data["old"]["hash"] != data["new"]["hash"]


def test_rules_added_removed_and_changed_field_by_field() -> None:
    old = make_policy(NEW_RULE)
    new = make_policy(
        replace={
            "points = -5\n": 'points = -10\ncounts_for = "P2Y"\n',
            'cap = { count = 2, per = "month" }': 'cap = { points = 3, per = "month" }',
            'notice = { cure_within = "P3D" }': 'notice = { cure_within = "P7D" }',
            'grade_ceiling = "B"': 'grade_ceiling = "C"',
            "points = [-50, -5]": "points = [-60, -5]",
        }
    )
    rules = diff_policies(old, new).as_json()["rules"]
    assert rules["added"] == []
    assert [item["id"] for item in rules["removed"]] == ["noise"]
    assert rules["removed"][0]["points"] == "-2" and "counts_for" not in rules["removed"][0]
    assert changed(rules) == {
        "minus5": {"points": ("-5", "-10"), "counts_for": (None, "P2Y")},
        "plus1.capped": {"cap.count": (2, None), "cap.points": (None, "3")},
        "litter": {"notice.cure_within": ("P3D", "P7D")},
        "drunk": {"grade_ceiling": ("B", "C")},
        "other": {"points": (["-50", "-5"], ["-60", "-5"])},
    }
    assert [item["id"] for item in diff_policies(new, old).as_json()["rules"]["added"]] == ["noise"]


def test_grade_bands_added_changed_and_reordered() -> None:
    new = make_policy(replace={"min = 900": 'min = 950\n[[grades]]\nname = "B-"\nmin = 850'})
    grades = diff_policies(make_policy(), new).as_json()["grades"]
    assert changed(grades) == {"B": {"min": ("900", "950")}}
    assert grades["added"] == [{"name": "B-", "min": "850"}]
    assert grades["bands"]["new"][1:3] == [{"name": "B", "min": "950"}, {"name": "B-", "min": "850"}]
    assert grades["order_changed"] is False
    swapped = POLICY_TOML.replace('name = "A"', 'name = "TMP"').replace('name = "B"', 'name = "A"')
    swapped = swapped.replace('name = "TMP"', 'name = "B"').replace('grade_ceiling = "B"', 'grade_ceiling = "A"')
    swapped = swapped.replace('grades = ["A"]', 'grades = ["B"]')
    assert diff_policies(make_policy(), parse_policy(swapped)).as_json()["grades"]["order_changed"] is True


def test_lists_and_measures() -> None:
    new = make_policy(
        """
[[measures]]
id = "no-loans"
service = "loans"
effect = "deny"
when = { grades = ["C"] }
legal_basis = "Local measure"
title = "No loans"
""",
        replace={'members = { grades = ["C"] }': 'members = { grades = ["B", "C"] }', "public = true": "public = false",
                 'when = { lists = ["defaulters"] }': 'when = { lists = ["defaulters", "low"] }'},
    )  # fmt: skip
    data = diff_policies(make_policy(), new).as_json()
    assert changed(data["lists"]) == {
        "defaulters": {"public": (True, False)},
        "low": {"members.grades": (["C"], ["B", "C"])},
    }
    assert changed(data["measures"]) == {"no-air": {"when.lists": (["defaulters"], ["defaulters", "low"])}}
    assert [(m["id"], m["service"], m["effect"]) for m in data["measures"]["added"]] == [("no-loans", "loans", "deny")]


def test_cli_json_and_text(tmp_path: Path) -> None:
    old, new = tmp_path / "old.toml", tmp_path / "new.toml"
    old.write_text(POLICY_TOML + NEW_RULE, encoding="utf-8")
    new.write_text(
        POLICY_TOML.replace("points = -5\n", "points = -10\n", 1).replace("min = 900", "min = 950"), encoding="utf-8"
    )
    result = cli("policy", "diff", old, new, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data == json.loads(
        json.dumps(diff_policies(parse_policy(old.read_text()), parse_policy(new.read_text())).as_json())
    )
    text = cli("policy", "diff", old, new)
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert "  - noise Noise at night, community, minor, -2" in lines
    assert "  ~ minus5: points: -5 → -10" in lines
    assert "  ~ B: ≥ 900 → ≥ 950" in lines
    same = cli("policy", "diff", old, old)
    assert same.returncode == 0 and "identical" in same.stdout


def test_cli_bad_input_names_the_file_and_exits_2(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(POLICY_TOML, encoding="utf-8")
    missing = cli("policy", "diff", good, tmp_path / "missing.toml")
    assert missing.returncode == 2 and missing.stdout == ""
    assert "missing.toml: no such handbook file" in missing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text(POLICY_TOML.replace('per = "month"', 'per = "week"'), encoding="utf-8")
    result = cli("policy", "diff", bad, good)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"{bad}: rules[1].cap.per: must be one of month, quarter, year; got 'week'"
    ]
