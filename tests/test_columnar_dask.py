"""Partitions as Dask tasks: a ``LocalCluster`` of two workers gives the standings ``evaluate`` gives."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from socialcredit.policy import load_policy
from socialcredit.scoring.batch_io import evaluate_all
from socialcredit.scoring.partitioned import DaskRunner, LocalRunner, PartitionedRun

ROOT = Path(__file__).resolve().parent.parent
HANDBOOK = ROOT / "policies" / "rongcheng.toml"
SAMPLE = ROOT / "examples" / "rongcheng-sample.jsonl"
AS_OF = date(2025, 6, 30)


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


def _json(standing_lines: list[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in standing_lines]


def test_dask_partitions_give_the_standings_of_evaluate(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    policy = load_policy(HANDBOOK)
    expected = [standing.as_json() for standing in evaluate_all(SAMPLE, policy, AS_OF)]
    run = PartitionedRun.start(
        SAMPLE, policy, AS_OF, partitions=5, runner=DaskRunner(client), work_dir=tmp_path, explain=True
    )
    try:
        assert _json(list(run.json_lines())) == expected
        assert len(client.scheduler_info()["workers"]) == 2
    finally:
        run.close()
    assert not list(tmp_path.iterdir())  # the work directory is removed


def test_dask_and_local_runs_write_the_same_parquet(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    policy = load_policy(HANDBOOK)
    outputs = []
    for name, runner in (("local", LocalRunner()), ("dask", DaskRunner(client))):
        run = PartitionedRun.start(SAMPLE, policy, AS_OF, partitions=3, runner=runner)
        try:
            run.write_parquet(tmp_path / f"{name}.parquet")
        finally:
            run.close()
        outputs.append(pl.read_parquet(tmp_path / f"{name}.parquet").sort("subject"))
    assert outputs[0].equals(outputs[1])
    assert outputs[0].height == len(evaluate_all(SAMPLE, policy, AS_OF))


def test_dask_scores_files_on_their_own(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    policy = load_policy(HANDBOOK)
    folder = tmp_path / "records"
    folder.mkdir()
    records = pl.read_ndjson(SAMPLE, infer_schema_length=None)
    subjects = sorted(records["subject"].drop_nulls().unique().to_list())
    half = set(subjects[: len(subjects) // 2])
    for name, part in records.group_by(pl.col("subject").is_in(sorted(half)), maintain_order=True):
        part.write_parquet(folder / f"part-{name[0]}.parquet")
    run = PartitionedRun.start(folder, policy, AS_OF, runner=DaskRunner(client), work_dir=tmp_path, explain=True)
    try:
        assert not run.staged
        assert _json(list(run.json_lines())) == [s.as_json() for s in evaluate_all(folder, policy, AS_OF)]
    finally:
        run.close()
