"""Checks across the whole input of a partitioned run, worded as ``records.validate`` words them.

Buckets hold each subject's records together, so most checks are local to a bucket. What is not:
duplicate ``(source, id)`` keys of different subjects (found through key-hash buckets, confirmed here
exactly), references without a subject (given their fact's subject here), and references whose fact
is elsewhere (reported here with the reason). The checks look records up through a :data:`Finder`:
the staged records of a run (:func:`staged_finder`), or the input read again.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from socialcredit.records.schema import KINDS
from socialcredit.records.validate import RecordProblem
from socialcredit.scoring.columnar_read import Problems
from socialcredit.scoring.columnar_refs import DUPLICATE, REFERENCE
from socialcredit.scoring.partitioned_tasks import CODED_LOCATED, Job, key_hash, subject_bucket, write_buckets


def every_record(job: Job, *, orphans: bool = True) -> pl.LazyFrame:
    """All coded records of the run (bucketed, and optionally those set aside without a subject)."""
    folders = [(job.work / "buckets", "*/*.parquet")] + ([(job.work / "orphans", "*.parquet")] if orphans else [])
    frames = [
        pl.scan_parquet(folder / pattern, schema=CODED_LOCATED)
        for folder, pattern in folders
        if any(folder.glob(pattern))
    ]
    return pl.concat(frames) if frames else pl.LazyFrame(schema=CODED_LOCATED)


Finder = Callable[[pl.Expr], pl.DataFrame]
"""The records (coded, located: ``CODED_LOCATED``) for which an expression holds."""


def staged_finder(job: Job, *, orphans: bool = True) -> Finder:
    """A finder over the records staged in the buckets of ``job`` (and those set aside without a subject)."""
    return lambda where: every_record(job, orphans=orphans).filter(where).collect()


def duplicate_problems(find: Finder, hashes: list[int], files: list[str]) -> Problems:
    """Exact duplicates among the records whose key hash occurred twice."""
    problems = Problems()
    found = find(key_hash().is_in(hashes)).select("source", "id", "_file", "_line").sort("_file", "_line")
    later = found.filter(pl.int_range(pl.len()).over("source", "id") > 0)
    for source, record_id, file, line in later.iter_rows():
        reason = f"duplicate (source, id) ({source}, {record_id})"
        problems.add(RecordProblem(files[file], line, "id", reason), DUPLICATE)
    return problems


def targets(find: Finder, wanted: pl.DataFrame) -> pl.DataFrame:
    """For each wanted ``(source, ref)``: the record with that key (kind, subject), if any."""
    keys = wanted.select("source", pl.col("ref").alias("id")).unique()
    hashes = keys.select(key_hash()).to_series().unique().implode()
    return (
        find(key_hash().is_in(hashes))
        .join(keys, on=["source", "id"], how="semi")
        .select(
            "source",
            pl.col("id").alias("ref"),
            pl.col("kind").alias("_target_kind"),
            pl.col("subject").alias("_target_subject"),
        )
    )


def link_orphans(orphans: pl.DataFrame, found: pl.DataFrame, files: list[str]) -> tuple[pl.DataFrame, Problems]:
    """Subjectless references given the subject of their fact (``found``: :func:`targets` of them), and the
    problems of those whose target is missing or not a fact."""
    linked = orphans.join(found, on=["source", "ref"], how="left")
    good = linked.filter(pl.col("_target_kind") == 0)
    problems = reference_problem_list(
        linked.filter(pl.col("_target_kind").is_null() | (pl.col("_target_kind") != 0)), files
    )
    resolved = good.with_columns(pl.col("_target_subject").alias("subject")).select(orphans.columns)
    return resolved, problems


def resolve_orphans(job: Job, files: list[str]) -> Problems:
    """Give subjectless references the subject of their fact and file them into the buckets."""
    orphans = pl.read_parquet(job.work / "orphans" / "*.parquet")
    resolved, problems = link_orphans(orphans, targets(staged_finder(job), orphans), files)
    if not problems.total:
        resolved = resolved.select(list(CODED_LOCATED))
        write_buckets(job, "buckets", resolved.with_columns(subject_bucket(job.partitions)), "orphans.parquet")
    return problems


def reference_problems(find: Finder, suspects: pl.DataFrame, files: list[str]) -> Problems:
    """Why references found no fact of their subject in their bucket: missing, not a fact, other subject."""
    linked = suspects.join(targets(find, suspects), on=["source", "ref"], how="left")
    return reference_problem_list(linked, files)


def reference_problem_list(linked: pl.DataFrame, files: list[str]) -> Problems:
    problems = Problems()
    for row in linked.sort("_file", "_line").iter_rows(named=True):
        ref, kind = row["ref"], row["_target_kind"]
        if kind is None:
            field, reason = "ref", f"no record {ref!r} of source {row['source']!r}"
        elif kind != 0:
            field, reason = "ref", f"record {ref!r} is a {KINDS[kind]}, not a fact"
        else:
            field, reason = "subject", f"{row['subject']} differs from the subject of record {ref!r}"
        problems.add(RecordProblem(files[row["_file"]], row["_line"], field, reason), REFERENCE)
    return problems
