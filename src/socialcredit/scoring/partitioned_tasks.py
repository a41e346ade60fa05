"""The independent tasks of a partitioned scoring run; each reads and writes files under a work directory.

1. :func:`split_unit`: read and check one input unit, write its records (coded) into subject buckets
   (``hash(subject) % P``), subjectless references into ``orphans/``, and 64-bit key hashes into key
   buckets (``hash(source, id) % P``).
2. :func:`duplicate_hashes`: the key hashes seen twice in one key bucket (candidates for duplicates).
3. :func:`score_bucket`: check one subject bucket's references, score it, write its standings.

Tasks are plain functions of picklable arguments, so they run in-process or as Dask tasks alike. The
work directory must be reachable from every worker (a shared file system on a cluster).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from socialcredit.policy.model import Policy
from socialcredit.scoring.columnar import Scored, public_columns, score_coded
from socialcredit.scoring.columnar_json import scored_json
from socialcredit.scoring.columnar_read import Problems, Unit, read_coded
from socialcredit.scoring.frames import CODED_SCHEMA, key_hash

__all__ = ["key_hash"]  # re-exported: the tasks' key hash is the engine's

SUBJECT_SEED = 20210618
LOCATION = ["_file", "_line"]
FLUSH_ROWS = 2_000_000
CODED_LOCATED: dict[str, pl.DataType] = {**CODED_SCHEMA, "_file": pl.UInt32(), "_line": pl.UInt64()}


@dataclass(frozen=True)
class Job:
    """What every task needs: the handbook, the question, the partitioning and the work directory."""

    policy: Policy
    as_of: date
    known_at: datetime | None
    consent: frozenset[str] | None
    partitions: int
    work: Path
    explain: bool = False
    files: tuple[str, ...] = ()  # the input files, by index (for messages)
    key_buckets: int = 0  # buckets of key hashes; 0: one per partition

    @property
    def keys(self) -> int:
        """How many key buckets the run writes."""
        return self.key_buckets or self.partitions

    def bucket_dir(self, kind: str, bucket: int) -> Path:
        return self.work / kind / f"{bucket:05d}"


@dataclass(frozen=True)
class SplitResult:
    """What one split task saw: records written, subjectless references set aside, problems found."""

    records: int
    orphans: int
    problems: Problems


def subject_bucket(partitions: int) -> pl.Expr:
    return (pl.col("subject").hash(SUBJECT_SEED) % partitions).cast(pl.Int64).alias("_bucket")


def repeated(hashes: pl.Series) -> list[int]:
    """The values that occur more than once in ``hashes`` (sorted, then neighbours compared: cheaper than a
    hash table on random 64-bit values)."""
    ordered = hashes.drop_nulls().sort()
    if ordered.len() < 2:
        return []
    same = ordered.slice(1) == ordered.slice(0, ordered.len() - 1)
    return ordered.slice(1).filter(same).unique().to_list()


def split_unit(job: Job, unit: Unit, number: int) -> SplitResult:
    """Read and check ``unit``; unless it has problems, write its records into buckets (task 1).

    Batches are gathered up to :data:`FLUSH_ROWS` records before they are written, so a unit makes one
    file per bucket (a large text file, one per that many records).
    """
    problems = Problems()
    records = orphans = 0
    coded: list[pl.DataFrame] = []
    for frame in read_coded(unit, job.policy, problems):
        records += frame.height
        if problems.total:
            continue  # keep reading to report every problem; nothing will be scored
        coded.append(frame)
        if sum(part.height for part in coded) >= FLUSH_ROWS:
            orphans += _flush(job, coded, f"u{number:06d}-{records:012d}.parquet")
            coded = []
    if coded and not problems.total:
        orphans += _flush(job, coded, f"u{number:06d}.parquet")
    return SplitResult(records, orphans, problems)


def _flush(job: Job, coded: list[pl.DataFrame], name: str) -> int:
    """Write gathered batches: records into subject buckets, key hashes into key buckets; count orphans."""
    every = pl.concat(coded, how="vertical", rechunk=False)
    has_subject = every["subject"].is_not_null()
    orphans = _write_orphans(job, every.filter(~has_subject), name)
    write_buckets(job, "buckets", every.filter(has_subject).with_columns(subject_bucket(job.partitions)), name)
    keys = every.select(key_hash()).with_columns((pl.col("_key") % job.keys).cast(pl.Int64).alias("_bucket"))
    write_buckets(job, "keys", keys, name)
    return orphans


def _write_orphans(job: Job, frame: pl.DataFrame, name: str) -> int:
    if frame.height:
        folder = job.work / "orphans"
        folder.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(folder / name, compression="lz4")
    return frame.height


def write_buckets(job: Job, kind: str, frame: pl.DataFrame, name: str) -> None:
    for (bucket,), part in frame.partition_by("_bucket", as_dict=True, include_key=False).items():
        folder = job.bucket_dir(kind, int(bucket))
        folder.mkdir(parents=True, exist_ok=True)
        part.write_parquet(folder / name, compression="lz4", statistics=False)


def duplicate_hashes(job: Job, bucket: int) -> list[int]:
    """Key hashes that occur more than once in key bucket ``bucket`` (task 2)."""
    folder = job.bucket_dir("keys", bucket)
    if not any(folder.glob("*.parquet")):
        return []
    keys = pl.scan_parquet(folder / "*.parquet").select("_key")
    return repeated(keys.collect()["_key"])


def read_bucket(job: Job, bucket: int) -> pl.LazyFrame:
    """The coded records of subject bucket ``bucket`` (with their locations)."""
    folder = job.bucket_dir("buckets", bucket)
    if not any(folder.glob("*.parquet")):
        return pl.LazyFrame(schema=CODED_LOCATED)
    return pl.scan_parquet(folder / "*.parquet", schema=CODED_LOCATED)


def unmatched_references(coded: pl.DataFrame) -> pl.DataFrame:
    """References whose fact is not in the bucket under the same subject (a problem, worded later)."""
    actions = coded.filter(pl.col("kind") != 0)
    if actions.height == 0:
        return actions
    wanted = actions.select("subject", "source", pl.col("ref").alias("id")).unique()
    facts = coded.filter(pl.col("kind") == 0).select("subject", "source", "id")
    found = wanted.join(facts, on=["subject", "source", "id"], how="semi")
    return actions.join(found.rename({"id": "ref"}), on=["subject", "source", "ref"], how="anti")


def score_bucket(job: Job, bucket: int) -> tuple[int, pl.DataFrame]:
    """Score subject bucket ``bucket`` into ``out/NNNNN.arrow`` (task 3).

    Returns the number of subjects and the references that found no fact (empty when all is well).
    """
    coded = read_bucket(job, bucket).collect()
    scored = score_coded(coded.drop(LOCATION).lazy(), job.policy, job.as_of, job.known_at, job.consent)
    if scored.unattached:
        bad = unmatched_references(coded)
        return 0, bad.select("source", "ref", "subject", "kind", *LOCATION)
    write_standings(job, scored, bucket)
    return scored.subjects.height, coded.clear().select("source", "ref", "subject", "kind", *LOCATION)


def write_standings(job: Job, scored: Scored, part: int) -> None:
    """The standings of one partition into ``out/NNNNN.arrow`` (Arrow IPC with LZ4: as cheap to write and
    read as uncompressed here, a sixth of the bytes on shared storage)."""
    out = job.work / "out"
    out.mkdir(parents=True, exist_ok=True)
    _standings(job, scored).write_ipc(out / f"{part:05d}.arrow", compression="lz4")


def read_part(path: Path, columns: list[str] | None = None) -> pl.DataFrame:
    """The standings of one partition (:func:`write_standings`)."""
    return pl.read_ipc(path, columns=columns)


def _standings(job: Job, scored: Scored) -> pl.DataFrame:
    """Output rows: the score columns and the handbook, or (with ``explain``) each standing as a JSON line."""
    if job.explain:
        lines = [
            json.dumps(item, ensure_ascii=False, separators=(",", ":"), default=str) for item in scored_json(scored)
        ]
        return pl.DataFrame(
            {"subject": scored.subjects["subject"], "json": lines}, schema={"subject": pl.String, "json": pl.String}
        )
    ref = job.policy.ref()
    return public_columns(scored).with_columns(
        pl.lit(ref["id"]).alias("policy_id"),
        pl.lit(ref["version"]).alias("policy_version"),
        pl.lit(ref["hash"]).alias("policy_hash"),
    )


def empty_output(job: Job) -> pl.DataFrame:
    """The output of a run without subjects: the columns, no rows."""
    empty = pl.LazyFrame(schema=CODED_SCHEMA)
    scored = score_coded(empty, job.policy, job.as_of, job.known_at, job.consent)
    return _standings(job, scored)


def _json_line(item: object) -> str:
    """Exactly what ``cli.output.print_json`` writes for ``item`` (without the newline)."""
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"), default=str)
