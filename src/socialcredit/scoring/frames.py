"""Records as a Polars frame: the schema the columnar engine reads, and conversions to and from it.

The *record frame* (:data:`RECORD_SCHEMA`) is DESIGN §6 as columns: strings for ``source``, ``id``,
``subject``, ``kind``, ``ref``, ``rule`` and ``status``; ``occurred_on`` a date; ``recorded_at`` an instant
(UTC); ``points`` integer hundredths. :func:`records_frame` reads and validates a file or a directory
of Parquet parts into it. The engine itself works on the *coded* frame (:data:`CODED_SCHEMA`): kind,
status and rule as small integers, made by :func:`encode`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from socialcredit.errors import RecordError
from socialcredit.policy.model import Policy
from socialcredit.records.schema import KINDS, STATUSES, Record

UTC_INSTANT = pl.Datetime("us", "UTC")
RECORD_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "id": pl.String(),
    "subject": pl.String(),
    "kind": pl.String(),
    "ref": pl.String(),
    "rule": pl.String(),
    "occurred_on": pl.Date(),
    "recorded_at": UTC_INSTANT,
    "points": pl.Int64(),
    "status": pl.String(),
}
CODED_SCHEMA: dict[str, pl.DataType] = {
    **RECORD_SCHEMA,
    "kind": pl.UInt8(),
    "rule": pl.Int32(),
    "status": pl.UInt8(),
}
# "suspended" is set only by the platform (a contested record whose source missed the objection deadline).
RECORD_STATUSES = (*STATUSES, "suspended")
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
STATUS_CODE = {status: code for code, status in enumerate(RECORD_STATUSES)}
KEY_SEED = 3711082


def key_hash(source: str = "source", record_id: str = "id") -> pl.Expr:
    """A 64-bit hash of the ``(source, id)`` key (exact comparisons follow wherever two collide): the two
    values hashed apart (seeded differently) and combined."""
    return (pl.col(record_id).hash(KEY_SEED) ^ pl.col(source).hash(KEY_SEED + 1)).alias("_key")


def from_records(records: Iterable[Record]) -> pl.DataFrame:
    """A record frame from typed records (as the per-subject engine takes them)."""
    rows = [
        (r.source, r.id, r.subject, r.kind, r.ref, r.rule, r.occurred_on, r.recorded_at, r.points, r.status)
        for r in records
    ]
    return pl.DataFrame(rows, schema=RECORD_SCHEMA, orient="row")


def conform(frame: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """The record columns, in order and type (``recorded_at`` converted to UTC)."""
    lazy = frame.lazy()
    names = lazy.collect_schema().names()
    missing = [name for name in RECORD_SCHEMA if name not in names]
    if missing:
        raise RecordError(f"record frame lacks column(s) {', '.join(missing)}")
    columns = []
    for name, dtype in RECORD_SCHEMA.items():
        column = pl.col(name)
        if name == "recorded_at":
            column = column.dt.convert_time_zone("UTC").cast(dtype)
        columns.append(column.cast(dtype))
    return lazy.select(columns)


def encode(frame: pl.DataFrame | pl.LazyFrame, policy: Policy) -> pl.LazyFrame:
    """The coded frame: kind, status and rule as indexes (kinds, statuses, ``policy.rules``).

    A fact or correction naming a rule the handbook lacks is an error (records are validated first).
    """
    lazy = conform(frame)
    rule_ids = [rule.id for rule in policy.rules]
    unknown = (
        lazy.filter(pl.col("kind").is_in(["fact", "correct"]) & ~pl.col("rule").fill_null("").is_in(rule_ids))
        .select("source", "id", "rule")
        .head(1)
        .collect()
    )
    if unknown.height:
        source, record_id, rule = unknown.row(0)
        raise RecordError(f"record ({source}, {record_id}): unknown rule {rule or ''!r}")
    return lazy.with_columns(
        pl.col("kind").fill_null("fact").replace_strict(KIND_CODE, return_dtype=pl.UInt8),
        pl.col("status").fill_null("confirmed").replace_strict(STATUS_CODE, return_dtype=pl.UInt8),
        pl.col("rule").replace_strict(rule_ids, list(range(len(rule_ids))), default=None, return_dtype=pl.Int32),
    )


def records_frame(path: str | Path, policy: Policy | None = None) -> pl.DataFrame:
    """Read and validate a record file (JSON Lines, CSV, Parquet, or a directory of Parquet parts).

    With a handbook, records are checked as ``evaluate`` checks them (shape, rules, sources, points,
    documents, duplicates, references) and read in its time zone; without one, shape and references only.
    Raises :class:`RecordError` listing ``FILE:LINE: field: reason`` for every problem; returns a record
    frame (:data:`RECORD_SCHEMA`) in reading order, subjects of references filled in from their facts.
    """
    from socialcredit.scoring.columnar_read import LOCATION, Problems, read_unit, units
    from socialcredit.scoring.columnar_refs import check_across

    problems = Problems()
    pieces = units(path)
    files = {unit.index: unit.file for unit in pieces}
    frames = [frame for unit in pieces for frame in read_unit(unit, policy, problems)]
    schema = {**RECORD_SCHEMA, **LOCATION}
    located = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=schema)
    checked = check_across(located, [files.get(i, "") for i in range(max(files, default=0) + 1)], problems)
    problems.check()
    return checked.select(list(RECORD_SCHEMA))
