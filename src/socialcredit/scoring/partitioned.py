"""Partitioned batch scoring: records hashed by subject into P buckets, each bucket scored on its own.

``run = PartitionedRun.start(records, policy, as_of, ...)`` reads and checks the input (every problem is
reported before anything is scored), buckets it, checks keys and references across the whole input, and
scores each bucket; ``run.write_parquet(out)`` or ``run.json_lines()`` then give the standings, and
``run.close()`` removes the work directory. Memory is bounded by the size of one input unit and one
bucket, not by the input. Tasks run in-process (:class:`LocalRunner`) or on Dask (:class:`DaskRunner`).

When the input's files already keep each subject's records together (``partitioned_direct``), and no
partition count is asked for, each file is scored directly instead: same checks, same standings, same
problems, but no records staged. ``stage=True`` forces the staged run (``simulate`` rescores its buckets).
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
from socialcredit.scoring.partitioned_checks import (
    Finder,
    duplicate_problems,
    reference_problems,
    resolve_orphans,
    staged_finder,
)
from socialcredit.scoring.partitioned_direct import (
    GroupResult,
    direct_groups,
    reread_finder,
    score_group,
    subject_hashes,
)
from socialcredit.scoring.partitioned_tasks import (
    Job,
    duplicate_hashes,
    empty_output,
    read_part,
    score_bucket,
    split_unit,
)

T = TypeVar("T")
Progress = Callable[[str, int, int], None]  # (phase, done, total)
UNIT_ROWS = 2_000_000
BUCKET_ROWS = 2_000_000
MAX_PARTITIONS = 100_000
LOCAL_THREADS = 2
KEY_BUCKET_ROWS = 20_000_000  # files scored on their own: key hashes per key bucket (160 MB to sort)
NOTHING = "nothing was scored"


class Runner(Protocol):
    """Runs independent tasks: their results as they complete, and how many there are."""

    def map(self, task: Callable[..., T], items: list[tuple[Any, ...]]) -> tuple[Iterable[T], int]: ...


class LocalRunner:
    """Tasks in this process, ``threads`` at a time (Polars works without the GIL, and many of its steps use
    one core, so two tasks at once keep two cores busy); results in the order of the items."""

    def __init__(self, threads: int = LOCAL_THREADS) -> None:
        self.threads = threads

    def map(self, task: Callable[..., T], items: list[tuple[Any, ...]]) -> tuple[Iterable[T], int]:
        if self.threads <= 1 or len(items) <= 1:
            return (task(*item) for item in items), len(items)
        return _threaded(task, items, self.threads), len(items)


def _threaded(task: Callable[..., T], items: list[tuple[Any, ...]], threads: int) -> Iterator[T]:
    """Results of ``task`` over ``items`` in order, at most ``threads`` running and one waiting to be taken."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending = [pool.submit(task, *item) for item in items[:threads]]
        for item in items[threads:]:
            done = pending.pop(0).result()
            pending.append(pool.submit(task, *item))
            yield done
        for future in pending:
            yield future.result()


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
    """A finished run: its standings are in ``work/out/NNNNN.arrow``."""

    job: Job
    files: list[str]
    records: int = 0
    subjects: int = 0
    owned: bool = True
    counts: dict[str, int] = field(default_factory=dict)
    staged: bool = True

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
        stage: bool | None = None,
    ) -> PartitionedRun:
        """Check and score ``records``; raise RecordError (nothing written) when any record is wrong.

        ``stage``: True stages records in hash partitions; None (the default) does so only when
        ``partitions`` is given or the input's files cannot be scored on their own.
        """
        pieces = units(records, target_rows=UNIT_ROWS)
        count = partitions or default_partitions(pieces)
        if not 1 <= count <= MAX_PARTITIONS:
            raise UserError(f"--partitions must be between 1 and {MAX_PARTITIONS}; got {count}")
        chosen = runner or LocalRunner()

        def hashes(files: list[str]) -> Iterable[pl.Series | None]:
            return chosen.map(subject_hashes, [(file,) for file in files])[0]

        groups = None if stage or (stage is None and partitions) else direct_groups(pieces, hashes)
        files = [""] * (max((unit.index for unit in pieces), default=0) + 1)
        for unit in pieces:
            files[unit.index] = unit.file
        work = Path(tempfile.mkdtemp(prefix="socialcredit-score-", dir=work_dir))
        key_buckets = math.ceil(sum(unit.rows for unit in pieces) / KEY_BUCKET_ROWS) or 1
        job = Job(
            policy, as_of, known_at, consent, len(groups) if groups else count, work, explain, tuple(files),
            key_buckets if groups else 0,
        )  # fmt: skip
        run = cls(job, files, staged=groups is None)
        try:
            if groups is None:
                run._execute(pieces, chosen, progress or (lambda *_: None))
            else:
                run._execute_direct(groups, chosen, progress or (lambda *_: None))
        except BaseException:
            run.close()
            raise
        return run

    def _execute_direct(self, groups: list[list[Unit]], runner: Runner, progress: Progress) -> None:
        """Score each file on its own (``partitioned_direct``); check what crosses files as the staged run."""
        job, shared = self.job, len(groups) > 1
        items = [(job, group, number, shared) for number, group in enumerate(groups)]
        results: list[GroupResult] = _gather(runner.map(score_group, items), "files", progress)
        problems = Problems()
        for result in results:
            problems.merge(result.problems)
        problems.check(NOTHING)
        self.records = sum(result.records for result in results)
        hashes = [h for result in results for h in result.duplicates]
        if shared:
            keys = [(job, bucket) for bucket in range(job.keys)]
            hashes += [h for found in _gather(runner.map(duplicate_hashes, keys), "keys", progress) for h in found]
        find: Finder = reread_finder(job, groups)
        if hashes:
            duplicate_problems(find, hashes, self.files).check(NOTHING)
        orphans = Problems()
        for result in results:
            orphans.merge(result.orphan_problems)
        orphans.check(NOTHING)
        suspects = [result.suspects for result in results if result.suspects.height]
        if suspects:
            reference_problems(find, pl.concat(suspects), self.files).check(NOTHING)
        self.subjects = sum(result.subjects for result in results)

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
            duplicate_problems(staged_finder(job), hashes, self.files).check(NOTHING)
        if sum(split.orphans for split in splits):
            resolve_orphans(job, self.files).check(NOTHING)
        scored = _gather(runner.map(score_bucket, buckets), "score", progress)
        suspects = [bad for _, bad in scored if bad.height]
        if suspects:
            reference_problems(staged_finder(job, orphans=False), pl.concat(suspects), self.files).check(NOTHING)
        self.subjects = sum(count for count, _ in scored)

    def parts(self) -> list[Path]:
        return sorted((self.job.work / "out").glob("*.arrow"))

    def write_parquet(self, out: Path) -> None:
        """All standings into one Parquet file, atomically (rows by bucket, by subject within a bucket);
        streamed from the partitions' files, so memory stays bounded."""
        partial_out = out.with_name(out.name + ".partial")
        try:
            parts = self.parts()
            if parts:
                pl.concat([pl.scan_ipc(part) for part in parts]).sink_parquet(partial_out, compression="zstd")
            else:
                empty_output(self.job).write_parquet(partial_out)
            partial_out.replace(out)
        except BaseException:
            partial_out.unlink(missing_ok=True)
            raise

    def json_lines(self) -> Iterator[str]:
        """Standings as JSON lines (``explain`` runs), sorted by subject like ``evaluate``."""
        parts = self.parts()
        if not parts:
            return iter(())
        frame = pl.concat([read_part(part) for part in parts]).sort("subject")
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
