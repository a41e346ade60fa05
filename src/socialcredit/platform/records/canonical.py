"""The canonical text of a stored record, in two implementations kept equal by a property test.

A record's *content* (what the sender said) and its *line* (content and the platform's columns, as the
audit digest covers it) are fields joined by ``|``, each typed and length-prefixed so that no two rows read
alike: ``-`` for null, ``s<len>:<text>``, ``i<int>``, ``d<YYYY-MM-DD>``, ``t<UTC instant>``. Python builds it
one row at a time (the API, ``audit verify``); Polars builds it for a whole frame (bulk import).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import polars as pl

from socialcredit.db.base import iso_utc

# What the sender said, and what the platform added: together every column of ``records`` but ``pk``.
CONTENT = (
    "source",
    "record_id",
    "subject",
    "kind",
    "ref",
    "rule",
    "occurred_on",
    "points",
    "reason",
    "document",
    "evidence",
)
PLATFORM = ("recorded_at", "status", "reported_by", "content_hash", "audit_seq")
UTC_FORMAT = "%Y-%m-%dT%H:%M:%S%.6fZ"  # Polars' spelling of ``iso_utc``


def field(value: Any) -> str:
    """One field's canonical text."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return f"s{len(value)}:{value}"
    if isinstance(value, bool):
        raise TypeError("records hold no booleans")
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, datetime):
        return "t" + iso_utc(value)
    if isinstance(value, date):
        return "d" + value.isoformat()
    raise TypeError(f"no canonical text for a {type(value).__name__}")


def text(values: Sequence[Any]) -> str:
    return "|".join(field(value) for value in values)


def content_text(row: Mapping[str, Any]) -> str:
    return text([row[name] for name in CONTENT])


def platform_text(row: Mapping[str, Any]) -> str:
    return text([row[name] for name in PLATFORM])


def field_expr(name: str, dtype: pl.DataType) -> pl.Expr:
    """:func:`field` over a column."""
    column = pl.col(name)
    if dtype == pl.String:
        body = pl.concat_str([pl.lit("s"), column.str.len_chars().cast(pl.String), pl.lit(":"), column])
    elif dtype.is_integer():
        body = pl.concat_str([pl.lit("i"), column.cast(pl.String)])
    elif dtype == pl.Date:
        body = pl.concat_str([pl.lit("d"), column.dt.strftime("%Y-%m-%d")])
    elif isinstance(dtype, pl.Datetime):
        body = pl.concat_str([pl.lit("t"), column.dt.convert_time_zone("UTC").dt.strftime(UTC_FORMAT)])
    else:
        raise TypeError(f"no canonical text for a {dtype} column")
    return pl.when(column.is_null()).then(pl.lit("-")).otherwise(body)


def text_expr(names: Sequence[str], schema: Mapping[str, pl.DataType]) -> pl.Expr:
    """:func:`text` over columns of a frame with ``schema``."""
    return pl.concat_str([field_expr(name, schema[name]) for name in names], separator="|")
