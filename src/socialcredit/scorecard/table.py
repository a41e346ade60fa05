"""Read applicant tables (CSV, Parquet, JSON Lines) and turn columns into numbers or categories.

Errors name the file, the column and where the bad value is: its line for CSV (the header is line 1) and JSON
Lines, its 1-based row for Parquet.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import polars as pl

from socialcredit.errors import InvalidInput, UserError

SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def invalid(line: str) -> InvalidInput:
    """An input error whose one detail line is its message (the CLI prints the details)."""
    return InvalidInput(line, details=[line])


def read_table(path: Path) -> pl.DataFrame:
    """The whole file as a frame; CSV cells are read as text and typed later, column by column."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise UserError(f"{path}: unknown file type {path.suffix!r}; use .csv, .parquet or .jsonl")
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    # Polars pads a short CSV line with nulls (a silent shift of data) and reports a long one vaguely.
    shape = _csv_shape_problem(path) if kind == "csv" else None
    if shape:
        raise invalid(f"{path}: {shape}")
    try:
        if kind == "csv":
            return pl.read_csv(path, infer_schema=False)
        if kind == "parquet":
            return pl.read_parquet(path)
        return pl.read_ndjson(path)
    except (pl.exceptions.PolarsError, OSError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise invalid(f"{path}: cannot read as {kind}: {first}") from None


def _csv_shape_problem(path: Path) -> str | None:
    """The first CSV line whose number of fields differs from the header's, said plainly."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            for record in reader:
                if header is not None and record and len(record) != len(header):
                    return f"line {reader.line_num}: {len(record)} fields, the header has {len(header)}"
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return f"not readable as CSV: {error}"
    return None


def row_ref(source: str, row: int) -> str:
    """Where 0-based data row ``row`` of file ``source`` is, as a reader would look for it (one record a line)."""
    kind = SUFFIXES.get(Path(source).suffix.lower())
    if kind == "csv":
        return f"line {row + 2}"
    if kind == "jsonl":
        return f"line {row + 1}"
    return f"row {row + 1}"


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes (the data hash recorded in the model)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def require_columns(frame: pl.DataFrame, columns: list[str], source: str) -> None:
    """Raise naming every column the model needs that the table lacks."""
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        lines = [f"{source}: column {name!r} is missing" for name in missing]
        raise InvalidInput(f"{source}: {len(missing)} required column(s) missing", details=lines)


def is_numeric(series: pl.Series) -> bool:
    """Numeric dtype, or text whose every non-empty cell parses as a number."""
    if series.dtype.is_numeric():
        return True
    if series.dtype != pl.String:
        return False
    text = _blank_to_null(series)
    parsed = text.cast(pl.Float64, strict=False)
    return text.null_count() < len(text) and parsed.null_count() == text.null_count()


def mostly_numbers(series: pl.Series, share: float = 0.9) -> bool:
    """Text of which at least ``share`` of the non-empty cells are numbers (a numeric column with typos)."""
    if series.dtype != pl.String:
        return False
    text = _blank_to_null(series)
    filled = len(text) - text.null_count()
    parsed = len(text) - text.cast(pl.Float64, strict=False).null_count()
    return filled > 0 and parsed >= share * filled


def numeric_values(series: pl.Series, source: str) -> np.ndarray:
    """Float64 values with NaN for missing; an unparseable cell raises naming its row and value."""
    if series.dtype.is_numeric():
        return series.cast(pl.Float64).fill_nan(None).to_numpy(allow_copy=True).astype(np.float64)
    if series.dtype not in (pl.String, pl.Null):
        raise invalid(f"{source}: column {series.name!r} has type {series.dtype}, expected numbers")
    text = _blank_to_null(series.cast(pl.String))
    parsed = text.cast(pl.Float64, strict=False)
    bad = (parsed.is_null() & text.is_not_null()).arg_true()
    if len(bad):
        row = int(bad[0])
        line = f"{source}: {row_ref(source, row)}, column {series.name!r}: {text[row]!r} is not a number"
        more = f" ({len(bad)} such values)" if len(bad) > 1 else ""
        raise invalid(line + more)
    return parsed.fill_nan(None).to_numpy(allow_copy=True).astype(np.float64)


def category_values(series: pl.Series) -> pl.Series:
    """Values as text, blank cells as missing."""
    if series.dtype == pl.Boolean:
        series = series.cast(pl.String).str.to_lowercase()
    return _blank_to_null(series.cast(pl.String))


def _blank_to_null(series: pl.Series) -> pl.Series:
    stripped = series.str.strip_chars()
    return pl.select(pl.when(stripped.str.len_bytes() > 0).then(stripped)).to_series().alias(series.name)
