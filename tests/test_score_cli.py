"""``socialcredit score`` as a user runs it (real subprocess, real files): same standings as ``evaluate``,
one Parquet row per subject, clear errors and no output for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from conftest import ORG, PERSON, PERSON2

ROOT = Path(__file__).resolve().parent.parent
HANDBOOK = ROOT / "policies" / "rongcheng.toml"
SAMPLE = ROOT / "examples" / "rongcheng-sample.jsonl"


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "socialcredit", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_json_standings_are_those_of_evaluate(tmp_path: Path) -> None:
    common = [
        "--policy",
        HANDBOOK,
        "--records",
        SAMPLE,
        "--as-of",
        "2025-06-30",
        "--known-at",
        "2025-01-15",
        "--format",
        "json",
    ]
    evaluated = _cli("evaluate", *common)
    scored = _cli("score", *common, "--partitions", "3")
    assert evaluated.returncode == 0, evaluated.stderr
    assert scored.returncode == 0, scored.stderr
    assert scored.stdout == evaluated.stdout
    assert len(_lines(scored.stdout)) > 50


def test_parquet_output_has_one_row_per_subject(tmp_path: Path) -> None:
    out = tmp_path / "standings.parquet"
    result = _cli(
        "score", "--policy", HANDBOOK, "--records", SAMPLE, "--as-of", "2025-06-30", "--out", out, "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    frame = pl.read_parquet(out).sort("subject")
    standings = _lines(
        _cli("evaluate", "--policy", HANDBOOK, "--records", SAMPLE, "--as-of", "2025-06-30", "--format", "json").stdout
    )
    assert summary["subjects"] == frame.height == len(standings)
    assert frame.columns == [
        "subject",
        "points_cents",
        "points",
        "grade",
        "lists",
        "denied",
        "next_change_on",
        "policy_id",
        "policy_version",
        "policy_hash",
    ]
    for row, standing in zip(frame.iter_rows(named=True), standings, strict=True):
        assert (row["subject"], row["points"], row["grade"]) == (
            standing["subject"],
            standing["points"],
            standing["grade"],
        )
        assert row["lists"] == [entry["id"] for entry in standing["lists"]]
        assert row["policy_hash"] == standing["policy"]["hash"]


def _record(**fields: Any) -> dict[str, Any]:
    return {"source": "bank", "rule": "finance.bank-arrears", "occurred_on": "2024-05-01", **fields}


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    pl.DataFrame(rows, infer_schema_length=None).write_parquet(path)
    return path


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (  # the same key for two subjects (they land in different partitions)
            [_record(id="1", subject=PERSON), _record(id="1", subject=ORG)],
            None,
        ),
        (  # a correction naming another subject than its fact's
            [_record(id="1", subject=PERSON), _record(id="2", subject=PERSON2, kind="correct", ref="1")],
            ":2: subject: 11010519491231002X differs from the subject of record '1'",
        ),
        (  # a withdrawal without a subject, of a record that does not exist
            [_record(id="1", subject=PERSON), _record(id="2", kind="withdraw", ref="9", occurred_on="2024-06-01")],
            ":2: ref: no record '9' of source 'bank'",
        ),
        (  # a bad identifier
            [_record(id="1", subject=PERSON[:-1] + "9")],
            ":1: subject: '360426199101010079': wrong check digit (expected 1)",
        ),
    ],
)
def test_bad_records_name_file_line_field_and_nothing_is_written(
    tmp_path: Path, rows: list[dict[str, Any]], expected: str | None
) -> None:
    path = _write(tmp_path / "records.parquet", rows)
    out = tmp_path / "standings.parquet"
    result = _cli(
        "score", "--policy", HANDBOOK, "--records", path, "--as-of", "2025-01-01", "--out", out, "--partitions", "4"
    )
    assert result.returncode == 2
    assert not out.exists()
    assert not list(tmp_path.glob("standings*"))
    evaluated = _cli("evaluate", "--policy", HANDBOOK, "--records", path, "--as-of", "2025-01-01", "--format", "json")
    assert evaluated.returncode == 2
    first = evaluated.stderr.splitlines()[0]
    assert result.stderr.splitlines()[0] == first
    assert first.startswith(f"{path}:")
    if expected:
        assert expected in first
    assert "problem" in result.stderr.splitlines()[-1]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    base = ["score", "--policy", HANDBOOK, "--records", SAMPLE, "--as-of", "2025-06-30"]
    assert "--out" in _cli(*base).stderr
    wrong = _cli(*base, "--out", tmp_path / "x.csv")
    assert wrong.returncode == 2 and "must be a .parquet file" in wrong.stderr
    missing = _cli(
        "score",
        "--policy",
        HANDBOOK,
        "--records",
        tmp_path / "none.parquet",
        "--as-of",
        "2025-06-30",
        "--format",
        "json",
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert _cli(*base, "--format", "json", "--as-of", "2025-13-01").returncode == 2
