"""Read record files batch by batch into located record frames, checking every record on the way.

A *located* frame is a record frame (``frames.RECORD_SCHEMA``) plus ``_file`` (index into the list of
files read) and ``_line`` (1-based line, or row for Parquet), for messages that name where a problem is.
JSON Lines and CSV go through the per-record validator (``records.parse`` / ``records.validate``);
Parquet through the column checks of ``columnar_rows``, falling back to the validator row by row for
anything not certainly valid. Work is cut into :class:`Unit` s (a text file, or a run of Parquet row
groups) that can be read independently, e.g. by different workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from socialcredit.errors import RecordError, UserError
from socialcredit.policy.model import Policy
from socialcredit.records.files import RawRecord, json_lines_batches, parquet_files, read_raw_records, record_format
from socialcredit.records.parse import RecordInvalid, parse_record
from socialcredit.records.validate import RecordProblem, rule_problems
from socialcredit.scoring.columnar_rows import fast_rows, fits_int64, zone
from socialcredit.scoring.frames import RECORD_SCHEMA, encode, from_records

LOCATION: dict[str, pl.DataType] = {"_file": pl.UInt32(), "_line": pl.UInt64(), "_placed": pl.Boolean()}
MAX_DETAILS = 1000
BATCH_ROWS = 500_000
JSON_LINES = 100_000  # JSON Lines read and checked together


@dataclass(frozen=True)
class Unit:
    """One independently readable piece of the input: a text file, or a run of rows of a Parquet file."""

    file: str
    index: int
    fmt: str
    offset: int = 0
    rows: int = 0


@dataclass
class Problems:
    """Record problems found so far (the first :data:`MAX_DETAILS` kept), with their phase for ordering."""

    found: list[tuple[int, RecordProblem]] = field(default_factory=list)
    total: int = 0

    def add(self, problem: RecordProblem, phase: int = 0) -> None:
        self.total += 1
        if len(self.found) < MAX_DETAILS:
            self.found.append((phase, problem))

    def merge(self, other: Problems) -> None:
        for phase, problem in other.found:
            self.add(problem, phase)
        self.total += other.total - len(other.found)

    def check(self, outcome: str = "nothing was read") -> None:
        """Raise :class:`RecordError` (as ``load_records`` does) when anything was found."""
        if not self.total:
            return
        ordered = sorted(self.found, key=lambda item: (item[1].file, item[1].line, item[0]))
        details = [str(problem) for _, problem in ordered]
        if self.total > len(details):
            details.append(f"... and {self.total - len(details)} more")
        noun = "problem" if self.total == 1 else "problems"
        raise RecordError(f"{self.total} {noun} in records; {outcome}", details=details)


def units(path: str | Path, *, target_rows: int = 2_000_000) -> list[Unit]:
    """The input cut into units of at most ``target_rows`` records (a text file is one unit)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file or directory")
    fmt = record_format(path)
    if fmt != "parquet":
        return [Unit(str(path), 0, fmt)]
    found: list[Unit] = []
    for index, file in enumerate(parquet_files(path)):
        try:
            total = pl.scan_parquet(file).select(pl.len()).collect().item()
        except (pl.exceptions.PolarsError, OSError) as error:
            raise UserError(f"{file}: not a readable Parquet file: {error}") from None
        for offset in range(0, max(total, 1), target_rows):
            found.append(Unit(str(file), index, fmt, offset, min(target_rows, total - offset)))
    return found


def read_unit(unit: Unit, policy: Policy | None, problems: Problems) -> Iterator[pl.DataFrame]:
    """Located record frames of ``unit``; problems go to ``problems`` (those rows are left out)."""
    yield from _frames(unit, policy, problems)


def read_coded(unit: Unit, policy: Policy, problems: Problems) -> Iterator[pl.DataFrame]:
    """Like :func:`read_unit`, but coded (``frames.encode``) with ``_file`` and ``_line``. Once a problem is
    found, frames are no longer coded (nothing will be scored; reading goes on to find every problem)."""
    for frame in _frames(unit, policy, problems, coded=True):
        if problems.total or "_placed" not in frame.columns:
            yield frame
            continue
        yield _encoded(frame, policy)


def _frames(unit: Unit, policy: Policy | None, problems: Problems, *, coded: bool = False) -> Iterator[pl.DataFrame]:
    if unit.fmt == "parquet":
        return _parquet(unit, policy, problems, coded=coded)
    if unit.fmt == "jsonl":
        return _json_lines(unit, policy, problems, coded=coded)
    return _text(unit, policy, problems)


def _encoded(frame: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    return encode(frame.lazy(), policy).with_columns(frame["_file"], frame["_line"]).collect()


def _text(unit: Unit, policy: Policy | None, problems: Problems) -> Iterator[pl.DataFrame]:
    """CSV: the per-record validator on every record."""
    batch: list[RawRecord] = []
    for raw in read_raw_records(unit.file):
        batch.append(raw)
        if len(batch) >= BATCH_ROWS:
            yield _validated(batch, unit.index, policy, problems)
            batch = []
    if batch:
        yield _validated(batch, unit.index, policy, problems)


def _json_lines(unit: Unit, policy: Policy | None, problems: Problems, *, coded: bool) -> Iterator[pl.DataFrame]:
    """JSON Lines read by Polars a batch at a time and checked over columns (``records.files.json_frame``);
    lines it cannot read, and rows the column checks are unsure of, go to the per-record validator."""
    for batch in json_lines_batches(Path(unit.file), JSON_LINES):
        if batch.frame is None or batch.frame.height != len(batch.lines):
            yield _validated(batch.raws(range(len(batch.lines))), unit.index, policy, problems)
            continue
        lines = pl.lit(pl.Series("_line", batch.numbers, dtype=pl.UInt64))
        yield _checked(batch.frame, unit.index, lines, batch.raws, policy, problems, coded=coded)


def _parquet(unit: Unit, policy: Policy | None, problems: Problems, *, coded: bool = False) -> Iterator[pl.DataFrame]:
    """Located frames of a Parquet unit: record frames, or with ``coded`` coded ones (``_file``, ``_line``)."""
    for start in range(unit.offset, unit.offset + unit.rows, BATCH_ROWS):
        size = min(BATCH_ROWS, unit.offset + unit.rows - start)
        frame = pl.scan_parquet(unit.file).slice(start, size).collect()
        line = start + 1

        def raws(slow: Iterable[int], frame: pl.DataFrame = frame, line: int = line) -> list[RawRecord]:
            rows = frame[list(slow)].to_dicts()
            return [RawRecord(unit.file, line + at, _present(row)) for at, row in zip(slow, rows, strict=True)]

        lines = pl.int_range(line, line + frame.height, dtype=pl.UInt64)
        yield _checked(frame, unit.index, lines, raws, policy, problems, coded=coded)


Raws = Callable[[Iterable[int]], list[RawRecord]]


def _checked(
    frame: pl.DataFrame,
    index: int,
    lines: pl.Expr,
    raws: Raws,
    policy: Policy | None,
    problems: Problems,
    *,
    coded: bool,
) -> pl.DataFrame:
    """A batch checked over columns, the rows not certainly valid by the per-record validator (``raws`` gives
    them as read); record frames, or with ``coded`` coded ones, located by ``_file`` and ``_line``."""
    fast = fast_rows(frame, policy, zone(policy), coded=coded).with_columns(
        pl.lit(index, dtype=pl.UInt32).alias("_file"), lines.alias("_line")
    )
    slow = fast.select(pl.arg_where(~pl.col("_ok"))).to_series().to_list()
    good = (fast.filter(pl.col("_ok")) if slow else fast).drop("_ok")
    if not coded:
        good = good.with_columns(pl.lit(True).alias("_placed"))
    if not slow:
        return good
    checked = _validated(raws(slow), index, policy, problems)
    if coded and policy is not None:
        if problems.total:
            return checked
        checked = _encoded(checked, policy)
    return pl.concat([good, checked], how="vertical")


def _present(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if value is not None}


def _validated(batch: list[RawRecord], index: int, policy: Policy | None, problems: Problems) -> pl.DataFrame:
    """The per-record validator on each raw record: a located frame of those that parse, and problems."""
    tz = ZoneInfo(zone(policy))
    kinds = tuple(policy.policy.subjects) if policy else None
    records, lines, failed = [], [], []
    for raw in batch:
        try:
            record = parse_record(raw.data, tz, allowed_kinds=kinds)
        except RecordInvalid as invalid:
            for name, why in invalid.problems:
                problems.add(RecordProblem(raw.file, raw.line, name, why))
            failed.append(raw)
            continue
        for name, why in rule_problems(record, policy) if policy else []:
            problems.add(RecordProblem(raw.file, raw.line, name, why))
        if record.points is not None and not fits_int64(record.points):
            record = replace(record, points=None)  # no frame holds it; a rule that reads points refused it above
        records.append(record)  # kept for the checks across records, as ``validate_raw`` does
        lines.append(raw.line)
    frame = from_records(records).with_columns(
        pl.when(pl.col("subject") != "").then(pl.col("subject")).alias("subject"),
        pl.lit(index, dtype=pl.UInt32).alias("_file"),
        pl.Series("_line", lines, dtype=pl.UInt64),
        pl.lit(True).alias("_placed"),
    )
    return pl.concat([frame, _unplaced(failed, index)], how="diagonal_relaxed").select([*RECORD_SCHEMA, *LOCATION])


def _unplaced(failed: list[RawRecord], index: int) -> pl.DataFrame:
    """Records that did not parse, kept by key only: a reference to one of them is not reported again."""
    return pl.DataFrame(
        {
            "source": [str(raw.data.get("source", "")).strip() for raw in failed],
            "id": [str(raw.data.get("id", "")).strip() for raw in failed],
            "_file": pl.Series([index] * len(failed), dtype=pl.UInt32),
            "_line": pl.Series([raw.line for raw in failed], dtype=pl.UInt64),
            "_placed": pl.Series([False] * len(failed), dtype=pl.Boolean),
        },
        schema={"source": pl.String, "id": pl.String, "_file": pl.UInt32, "_line": pl.UInt64, "_placed": pl.Boolean},
    )
