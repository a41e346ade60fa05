"""``records_frame`` reads and checks records exactly as ``records.validate.load_records`` does.

Same frame for valid input (JSON Lines, CSV, Parquet of canonical or loose column types, a directory of
parts); the same problems, worded the same, for invalid input.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from socialcredit.errors import RecordError, UserError
from socialcredit.policy.model import Policy
from socialcredit.records.validate import load_records
from socialcredit.scoring.frames import from_records, records_frame

from conftest import ORG, PERSON, PERSON2

SHA = "ab" * 32


def _rows() -> list[dict[str, Any]]:
    """Valid records of three subjects: facts, a correction, a withdrawal, a cure, discretionary points."""
    return [
        {"source": "s", "id": "1", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-01-10"},
        {
            "source": "s",
            "id": "2",
            "subject": PERSON,
            "rule": "litter",
            "occurred_on": "2024-01-11",
            "recorded_at": "2024-01-12T09:30:00+08:00",
            "evidence": [{"sha256": SHA, "media_type": "image/jpeg"}],
        },
        {"source": "s", "id": "3", "kind": "cure", "ref": "2", "occurred_on": "2024-01-12"},
        {
            "source": "court",
            "id": "9",
            "subject": PERSON2,
            "rule": "defaulter",
            "occurred_on": "2024-02-01",
            "document": "(2024)1",
            "status": "confirmed",
        },
        {
            "source": "t",
            "id": "1",
            "subject": ORG,
            "rule": "other",
            "occurred_on": "2024-03-01",
            "points": "-12.5",
            "reason": "late delivery",
            "status": "contested",
        },
        {
            "source": "t",
            "id": "2",
            "subject": ORG,
            "kind": "correct",
            "ref": "1",
            "rule": "minus5",
            "occurred_on": "2024-03-02",
            "recorded_at": "2024-03-05T00:00:00+08:00",
        },
        {
            "source": "s",
            "id": "4",
            "subject": PERSON,
            "kind": "withdraw",
            "ref": "1",
            "recorded_at": "2024-02-01T10:00:00Z",
        },
        {"source": "s", "id": "5", "subject": PERSON, "rule": "deed", "occurred_on": "2024-04-01", "status": "pending"},
    ]


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _parquet(path: Path, rows: list[dict[str, Any]], *, canonical: bool) -> Path:
    """Parquet with typed columns (dates, instants, decimals) or with loose ones (strings, floats)."""
    frame = pl.DataFrame(rows, infer_schema_length=None)
    if canonical:
        frame = frame.with_columns(
            pl.col("occurred_on").str.to_date(),
            pl.col("recorded_at").str.to_datetime(time_zone="Asia/Shanghai"),
            pl.col("points").cast(pl.Decimal(12, 2)),
        )
    elif "points" in frame.columns:
        frame = frame.with_columns(pl.col("points").cast(pl.Float64))
    frame.write_parquet(path)
    return path


def _expected(path: Path, policy: Policy) -> pl.DataFrame:
    return from_records(load_records(str(path), policy))


def _same(got: pl.DataFrame, want: pl.DataFrame) -> None:
    key = ["source", "id"]
    assert got.sort(key).to_dicts() == want.sort(key).to_dicts()


def test_jsonl_reads_as_the_validator_reads_it(tmp_path: Path, policy: Policy) -> None:
    path = _jsonl(tmp_path / "r.jsonl", _rows())
    frame = records_frame(path, policy)
    _same(frame, _expected(path, policy))
    cure = frame.filter(pl.col("id") == "3").row(0, named=True)
    assert cure["subject"] == PERSON  # inherited from the fact it cures


@pytest.mark.parametrize("canonical", [True, False])
def test_parquet_reads_as_the_validator_reads_it(tmp_path: Path, policy: Policy, canonical: bool) -> None:
    path = _parquet(tmp_path / "r.parquet", _rows(), canonical=canonical)
    frame = records_frame(path, policy)
    _same(frame, _expected(path, policy))
    assert frame.filter(pl.col("id") == "1", pl.col("source") == "t")["points"].item() == -1250


def test_csv_and_a_directory_of_parts(tmp_path: Path, policy: Policy) -> None:
    rows = [{k: v for k, v in row.items() if k != "evidence"} for row in _rows()]
    csv = tmp_path / "r.csv"
    pl.DataFrame(rows, infer_schema_length=None).write_csv(csv)
    _same(records_frame(csv, policy), _expected(csv, policy))
    parts = tmp_path / "parts"
    parts.mkdir()
    _parquet(parts / "a.parquet", rows[:3], canonical=False)
    _parquet(parts / "b.parquet", rows[3:], canonical=False)
    _same(records_frame(parts, policy), _expected(parts, policy))


def _bad_rows() -> list[dict[str, Any]]:
    rows = _rows()
    rows[0]["subject"] = PERSON[:-1] + "9"  # wrong check digit
    rows[1]["occurred_on"] = "2024-02-30"
    rows[3]["source"] = "s"  # may not report a court rule
    rows[4]["points"] = "-60"  # outside the discretionary range
    rows[5]["ref"] = "7"  # no such record
    rows[7]["id"] = "4"  # duplicate key
    rows.append({"source": "s", "id": "6", "subject": PERSON, "rule": "nope", "occurred_on": "2024-05-01"})
    rows.append({"source": "s", "id": "8", "kind": "repair", "ref": "2", "occurred_on": "2024-05-02"})
    return rows


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_problems_are_those_of_the_validator(tmp_path: Path, policy: Policy, fmt: str) -> None:
    rows = _bad_rows()
    path = (
        _jsonl(tmp_path / "r.jsonl", rows)
        if fmt == "jsonl"
        else _parquet(tmp_path / "r.parquet", rows, canonical=False)
    )
    with pytest.raises(RecordError) as expected:
        load_records(str(path), policy)
    with pytest.raises(RecordError) as got:
        records_frame(path, policy)
    assert got.value.message == expected.value.message
    assert got.value.details == expected.value.details
    assert any(":1: subject: " in line for line in got.value.details)
    assert any("duplicate (source, id) (s, 4)" in line for line in got.value.details)
    assert not any(":9: ref" in line for line in got.value.details)  # refers to a record invalid on its own


def test_unknown_columns_and_loose_values_go_through_the_validator(tmp_path: Path, policy: Policy) -> None:
    frame = pl.DataFrame(
        {
            "source": ["s", "s"],
            "id": [" 1", "2"],
            "subject": [PERSON.lower(), PERSON],
            "rule": ["minus5", "deed"],
            "kind": ["", " fact"],
            "status": [None, "confirmed "],
            "occurred_on": [date(2024, 1, 1), date(2024, 1, 2)],
            "recorded_at": [datetime(2024, 1, 1, 8), datetime(2024, 1, 2, 8)],
            "points": [Decimal("-5.000"), None],
        }
    )
    path = tmp_path / "loose.parquet"
    frame.write_parquet(path)
    _same(records_frame(path, policy), _expected(path, policy))
    frame.with_columns(pl.lit("x").alias("colour")).write_parquet(path)
    with pytest.raises(RecordError) as got:
        records_frame(path, policy)
    assert got.value.details == [f"{path}:1: colour: unknown field", f"{path}:2: colour: unknown field"]


def test_separators_python_strips_go_through_the_validator(tmp_path: Path, policy: Policy) -> None:
    rows = [
        {"source": "\x1cs", "id": "1", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-01-10"},
        {"source": "s", "id": "2\x1f", "subject": PERSON, "kind": "withdraw", "ref": "1", "occurred_on": "2024-02-01"},
    ]
    path = _parquet(tmp_path / "separators.parquet", rows, canonical=False)
    got = records_frame(path, policy)
    _same(got, _expected(path, policy))
    assert sorted(got["source"].to_list()) == ["s", "s"]


def test_a_missing_file_is_a_user_error(tmp_path: Path, policy: Policy) -> None:
    with pytest.raises(UserError, match="no such file"):
        records_frame(tmp_path / "nope.parquet", policy)


@pytest.mark.parametrize(
    ("suffix", "points"),
    [(".parquet", pl.String), (".csv", pl.String), (".parquet", pl.Decimal(38, 2)), (".parquet", pl.Int64)],
)
def test_points_beyond_a_64_bit_integer_are_a_problem_not_a_crash(
    tmp_path: Path, policy: Policy, suffix: str, points: pl.DataType
) -> None:
    """Hundredths that no 64-bit integer holds (an identifier in the points column, say)."""
    rows = [
        {"source": "t", "id": "1", "subject": ORG, "rule": "other", "occurred_on": "2024-03-01", "points": "-12",
         "reason": "late"},
        {"source": "t", "id": "2", "subject": ORG, "rule": "other", "occurred_on": "2024-03-01",
         "points": "-360426199101010071", "reason": "late"},
    ]  # fmt: skip
    path = tmp_path / f"huge{suffix}"
    frame = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String)).with_columns(pl.col("points").cast(points))
    if suffix == ".parquet":
        frame.write_parquet(path)
    else:
        frame.write_csv(path)
    with pytest.raises(RecordError) as expected:
        load_records(str(path), policy)
    with pytest.raises(RecordError) as got:
        records_frame(path, policy)
    assert got.value.details == expected.value.details
    line = 3 if suffix == ".csv" else 2  # the CSV header is line 1
    assert len(got.value.details) == 1 and got.value.details[0].startswith(f"{path}:{line}: points: ")


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_a_day_too_late_for_any_window_is_a_problem_not_a_crash(tmp_path: Path, policy: Policy, suffix: str) -> None:
    """The per-subject engine cannot add a window to 9999-12-01; the record is refused, as its day reads."""
    rows = [
        {"source": "s", "id": "1", "subject": PERSON, "rule": "minus5", "occurred_on": "9000-12-31"},
        {"source": "s", "id": "2", "subject": PERSON, "rule": "minus5", "occurred_on": "9999-12-01"},
    ]
    path = tmp_path / f"late{suffix}"
    if suffix == ".parquet":
        pl.DataFrame(rows).with_columns(pl.col("occurred_on").str.to_date()).write_parquet(path)
    else:
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    with pytest.raises(RecordError) as expected:
        load_records(str(path), policy)
    with pytest.raises(RecordError) as got:
        records_frame(path, policy)
    assert (
        got.value.details
        == expected.value.details
        == [f"{path}:2: occurred_on: 9999-12-01 is not within the years 1000 to 9000"]
    )


def test_a_moment_at_the_ends_of_the_calendar_is_a_problem_not_a_crash(tmp_path: Path, policy: Policy) -> None:
    """In UTC these fall in the years 0 and 10000, which no date holds."""
    base = {"source": "s", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01"}
    rows = [
        {**base, "id": "1", "recorded_at": "0001-01-01T00:00:00+14:00"},
        {**base, "id": "2", "recorded_at": "9999-12-31T23:59:59-12:00"},
        {"source": "s", "id": "3", "kind": "withdraw", "ref": "1", "occurred_on": "0001-01-01"},
    ]
    path = tmp_path / "ends.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    with pytest.raises(RecordError) as expected:
        load_records(str(path), policy)
    with pytest.raises(RecordError) as got:
        records_frame(path, policy)
    assert got.value.details == expected.value.details
    assert [line.split(": ")[1] for line in got.value.details] == ["recorded_at", "recorded_at", "occurred_on"]
