"""Read record files: JSON Lines, CSV or Parquet (a file, or a directory of Parquet partitions)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl

from socialcredit.errors import UserError
from socialcredit.records.schema import TEXT_FIELDS

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A record as read, before validation, with where it came from (for error messages)."""

    file: str
    line: int
    data: dict[str, Any]


def record_format(path: Path) -> str:
    """``jsonl``, ``csv`` or ``parquet`` from the name; a directory means Parquet partitions."""
    if path.is_dir():
        return "parquet"
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise UserError(f"{path}: unknown record file type {path.suffix!r}; use .jsonl, .csv or .parquet") from None


def parquet_files(path: Path) -> list[Path]:
    """The Parquet files of a file or a partition directory, in a stable order.

    A directory with a ``records/`` subdirectory (the output of ``socialcredit synth``) means its records.
    """
    if path.is_dir() and (path / "records").is_dir():
        path = path / "records"
    if path.is_dir():
        files = sorted(path.rglob("*.parquet"))
        if not files:
            raise UserError(f"{path}: directory holds no .parquet files")
        return files
    return [path]


def read_raw_records(path: str | Path) -> Iterator[RawRecord]:
    """Yield every record of the file(s) with its 1-based line (CSV: the physical line; Parquet: the row)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file or directory")
    fmt = record_format(path)
    if fmt == "jsonl":
        yield from _jsonl(path)
    elif fmt == "csv":
        yield from _csv(path)
    else:
        for file in parquet_files(path):
            yield from _parquet(file)


def _jsonl(path: Path) -> Iterator[RawRecord]:
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield RawRecord(str(path), number, jsonl_record(line))


def jsonl_record(line: str) -> dict[str, Any]:
    """One JSON Lines record as read (a line that is not a JSON object reads as a record with ``__error__``)."""
    try:
        data = json.loads(line, parse_float=Decimal)
    except json.JSONDecodeError as error:
        return {"__error__": f"not valid JSON: {error.msg} at column {error.colno}"}
    return data if isinstance(data, dict) else {"__error__": "each line must be a JSON object"}


@dataclass(frozen=True)
class JsonLinesBatch:
    """Non-blank lines of a JSON Lines file read together, with their 1-based numbers and Polars' frame of
    them (:func:`json_frame`; None when Polars does not read them as a table)."""

    path: str
    lines: list[str]
    numbers: Sequence[int]
    frame: pl.DataFrame | None

    def raws(self, positions: Iterable[int]) -> list[RawRecord]:
        """The records at ``positions`` (0-based, among :attr:`lines`) as the per-record path reads them."""
        return [RawRecord(self.path, self.numbers[at], jsonl_record(self.lines[at])) for at in positions]


def json_lines_batches(path: Path, size: int) -> Iterator[JsonLinesBatch]:
    """A JSON Lines file ``size`` lines at a time (blank lines skipped, but counted in the numbers)."""
    with path.open(encoding="utf-8-sig") as handle:
        first = 1
        while lines := list(islice(handle, size)):
            kept = [line for line in lines if line.strip()]
            if len(kept) == len(lines):
                numbers: Sequence[int] = range(first, first + len(lines))
            else:
                numbers = [first + at for at, line in enumerate(lines) if line.strip()]
            first += len(lines)
            if kept:
                text = "".join(kept)
                frame = json_frame((text if text.endswith("\n") else text + "\n").encode("utf-8"), lines=True)
                yield JsonLinesBatch(str(path), kept, numbers, frame)


def _csv(path: Path) -> Iterator[RawRecord]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        line = 1
        for row in reader:
            line += 1
            data = {key: value for key, value in row.items() if key is not None and value not in ("", None)}
            if None in row:
                data["__error__"] = "more cells than header columns"
            yield RawRecord(str(path), line, data)
            line = reader.line_num


def _parquet(path: Path) -> Iterator[RawRecord]:
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path)
    row = 0
    for batch in table.iter_batches(batch_size=65536):
        for data in batch.to_pylist():
            row += 1
            yield RawRecord(str(path), row, {key: value for key, value in data.items() if value is not None})


def json_frame(data: bytes, *, lines: bool) -> pl.DataFrame | None:
    """JSON records (JSON Lines, or one array) as a Polars frame for the column checks, or None when Polars
    does not read them as a table.

    Columns are inferred from every record, so a field first seen late is a column (and so found unknown),
    not dropped. Polars keeps a number as a float and writes a number or ``true`` given for a text field its
    own way (``-7.5000000000000001`` reads as -7.5, ``7.50`` as "7.5", ``1e2`` as "100", ``true`` as "true",
    a list as JSON text); the per-record reading keeps what was sent. Rows where that can differ (points read
    as floats, evidence missing a key, and, in a text field or text points that some record gave such a
    token, any value it could have become) are given no ``occurred_on``, so the column checks
    (``scoring.columnar_rows.fast_rows``) leave them to the per-record validator, which reads each line as
    sent; their ids stay, for the checks across records.
    """
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        frame = (
            pl.read_ndjson(io.BytesIO(data), infer_schema_length=None)
            if lines
            else pl.read_json(io.BytesIO(data), infer_schema_length=None)
        )
    except Exception:  # any shape Polars does not read as a table of records: the per-record path decides
        return None
    if "occurred_on" not in frame.columns:  # no record gives one: none passes the column checks anyway
        return frame
    loose = _loose(frame, _untexted(data))
    return frame.with_columns(pl.when(loose).then(None).otherwise(pl.col("occurred_on")).alias("occurred_on"))


_UNTEXTED = re.compile(
    rb'"(' + b"|".join(name.encode() for name in (*TEXT_FIELDS, "points")) + rb')"\s*:\s*[-0-9tf\[{]'
)
KEY_FIELDS = {"source", "id", "subject", "ref"}  # matched across records (duplicates, references)
_TOKEN_TEXT = r"^(true|false|-?[0-9][0-9.eE+-]*|[\[{].*)$"  # what Polars writes for such tokens


def _untexted(data: bytes) -> set[str]:
    """Text fields (and ``points``) some record gives a number, a boolean, a list or an object (a superset: the
    pattern may also match inside a string value, which only sends more rows the per-record way)."""
    return {match.decode() for match in set(_UNTEXTED.findall(data))}


def _loose(frame: pl.DataFrame, untexted: set[str]) -> pl.Expr:
    if untexted & KEY_FIELDS:  # keys compared across records must read alike in every row: all per record
        return pl.lit(True)
    schema = frame.schema
    loose: list[pl.Expr] = [  # text columns (points too) that some record gave such a token
        pl.col(name).str.contains(_TOKEN_TEXT).fill_null(False)
        for name in sorted(untexted)
        if schema.get(name) == pl.String
    ]
    points = schema.get("points")
    if points is not None and points != pl.String and not points.is_integer():  # read as floats
        loose.append(pl.col("points").is_not_null())
    evidence = schema.get("evidence")
    if isinstance(evidence, pl.List) and isinstance(evidence.inner, pl.Struct):
        keys = [field.name for field in evidence.inner.fields]
        gaps = pl.any_horizontal(pl.element().struct.field(key).is_null() for key in keys)
        loose.append(pl.col("evidence").list.eval(gaps).list.any().fill_null(False))
    return pl.any_horizontal(loose) if loose else pl.lit(False)
