"""A population scored in hash partitions of the subjects, as ``socialcredit score`` scores it.

For record sets too large to hold in memory: each handbook's run is a :class:`PartitionedRun` (read,
checked and bucketed under that handbook, every bucket scored on its own), so memory is bounded by one
bucket, and the outcomes are those of two ``score`` runs. Only the per-subject outcome rows are kept in
memory. A candidate that reads the records alike rescores the baseline's partitions instead of reading the
input again; other days (``--monthly-from``) rescore the same partitions; the explained subjects are read
back from their partitions. Close the population (or use it as a context manager) to remove the
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
from socialcredit.simulate.outcomes import histories, labelled, reads_alike

if TYPE_CHECKING:
    import polars as pl

    from socialcredit.scoring.partitioned import PartitionedRun, Progress

OUTPUT = ["subject", "points_cents", "points", "grade", "lists", "denied", "next_change_on"]


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
        self._runs: dict[str, tuple[PartitionedRun, Policy]] = {}  # handbook → (run, handbook that coded it)

    def __enter__(self) -> PartitionedPopulation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for run, _ in self._runs.values():
            run.close()
        self._runs.clear()

    def prepare(self, policy: Policy, label: str) -> None:
        """Nothing to do ahead: records are read and checked under each handbook when it is first scored."""

    def outcomes(self, policy: Policy, as_of: date, known_at: datetime | None, label: str = "given") -> pl.DataFrame:
        """One row per subject (sorted). A handbook's first call is its ``score`` run, unless it reads the
        records alike (:func:`~socialcredit.simulate.outcomes.reads_alike`) as a handbook already run: then
        that run's partitions are scored again under it, without reading the input a second time."""
        from socialcredit.scoring.partitioned import PartitionedRun

        if policy.hash not in self._runs:
            for run, coding in list(self._runs.values()):
                if reads_alike(_light_frame(run, coding), coding, policy):
                    self._runs[policy.hash] = (run, coding)
                    break
        if policy.hash not in self._runs:
            try:
                run = PartitionedRun.start(
                    self.path, policy, as_of, known_at, self.consents, partitions=self.partitions,
                    work_dir=self.work_dir, progress=self.progress, stage=True,
                )  # fmt: skip
            except RecordError as error:
                raise labelled(error, policy, label) from None
            self._runs[policy.hash] = (run, policy)
            if (run.job.as_of, run.job.known_at) == (as_of, known_at):
                return _written(run)
        run, coding = self._runs[policy.hash]
        return self._rescored(run, coding, policy, as_of, known_at)

    def standings(
        self, policy: Policy, as_of: date, known_at: datetime | None, subjects: Iterable[str]
    ) -> list[Standing]:
        """Per-subject standings, with explanations, of a few ``subjects`` (sorted), from their buckets."""
        import polars as pl

        from socialcredit.scoring.partitioned_tasks import read_bucket, subject_bucket

        (run, coding), chosen = self._runs[policy.hash], sorted(set(subjects))
        if not chosen:
            return []
        buckets = pl.DataFrame({"subject": chosen}).select(subject_bucket(run.job.partitions)).unique()
        coded = pl.concat(
            [read_bucket(run.job, int(bucket)).filter(pl.col("subject").is_in(chosen)).collect()
             for bucket in buckets.get_column("_bucket").to_list()]
        )  # fmt: skip
        groups = histories(decoded(coded, coding), chosen)
        return [
            evaluate(groups.get(s, []), policy, as_of, known_at, consent=s in self.consents, subject=s) for s in chosen
        ]

    def _rescored(
        self, run: PartitionedRun, coding: Policy, policy: Policy, as_of: date, known_at: datetime | None
    ) -> pl.DataFrame:
        """Every partition of ``run`` (coded under ``coding``) scored under ``policy`` on ``as_of``."""
        import polars as pl

        from socialcredit.scoring.columnar import public_columns, score_coded
        from socialcredit.scoring.partitioned_tasks import LOCATION, empty_output, read_bucket

        frames = []
        for bucket in range(run.job.partitions):
            coded = recoded(read_bucket(run.job, bucket).drop(LOCATION), coding, policy)
            frames.append(public_columns(score_coded(coded, policy, as_of, known_at, self.consents)))
        frames = [frame for frame in frames if frame.height] or [empty_output(run.job).select(OUTPUT)]
        return pl.concat(frames).sort("subject")


def recoded(coded: pl.LazyFrame, coding: Policy, policy: Policy) -> pl.LazyFrame:
    """Coded records of ``coding``'s rule indexes with ``policy``'s (every rule used exists in both)."""
    import polars as pl

    if coding is policy:
        return coded
    index = {rule.id: n for n, rule in enumerate(policy.rules)}
    old = [n for n, rule in enumerate(coding.rules) if rule.id in index]
    new = [index[coding.rules[n].id] for n in old]
    return coded.with_columns(pl.col("rule").replace_strict(old, new, default=None, return_dtype=pl.Int32))


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

    from socialcredit.scoring.partitioned_tasks import empty_output, read_part

    parts = [read_part(part, OUTPUT) for part in run.parts()]
    return pl.concat(parts).sort("subject") if parts else empty_output(run.job).select(OUTPUT)


def _light_frame(run: PartitionedRun, coding: Policy) -> pl.DataFrame:
    """Kind, rule and points of every record of ``run`` (all :func:`reads_alike` looks at)."""
    import polars as pl

    from socialcredit.scoring.partitioned_checks import every_record

    light = every_record(run.job, orphans=False).select("kind", "rule", "points").collect()
    kinds, rules = ["fact", "correct"], [rule.id for rule in coding.rules]
    return light.filter(pl.col("kind") <= 1).with_columns(
        pl.col("kind").replace_strict([0, 1], kinds, return_dtype=pl.String),
        pl.col("rule").replace_strict(list(range(len(rules))), rules, default=None, return_dtype=pl.String),
    )
