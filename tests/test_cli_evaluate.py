"""``socialcredit policy check`` and ``socialcredit evaluate`` as a user runs them (subprocess)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from socialcredit.records.validate import load_records
from socialcredit.scoring import evaluate
from socialcredit.scoring.batch_io import group_by_subject

from conftest import ORG, PERSON, PERSON2, POLICY_TOML, make_policy

RECORDS = [
    {"source": "s", "id": "1", "subject": PERSON2, "rule": "minus5", "occurred_on": "2024-03-01"},
    {"source": "s", "id": "2", "subject": PERSON, "rule": "deed", "occurred_on": "2024-03-02"},
    {"source": "court", "id": "c1", "subject": ORG, "rule": "defaulter", "occurred_on": "2024-04-01", "document": "(2024)1"},
    {"source": "s", "id": "3", "subject": PERSON, "rule": "other", "occurred_on": "2024-04-02", "points": -7.5, "reason": "late"},
    {"source": "s", "id": "4", "kind": "withdraw", "ref": "1", "occurred_on": "2024-05-01"},
    {"source": "s", "id": "5", "subject": PERSON, "rule": "litter", "occurred_on": "2024-06-29",
     "recorded_at": "2024-06-29T10:00:00+08:00"},
]  # fmt: skip


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "socialcredit", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def handbook(tmp_path: Path) -> Path:
    path = tmp_path / "handbook.toml"
    path.write_text(POLICY_TOML, encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def test_policy_check_ok_and_problems(handbook: Path, tmp_path: Path) -> None:
    ok = cli("policy", "check", str(handbook))
    assert ok.returncode == 0 and "ok" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(
        POLICY_TOML.replace('per = "month"', 'per = "week"').replace('category = "traffic"', 'category = "religion"', 1)
    )
    result = cli("policy", "check", str(bad))
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert any("rules[1].cap.per: must be one of month, quarter, year" in line for line in lines)
    assert any("rules[0].category: category 'religion' is refused by design" in line for line in lines)


def test_evaluate_json_matches_the_library_sorted_by_subject(handbook: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", RECORDS)
    result = cli(
        "evaluate", "--policy", str(handbook), "--records", str(path), "--as-of", "2024-06-30", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    policy = make_policy()
    groups = group_by_subject(load_records(str(path), policy))
    from datetime import date

    expected = [evaluate(groups[s], policy, date(2024, 6, 30), subject=s).as_json() for s in sorted(groups)]
    assert printed == expected
    assert [row["subject"] for row in printed] == sorted([PERSON, PERSON2, ORG])
    by_subject = {row["subject"]: row for row in printed}
    assert by_subject[PERSON]["points"] == "993"
    assert by_subject[PERSON2]["contributions"][0]["status"] == "withdrawn"
    assert by_subject[ORG]["measures"] == [{"id": "no-air", "service": "air-travel", "effect": "deny"}]


def test_evaluate_same_result_from_csv_and_parquet(handbook: Path, tmp_path: Path) -> None:
    jsonl = write_jsonl(tmp_path / "r.jsonl", RECORDS)
    columns = [
        "source",
        "id",
        "subject",
        "kind",
        "ref",
        "rule",
        "occurred_on",
        "recorded_at",
        "points",
        "reason",
        "document",
    ]
    with (tmp_path / "r.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(RECORDS)
    table = pa.Table.from_pylist([{key: (str(row[key]) if key in row else None) for key in columns} for row in RECORDS])
    pq.write_table(table, tmp_path / "r.parquet")
    outputs = [
        cli(
            "evaluate", "--policy", str(handbook), "--records", str(path), "--as-of", "2024-06-30", "--format", "json"
        ).stdout
        for path in (jsonl, tmp_path / "r.csv", tmp_path / "r.parquet")
    ]
    assert outputs[0] and outputs[0] == outputs[1] == outputs[2]


def test_evaluate_subject_and_known_at(handbook: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", RECORDS)
    args = ["evaluate", "--policy", str(handbook), "--records", str(path), "--as-of", "2024-07-05", "--format", "json"]
    full = json.loads(cli(*args, "--subject", PERSON).stdout)
    early = json.loads(cli(*args, "--subject", PERSON, "--known-at", "2024-06-28").stdout)
    assert full["points"] == "990" and early["points"] == "993"
    assert cli(*args, "--subject", PERSON).stdout.count("\n") == 1


BAD = [
    ({"subject": "36042619910101007"}, "subject", "17 characters"),
    ({"rule": "nope"}, "rule", "unknown rule 'nope'"),
    ({"rule": "defaulter", "document": "d"}, "source", "may not report defaulter"),
    ({"rule": "other"}, "points", "required"),
    ({"rule": "other", "points": -51, "reason": "x"}, "points", "outside [-50, -5]"),
    ({"occurred_on": "2024-02-30"}, "occurred_on", "not a valid ISO date"),
    ({"kind": "withdraw", "ref": "zzz"}, "ref", "no record 'zzz' of source 's'"),
    ({"id": "1"}, "id", "duplicate (source, id) (s, 1)"),
]


def test_bad_records_exit_2_with_one_line_each_and_nothing_on_stdout(handbook: Path, tmp_path: Path) -> None:
    rows: list[dict[str, object]] = [
        {"source": "s", "id": "1", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-01-01"}
    ]
    for index, (change, _, _) in enumerate(BAD):
        rows.append(
            {
                "source": "s",
                "id": f"b{index}",
                "subject": PERSON,
                "rule": "minus5",
                "occurred_on": "2024-01-02",
                **change,
            }
        )
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    result = cli(
        "evaluate", "--policy", str(handbook), "--records", str(path), "--as-of", "2024-06-30", "--format", "json"
    )
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(BAD)
    for line_number, (line, (_, field, reason)) in enumerate(zip(lines, BAD, strict=True), start=2):
        assert line.startswith(f"{path}:{line_number}: {field}: "), line
        assert reason in line


def test_malformed_json_line_and_missing_file(handbook: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"source": "s", "id": "1"\n', encoding="utf-8")
    result = cli("evaluate", "--policy", str(handbook), "--records", str(path), "--as-of", "2024-06-30")
    assert result.returncode == 2 and f"{path}:1: record: not valid JSON" in result.stderr
    missing = cli(
        "evaluate", "--policy", str(handbook), "--records", str(tmp_path / "none.jsonl"), "--as-of", "2024-06-30"
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr


def test_bad_as_of_is_a_clear_error(handbook: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", RECORDS)
    result = cli("evaluate", "--policy", str(handbook), "--records", str(path), "--as-of", "30/06/2024")
    assert result.returncode == 2 and "--as-of" in result.stderr and "Traceback" not in result.stderr


def test_a_reference_to_an_invalid_record_is_not_reported_twice(handbook: Path, tmp_path: Path) -> None:
    rows: list[dict[str, object]] = [
        {"source": "s", "id": "1", "subject": "360426199101010072", "rule": "minus5", "occurred_on": "2024-01-01"},
        {"source": "s", "id": "2", "kind": "withdraw", "ref": "1", "occurred_on": "2024-02-01"},
    ]
    path = write_jsonl(tmp_path / "r.jsonl", rows)
    result = cli("evaluate", "--policy", str(handbook), "--records", str(path), "--as-of", "2024-06-30")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"{path}:1: subject: '360426199101010072': wrong check digit (expected 1)"
    ]


def test_subject_option_is_normalised_and_validated(handbook: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", RECORDS)
    args = ["evaluate", "--policy", str(handbook), "--records", str(path), "--as-of", "2024-06-30", "--format", "json"]
    lower_x = json.loads(cli(*args, "--subject", " 11010519491231002x").stdout)
    assert lower_x["subject"] == PERSON2 and lower_x["contributions"][0]["status"] == "withdrawn"
    absent = json.loads(cli(*args, "--subject", "371082196001010013").stdout)
    assert (absent["points"], absent["grade"], absent["contributions"]) == ("1000", "A", [])
    bad = cli(*args, "--subject", "123")
    assert bad.returncode == 2 and bad.stdout == "" and "18 characters" in bad.stderr


def test_table_format_explains_one_subject_with_rule_titles(handbook: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", RECORDS)
    result = cli(
        "evaluate", "--policy", str(handbook), "--records", str(path), "--as-of", "2024-06-30", "--subject", PERSON
    )
    assert result.returncode == 0, result.stderr
    assert PERSON in result.stdout and "993 points, grade B" in result.stdout
    assert "other: Other commercial untrustworthiness" in result.stdout and "pending-notice" in result.stdout


def test_consents_file_decides_who_is_scored_when_the_handbook_requires_it(tmp_path: Path) -> None:
    handbook = tmp_path / "consent.toml"
    handbook.write_text(
        POLICY_TOML.replace('default_counts_for = "P1Y"', 'default_counts_for = "P1Y"\nscoring_requires_consent = true')
    )
    path = write_jsonl(tmp_path / "r.jsonl", RECORDS)
    consents = tmp_path / "consents.txt"
    consents.write_text(f"# who agreed\n{PERSON}\n\n", encoding="utf-8")
    args = ["evaluate", "--policy", str(handbook), "--records", str(path), "--as-of", "2024-06-30", "--format", "json"]
    rows = {row["subject"]: row for row in map(json.loads, cli(*args, "--consents", str(consents)).stdout.splitlines())}
    assert rows[PERSON]["points"] == "993" and rows[PERSON]["grade"] == "B"
    assert rows[ORG]["points"] is None and rows[ORG]["grade"] is None and rows[ORG]["lists"][0]["id"] == "defaulters"
    consents.write_text(f"{PERSON}\n12345\n", encoding="utf-8")
    bad = cli(*args, "--consents", str(consents))
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith(f"{consents}:2: subject: '12345'")


def test_a_bad_handbook_stops_evaluate_with_its_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(POLICY_TOML.replace('category = "traffic"', 'category = "petition"', 1), encoding="utf-8")
    path = write_jsonl(tmp_path / "r.jsonl", RECORDS)
    result = cli("evaluate", "--policy", str(bad), "--records", str(path), "--as-of", "2024-06-30")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"{bad}: rules[0].category: category 'petition' is refused by design")
    missing = cli("evaluate", "--policy", str(tmp_path / "none.toml"), "--records", str(path), "--as-of", "2024-06-30")
    assert missing.returncode == 2 and "no such handbook file" in missing.stderr
