"""Read record files: JSON Lines, CSV or Parquet (a file, or a directory of Parquet partitions)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from socialcredit.errors import UserError

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
    does not read them as a table. Columns are inferred from every record, not the first ones: a field seen
    only late in the input is a column (and so an unknown field is found), not silently dropped."""
    source = io.BytesIO(data.removeprefix(b"\xef\xbb\xbf"))
    try:
        if lines:
            return pl.read_ndjson(source, infer_schema_length=None)
        return pl.read_json(source, infer_schema_length=None)
    except Exception:  # any shape Polars does not read as a table of records: the per-record path decides
        return None
