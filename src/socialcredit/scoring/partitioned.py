"""Partitioned batch scoring: records hashed by subject into P buckets, each bucket scored on its own.

``run = PartitionedRun.start(records, policy, as_of, ...)`` reads and checks the input (every problem is
reported before anything is scored), buckets it, checks keys and references across the whole input, and
scores each bucket; ``run.write_parquet(out)`` or ``run.json_lines()`` then give the standings, and
``run.close()`` removes the work directory. Memory is bounded by the size of one input unit and one
bucket, not by the input. Tasks run in-process (:class:`LocalRunner`) or on Dask (:class:`DaskRunner`).
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import polars as pl

from socialcredit.errors import UserError
from socialcredit.policy.model import Policy
from socialcredit.scoring.columnar_read import Problems, Unit, units
from socialcredit.scoring.partitioned_checks import duplicate_problems, reference_problems, resolve_orphans
from socialcredit.scoring.partitioned_tasks import Job, duplicate_hashes, empty_output, score_bucket, split_unit

T = TypeVar("T")
Progress = Callable[[str, int, int], None]  # (phase, done, total)
UNIT_ROWS = 2_000_000
BUCKET_ROWS = 2_000_000
MAX_PARTITIONS = 100_000
NOTHING = "nothing was scored"


class Runner(Protocol):
    """Runs independent tasks: their results as they complete, and how many there are."""

    def map(self, task: Callable[..., T], items: list[tuple[Any, ...]]) -> tuple[Iterable[T], int]: ...


class LocalRunner:
    """Tasks one after another in this process (Polars uses every core within each task)."""

    def map(self, task: Callable[..., T], items: list[tuple[Any, ...]]) -> tuple[Iterable[T], int]:
        return (task(*item) for item in items), len(items)


class DaskRunner:
    """Tasks on a ``dask.distributed`` cluster; the work directory must be shared with the workers."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def map(self, task: Callable[..., T], items: list[tuple[Any, ...]]) -> tuple[Iterable[T], int]:
        from dask.distributed import as_completed

        if not items:
            return [], 0
        futures = self.client.map(task, *zip(*items, strict=True), pure=False)
        return (future.result() for future in as_completed(futures)), len(items)


def default_partitions(pieces: list[Unit]) -> int:
    """About :data:`BUCKET_ROWS` records per bucket (one bucket for text files, whose size is unknown)."""
    rows = sum(unit.rows for unit in pieces)
    return max(1, math.ceil(rows / BUCKET_ROWS))


@dataclass
class PartitionedRun:
    """A finished run: its standings are in ``work/out/NNNNN.parquet``."""

    job: Job
    files: list[str]
    records: int = 0
    subjects: int = 0
    owned: bool = True
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        records: str | Path,
        policy: Policy,
        as_of: date,
        known_at: datetime | None = None,
        consent: frozenset[str] | None = None,
        *,
        partitions: int | None = None,
        runner: Runner | None = None,
        work_dir: str | Path | None = None,
        explain: bool = False,
        progress: Progress | None = None,
    ) -> PartitionedRun:
        """Check and score ``records``; raise RecordError (nothing written) when any record is wrong."""
        pieces = units(records, target_rows=UNIT_ROWS)
        count = partitions or default_partitions(pieces)
        if not 1 <= count <= MAX_PARTITIONS:
            raise UserError(f"--partitions must be between 1 and {MAX_PARTITIONS}; got {count}")
        work = Path(tempfile.mkdtemp(prefix="socialcredit-score-", dir=work_dir))
        job = Job(policy, as_of, known_at, consent, count, work, explain)
        files = [""] * (max((unit.index for unit in pieces), default=0) + 1)
        for unit in pieces:
            files[unit.index] = unit.file
        run = cls(job, files)
        try:
            run._execute(pieces, runner or LocalRunner(), progress or (lambda *_: None))
        except BaseException:
            run.close()
            raise
        return run

    def _execute(self, pieces: list[Unit], runner: Runner, progress: Progress) -> None:
        job = self.job
        buckets = [(job, bucket) for bucket in range(job.partitions)]
        splits = _gather(runner.map(split_unit, [(job, unit, n) for n, unit in enumerate(pieces)]), "read", progress)
        problems = Problems()
        for split in splits:
            problems.merge(split.problems)
        problems.check(NOTHING)
        self.records = sum(split.records for split in splits)
        hashes = [h for found in _gather(runner.map(duplicate_hashes, buckets), "keys", progress) for h in found]
        if hashes:
            duplicate_problems(job, hashes, self.files).check(NOTHING)
        if sum(split.orphans for split in splits):
            resolve_orphans(job, self.files).check(NOTHING)
        scored = _gather(runner.map(score_bucket, buckets), "score", progress)
        suspects = [bad for _, bad in scored if bad.height]
        if suspects:
            reference_problems(job, pl.concat(suspects), self.files).check(NOTHING)
        self.subjects = sum(count for count, _ in scored)

    def parts(self) -> list[Path]:
        return sorted((self.job.work / "out").glob("*.parquet"))

    def write_parquet(self, out: Path) -> None:
        """All standings into one Parquet file, atomically (rows by bucket, by subject within a bucket)."""
        import pyarrow.parquet as pq

        partial_out = out.with_name(out.name + ".partial")
        writer = None
        try:
            for part in self.parts():
                table = pq.read_table(part)
                writer = writer or pq.ParquetWriter(partial_out, table.schema, compression="zstd")
                writer.write_table(table)
            if writer is None:
                empty_output(self.job).write_parquet(partial_out)
            else:
                writer.close()
            partial_out.replace(out)
        except BaseException:
            partial_out.unlink(missing_ok=True)
            raise

    def json_lines(self) -> Iterator[str]:
        """Standings as JSON lines (``explain`` runs), sorted by subject like ``evaluate``."""
        parts = self.parts()
        if not parts:
            return iter(())
        frame = pl.concat([pl.read_parquet(part) for part in parts]).sort("subject")
        return iter(frame["json"].to_list())

    def close(self) -> None:
        if self.owned:
            shutil.rmtree(self.job.work, ignore_errors=True)


def _gather(results: tuple[Iterable[T], int], phase: str, progress: Progress) -> list[T]:
    done: list[T] = []
    tasks, total = results
    progress(phase, 0, total)
    for result in tasks:
        done.append(result)
        progress(phase, len(done), total)
    return done
