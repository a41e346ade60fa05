"""Scoring without staging: each input file scored on its own when the files hold disjoint subjects.

Synthetic populations and exported data keep each subject's records in one file. Then a file is already
a partition: :func:`direct_groups` checks that cheaply (the subject column of every file, in normal form,
hashed), and :func:`score_group` reads, checks and scores one file in memory, without writing its records
anywhere. What crosses files is checked as the staged run checks it: key hashes go to key buckets (when
there is more than one file) for duplicates, and the records a problem needs are found by reading the
input again (:func:`reread_finder`, only when something is wrong).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from socialcredit.identity import normalize
from socialcredit.scoring.columnar import score_coded
from socialcredit.scoring.columnar_ids import NORMAL
from socialcredit.scoring.columnar_read import Problems, Unit, read_coded
from socialcredit.scoring.partitioned_checks import Finder, link_orphans, targets
from socialcredit.scoring.partitioned_tasks import (
    CODED_LOCATED,
    LOCATION,
    SUBJECT_SEED,
    Job,
    key_hash,
    repeated,
    unmatched_references,
    write_buckets,
    write_standings,
)

HashMap = Callable[[list[str]], Iterable["pl.Series | None"]] | None
DIRECT_ROWS = 4_000_000  # a file scored on its own holds at most this many records (memory: ~1 GB)
DIRECT_TEXT_BYTES = 1 << 30
SUSPECT_COLUMNS = ["source", "ref", "subject", "kind", *LOCATION]
TEXT = (pl.String, pl.Categorical, pl.Enum)


@dataclass(frozen=True)
class GroupResult:
    """What scoring one file found: records read, their own problems, key hashes seen twice in the file,
    references without a subject that reach no fact, subjects scored, references to check across files."""

    records: int
    problems: Problems
    duplicates: list[int]
    orphan_problems: Problems
    subjects: int
    suspects: pl.DataFrame


def direct_groups(pieces: list[Unit], hashes: HashMap = None) -> list[list[Unit]] | None:
    """The input's units grouped by file when every file can be scored on its own, else None.

    A file can when it fits (:data:`DIRECT_ROWS`) and, for more than one file, when no subject has
    records in two files and every record names its subject (a reference without one may point into
    another file). ``hashes`` maps :func:`subject_hashes` over the files (e.g. as parallel tasks).
    """
    by_file: dict[int, list[Unit]] = {}
    for unit in pieces:
        by_file.setdefault(unit.index, []).append(unit)
    groups = list(by_file.values())
    if not groups or not all(_fits(group) for group in groups):
        return None
    if len(groups) > 1 and not _disjoint([group[0].file for group in groups], hashes):
        return None
    return groups


def _fits(group: list[Unit]) -> bool:
    if group[0].fmt != "parquet":
        return Path(group[0].file).stat().st_size <= DIRECT_TEXT_BYTES
    return sum(unit.rows for unit in group) <= DIRECT_ROWS


def _disjoint(files: list[str], hashes: HashMap) -> bool:
    found = list(hashes(files) if hashes else map(subject_hashes, files))
    if any(each is None for each in found):
        return False
    return not repeated(pl.concat([each for each in found if each is not None]))


def subject_hashes(file: str) -> pl.Series | None:
    """Hashes of the distinct subjects of a Parquet file, in normal form (``identity.normalize``); None when
    a record has no subject or the column is not text."""
    try:
        column = pl.scan_parquet(file).select("subject").collect().to_series()
    except (pl.exceptions.PolarsError, OSError):
        return None
    if not isinstance(column.dtype, TEXT) or column.null_count():
        return None
    distinct = column.cast(pl.String).unique()
    normal = distinct.str.contains(NORMAL.pattern)
    if not normal.all():
        folded = pl.Series([normalize(value) for value in distinct.filter(~normal).to_list()], dtype=pl.String)
        distinct = pl.concat([distinct.filter(normal), folded]).unique()
    return distinct.hash(SUBJECT_SEED)


def score_group(job: Job, group: list[Unit], number: int, shared: bool) -> GroupResult:
    """Read, check and score the units of one file; write its standings to ``out/`` (a task).

    ``shared``: other files are scored too, so key hashes go to key buckets for the check across files.
    """
    problems, frames, records = Problems(), [], 0
    for unit in group:
        for frame in read_coded(unit, job.policy, problems):
            records += frame.height
            if not problems.total:
                frames.append(frame)
    if problems.total or not frames:
        return GroupResult(records, problems, [], Problems(), 0, _no_suspects())
    coded = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
    coded = coded.with_columns(key_hash())  # for the checks across files, and the engine's joins
    keys = coded.select("_key")
    if shared:
        write_buckets(job, "keys", keys.with_columns(_key_bucket(job)), f"g{number:06d}.parquet")
        duplicates: list[int] = []
    else:
        duplicates = repeated(keys["_key"])
    coded, orphan_problems = _resolve_orphans(coded, job)
    scored = score_coded(coded.drop(LOCATION), job.policy, job.as_of, job.known_at, job.consent)
    if scored.unattached:
        return GroupResult(records, problems, duplicates, orphan_problems, 0, _suspects(coded))
    write_standings(job, scored, number)
    return GroupResult(records, problems, duplicates, orphan_problems, scored.subjects.height, _no_suspects())


def _key_bucket(job: Job) -> pl.Expr:
    return (pl.col("_key") % job.keys).cast(pl.Int64).alias("_bucket")


def _resolve_orphans(coded: pl.DataFrame, job: Job) -> tuple[pl.DataFrame, Problems]:
    """References without a subject given their fact's subject, from this file (the whole input: files
    with such references are scored on their own only when they are the only file)."""
    missing = coded["subject"].is_null()
    if not missing.any():
        return coded, Problems()
    orphans = coded.filter(missing)
    found = targets(lambda where: coded.filter(where), orphans)
    resolved, problems = link_orphans(orphans, found, list(job.files))
    return pl.concat([coded.filter(~missing), resolved.select(coded.columns)]), problems


def _suspects(coded: pl.DataFrame) -> pl.DataFrame:
    return unmatched_references(coded).select(SUSPECT_COLUMNS)


def _no_suspects() -> pl.DataFrame:
    return pl.DataFrame(schema={name: CODED_LOCATED[name] for name in SUSPECT_COLUMNS})


def reread_finder(job: Job, groups: list[list[Unit]]) -> Finder:
    """A finder that reads the input again (the records of a direct run are not kept)."""

    def find(where: pl.Expr) -> pl.DataFrame:
        found = [
            frame.filter(where)
            for group in groups
            for unit in group
            for frame in read_coded(unit, job.policy, Problems())
        ]
        return pl.concat(found) if found else pl.DataFrame(schema=CODED_LOCATED)

    return find
