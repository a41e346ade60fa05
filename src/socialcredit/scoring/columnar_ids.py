"""National identifiers checked over columns (DESIGN §4), for the distinct subjects of a record batch.

Only identifiers already in normal form (18 upper-case ASCII characters) are judged here; everything
else is left to ``identity.parse_subject`` (which also writes the error message). The checks are those
of ``identity.validate_ric`` / ``validate_uscc``: a resident identity number first, then a credit code.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import polars as pl

from socialcredit.identity import USCC_ALPHABET, USCC_AUTHORITIES, region_codes

RIC_WEIGHTS = [pow(2, 17 - position, 11) for position in range(17)]
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
PERSON, ORGANISATION = "person", "organisation"


@cache
def _regions() -> tuple[str, ...]:
    return tuple(region_codes())


def _ric_ok(number: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal(
        [number.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(RIC_WEIGHTS)]
    )
    check = (1 - total) % 11
    expected = pl.when(check == 10).then(pl.lit("X")).otherwise(check.cast(pl.String))
    born = number.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    return (
        number.str.contains(r"^[0-9]{17}[0-9X]$")
        & (number.str.slice(17, 1) == expected)
        & born.is_not_null()
        & (born.dt.year() >= 1880)
        & (born <= pl.lit(date.today()))
        & number.str.slice(0, 6).is_in(list(_regions()))
    )


def _uscc_ok(code: pl.Expr) -> pl.Expr:
    values = {char: index for index, char in enumerate(USCC_ALPHABET)}
    digit = [code.str.slice(i, 1).replace_strict(values, default=None, return_dtype=pl.Int64) for i in range(18)]
    total = pl.sum_horizontal([value * w for value, w in zip(digit, USCC_WEIGHTS, strict=False)])
    expected = (-total) % 31
    alphabet = "".join(c for c in USCC_ALPHABET if c.isalpha())
    return (
        code.str.contains(f"^[0-9{alphabet}]{{18}}$")
        & code.str.slice(0, 1).is_in(list(USCC_AUTHORITIES))
        & code.str.slice(2, 6).str.contains(r"^[0-9]{6}$")
        & (digit[17] == expected)
    )


def subject_kinds(subjects: pl.Series) -> pl.DataFrame:
    """For each distinct subject: ``kind`` = person, organisation, or null when it needs the slow check."""
    distinct = subjects.drop_nulls().unique().to_frame("subject")
    number = pl.col("subject")
    normal = number.str.contains(r"^[0-9A-Z]{18}$")
    kind = (
        pl.when(normal & _ric_ok(number))
        .then(pl.lit(PERSON))
        .when(normal & _uscc_ok(number))
        .then(pl.lit(ORGANISATION))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return distinct.with_columns(kind.alias("subject_kind"))
