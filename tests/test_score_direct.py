"""Scoring each file on its own (no staging) when the files hold disjoint subjects: the same standings and
the same problems, worded the same, as the staged run; inputs that do not qualify are staged."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from socialcredit.errors import RecordError
from socialcredit.policy import load_policy
from socialcredit.policy.model import Policy
from socialcredit.scoring.batch_io import evaluate_all
from socialcredit.scoring.columnar_read import units
from socialcredit.scoring.partitioned import PartitionedRun
from socialcredit.scoring.partitioned_direct import direct_groups
from socialcredit.synth import SynthSpec, synthesize

from conftest import ORG, PERSON, PERSON2

HANDBOOK = Path(__file__).resolve().parent.parent / "policies" / "rongcheng.toml"
AS_OF = date(2025, 1, 1)


@pytest.fixture(scope="module")
def handbook() -> Policy:
    return load_policy(HANDBOOK)


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory, handbook: Policy) -> Path:
    out = tmp_path_factory.mktemp("synth") / "population"
    synthesize(SynthSpec(handbook, 300, 40, 30, 5, "371082", date(2023, 1, 1), chunk_records=1000), out)
    return out / "records"


def _run(records: Path, policy: Policy, *, stage: bool, explain: bool = True) -> PartitionedRun:
    return PartitionedRun.start(records, policy, AS_OF, partitions=3 if stage else None, explain=explain)


def _standings(records: Path, policy: Policy, *, stage: bool) -> list[dict[str, Any]]:
    run = _run(records, policy, stage=stage)
    try:
        assert run.staged is stage
        return [json.loads(line) for line in run.json_lines()]
    finally:
        run.close()


def test_each_file_scored_on_its_own_equals_the_staged_run_and_evaluate(population: Path, handbook: Policy) -> None:
    assert len(list(population.glob("*.parquet"))) > 3
    direct = _standings(population, handbook, stage=False)
    assert direct == _standings(population, handbook, stage=True)
    assert direct == [standing.as_json() for standing in evaluate_all(population, handbook, AS_OF)]


def test_parquet_output_is_the_staged_output(population: Path, handbook: Policy, tmp_path: Path) -> None:
    frames = []
    for stage in (False, True):
        run = _run(population, handbook, stage=stage, explain=False)
        try:
            run.write_parquet(tmp_path / f"{stage}.parquet")
        finally:
            run.close()
        frames.append(pl.read_parquet(tmp_path / f"{stage}.parquet").sort("subject"))
    assert frames[0].equals(frames[1])
    assert frames[0].height > 300


def _record(**fields: Any) -> dict[str, Any]:
    return {"source": "bank", "rule": "finance.bank-arrears", "occurred_on": "2024-05-01", **fields}


BAD_INPUTS = {
    "same key, two subjects": [[_record(id="1", subject=PERSON)], [_record(id="1", subject=ORG)]],
    "same key twice in a file": [[_record(id="1", subject=PERSON), _record(id="1", subject=PERSON)], []],
    "correction of another subject's fact": [
        [_record(id="1", subject=PERSON)],
        [_record(id="2", subject=PERSON2, kind="correct", ref="1")],
    ],
    "withdrawal of a missing record": [
        [_record(id="1", subject=PERSON), _record(id="2", subject=PERSON, kind="withdraw", ref="9")],
        [_record(id="3", subject=ORG)],
    ],
    "cure of a cure": [
        [_record(id="1", subject=PERSON), _record(id="2", subject=PERSON, kind="cure", ref="1")],
        [_record(id="3", subject=PERSON2, kind="cure", ref="2")],
    ],
    "bad identifier": [[_record(id="1", subject=PERSON[:-1] + "9")], [_record(id="2", subject=ORG, rule="nope")]],
}


def _files(folder: Path, parts: list[list[dict[str, Any]]]) -> Path:
    folder.mkdir()
    for number, rows in enumerate(part for part in parts if part):
        pl.DataFrame(rows, infer_schema_length=None).write_parquet(folder / f"part-{number}.parquet")
    return folder


def _problems(records: Path, policy: Policy, *, stage: bool) -> tuple[str, list[str]]:
    with pytest.raises(RecordError) as raised:
        PartitionedRun.start(records, policy, AS_OF, partitions=2 if stage else None, stage=stage).close()
    return raised.value.message, list(raised.value.details or [])


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_problems_are_those_of_the_staged_run(case: str, tmp_path: Path, handbook: Policy) -> None:
    parts = BAD_INPUTS[case]
    every = [row for part in parts for row in part]
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in every), encoding="utf-8")
    for layout, chosen in (("files", parts), ("one file", [every]), ("jsonl", None)):
        records = jsonl if chosen is None else _files(tmp_path / layout, chosen)
        if layout == "files" and all(parts):
            assert direct_groups(units(records)) is not None  # subject-disjoint files: scored on their own
        direct = _problems(records, handbook, stage=False)
        assert direct == _problems(records, handbook, stage=True)
        assert direct[1] and all(line.startswith(str(records)) for line in direct[1])


def test_a_reference_without_subject_in_one_file_takes_its_facts_subject(tmp_path: Path, handbook: Policy) -> None:
    rows = [
        _record(id="1", subject=PERSON),
        {"source": "bank", "id": "2", "kind": "withdraw", "ref": "1", "occurred_on": "2024-06-01"},
        _record(id="3", subject=ORG),
    ]
    records = _files(tmp_path / "one", [rows])
    assert direct_groups(units(records)) is not None
    assert _standings(records, handbook, stage=False) == _standings(records, handbook, stage=True)
    missing = _files(tmp_path / "missing", [[*rows, {**rows[1], "id": "4", "ref": "8"}]])
    direct = _problems(missing, handbook, stage=False)
    assert direct == _problems(missing, handbook, stage=True)
    assert "no record '8' of source 'bank'" in direct[1][0]


def test_files_that_share_a_subject_or_leave_one_out_are_staged(tmp_path: Path, handbook: Policy) -> None:
    fact = _record(id="1", subject=PERSON2)
    shared = _files(tmp_path / "shared", [[fact], [_record(id="2", subject=PERSON2.lower())]])
    orphan = _files(tmp_path / "orphan", [[fact], [{**_record(id="2", kind="withdraw", ref="1")}]])
    for records in (shared, orphan):
        assert direct_groups(units(records)) is None
        run = _run(records, handbook, stage=False)
        try:
            assert run.staged
            expected = [standing.as_json() for standing in evaluate_all(records, handbook, AS_OF)]
            assert [json.loads(line) for line in run.json_lines()] == expected
        finally:
            run.close()
