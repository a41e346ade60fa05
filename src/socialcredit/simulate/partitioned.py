"""A population scored in hash partitions of the subjects, as ``socialcredit score`` scores it.

For record sets too large to hold in memory: each handbook's run is a :class:`PartitionedRun` (read,
checked and bucketed under that handbook, every bucket scored on its own), so memory is bounded by one
bucket, and the outcomes are those of two ``score`` runs by construction. Only the per-subject outcome
rows are kept in memory. Other days (``--monthly-from``) rescore the same buckets; the explained subjects
are read back from their buckets. Close the population (or use it as a context manager) to remove the
work directories.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from socialcredit.errors import RecordError
from socialcredit.policy.model import Policy
from socialcredit.scoring.engine import evaluate
from socialcredit.scoring.standing import Standing
from socialcredit.simulate.outcomes import histories, labelled

if TYPE_CHECKING:
    import polars as pl

    from socialcredit.scoring.partitioned import PartitionedRun, Progress


class PartitionedPopulation:
    """Records scored partition by partition under each handbook; see the module docstring."""

    def __init__(
        self,
        path: Path,
        *,
        consents: frozenset[str] = frozenset(),
        partitions: int | None = None,
        work_dir: Path | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.path, self.consents, self.partitions = path, consents, partitions
        self.work_dir, self.progress = work_dir, progress
        self._runs: dict[str, PartitionedRun] = {}

    def __enter__(self) -> PartitionedPopulation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for run in self._runs.values():
            run.close()
        self._runs.clear()

    def prepare(self, policy: Policy, label: str) -> None:
        """Nothing to do ahead: records are read and checked under each handbook when it is first scored."""

    def outcomes(self, policy: Policy, as_of: date, known_at: datetime | None, label: str = "given") -> pl.DataFrame:
        """One row per subject (sorted): the first call for a handbook is its ``score`` run."""
        from socialcredit.scoring.partitioned import PartitionedRun

        run = self._runs.get(policy.hash)
        if run is None:
            try:
                run = PartitionedRun.start(
                    self.path, policy, as_of, known_at, self.consents, partitions=self.partitions,
                    work_dir=self.work_dir, progress=self.progress,
                )  # fmt: skip
            except RecordError as error:
                raise labelled(error, policy, label) from None
            self._runs[policy.hash] = run
            if (run.job.as_of, run.job.known_at) == (as_of, known_at):
                return _written(run)
        return self._rescored(run, as_of, known_at)

    def standings(
        self, policy: Policy, as_of: date, known_at: datetime | None, subjects: Iterable[str]
    ) -> list[Standing]:
        """Per-subject standings, with explanations, of a few ``subjects`` (sorted), from their buckets."""
        import polars as pl

        from socialcredit.scoring.partitioned_tasks import read_bucket, subject_bucket

        run, chosen = self._runs[policy.hash], sorted(set(subjects))
        if not chosen:
            return []
        buckets = pl.DataFrame({"subject": chosen}).select(subject_bucket(run.job.partitions)).unique()
        coded = pl.concat(
            [read_bucket(run.job, int(bucket)).filter(pl.col("subject").is_in(chosen)).collect()
             for bucket in buckets.get_column("_bucket").to_list()]
        )  # fmt: skip
        groups = histories(decoded(coded, policy), chosen)
        return [
            evaluate(groups.get(s, []), policy, as_of, known_at, consent=s in self.consents, subject=s) for s in chosen
        ]

    def _rescored(self, run: PartitionedRun, as_of: date, known_at: datetime | None) -> pl.DataFrame:
        import polars as pl

        from socialcredit.scoring.columnar import public_columns, score_coded
        from socialcredit.scoring.partitioned_tasks import LOCATION, empty_output, read_bucket

        job = run.job
        frames = [
            public_columns(score_coded(read_bucket(job, b).drop(LOCATION), job.policy, as_of, known_at, self.consents))
            for b in range(job.partitions)
        ]
        columns = ["subject", "points_cents", "points", "grade", "lists", "denied", "next_change_on"]
        frames = [frame for frame in frames if frame.height] or [empty_output(job).select(columns)]
        return pl.concat(frames).sort("subject")


def decoded(coded: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """A coded record frame (kind, status and rule as indexes) back as a record frame."""
    import polars as pl

    from socialcredit.records.schema import KINDS
    from socialcredit.scoring.frames import RECORD_SCHEMA, RECORD_STATUSES

    def names(column: str, values: list[str]) -> pl.Expr:
        return pl.col(column).replace_strict(list(range(len(values))), values, default=None, return_dtype=pl.String)

    return coded.with_columns(
        names("kind", list(KINDS)), names("status", list(RECORD_STATUSES)),
        names("rule", [rule.id for rule in policy.rules]),
    ).select(list(RECORD_SCHEMA))  # fmt: skip


def _written(run: PartitionedRun) -> pl.DataFrame:
    """The standings the run wrote, as one outcome frame sorted by subject."""
    import polars as pl

    from socialcredit.scoring.partitioned_tasks import empty_output

    columns = ["subject", "points_cents", "points", "grade", "lists", "denied", "next_change_on"]
    parts = [pl.read_parquet(part, columns=columns) for part in run.parts()]
    return pl.concat(parts).sort("subject") if parts else empty_output(run.job).select(columns)
