"""National identifiers checked in bulk (DESIGN §4), for the distinct subjects of a record batch.

Only identifiers already in normal form (18 upper-case ASCII letters and digits) are judged here, as an
``(n, 18)`` byte matrix; everything else is left to ``identity.parse_subject`` (which also words the
error). The checks are those of ``identity.validate_ric`` then ``validate_uscc``: check digits, birth
date (a real date, from 1880 to today) and division code of a resident identity number; registration
authority, region digits, alphabet and check digit of a credit code.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import cache

import numpy as np
import polars as pl

from socialcredit.identity import USCC_ALPHABET, USCC_AUTHORITIES, region_codes

RIC_WEIGHTS = np.array([pow(2, 17 - position, 11) for position in range(17)], dtype=np.int64)
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
PERSON, ORGANISATION = "person", "organisation"
KIND_CODES = {PERSON: 1, ORGANISATION: 2}  # 0 (null): judged by the slow check
NORMAL = re.compile(r"^[0-9A-Z]{18}$")


@cache
def _regions() -> np.ndarray:
    return np.array(sorted(int(code) for code in region_codes()), dtype=np.int64)


@cache
def _leap_years() -> np.ndarray:
    return np.array([calendar.isleap(year) for year in range(10000)])


@cache
def _uscc_values() -> np.ndarray:
    """Byte → value in the credit-code alphabet, or -1."""
    table = np.full(256, -1, dtype=np.int64)
    for value, char in enumerate(USCC_ALPHABET):
        table[ord(char)] = value
    return table


def _number(columns: np.ndarray) -> np.ndarray:
    """Digits (``(n, k)`` values 0–9) as integers, row by row."""
    return columns @ (10 ** np.arange(columns.shape[1] - 1, -1, -1, dtype=np.int64))


def _ric_ok(codes: np.ndarray) -> np.ndarray:
    """Rows that are valid resident identity numbers (each row 18 bytes)."""
    digits = codes[:, :17].astype(np.int64) - ord("0")
    ok: np.ndarray = np.asarray(((digits >= 0) & (digits <= 9)).all(axis=1))
    rows = np.flatnonzero(ok)  # the checks below read digits only
    digits, last = digits[rows], codes[rows, 17]
    check = (1 - digits @ RIC_WEIGHTS) % 11
    expected = np.where(check == 10, ord("X"), check + ord("0"))
    year, month, day = _number(digits[:, 6:10]), _number(digits[:, 10:12]), _number(digits[:, 12:14])
    today = date.today()
    valid_month = (month >= 1) & (month <= 12)
    lengths = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.where(valid_month, month, 0)]
    lengths = np.where((month == 2) & ~_leap_years()[year], 28, lengths)
    real = valid_month & (day >= 1) & (day <= lengths)
    born = year * 10000 + month * 100 + day
    plausible = (year >= 1880) & (born <= today.year * 10000 + today.month * 100 + today.day)
    regions = _regions()
    region = _number(digits[:, :6])
    place = np.minimum(np.searchsorted(regions, region), len(regions) - 1)
    ok[rows] = (last == expected) & real & plausible & (regions[place] == region)
    return ok


def _uscc_ok(codes: np.ndarray) -> np.ndarray:
    values = _uscc_values()[codes]
    in_alphabet = (values >= 0).all(axis=1)
    authority = np.isin(codes[:, 0], np.frombuffer(USCC_AUTHORITIES.encode(), dtype=np.uint8))
    region_digits = ((codes[:, 2:8] >= ord("0")) & (codes[:, 2:8] <= ord("9"))).all(axis=1)
    expected = (-(np.clip(values[:, :17], 0, None) @ USCC_WEIGHTS)) % 31
    return in_alphabet & authority & region_digits & (values[:, 17] == expected)


def subject_kinds(subjects: pl.Series) -> pl.DataFrame:
    """For each distinct subject: ``subject_kind`` = person, organisation, or null when it needs the slow check."""
    distinct = subjects.drop_nulls().unique()
    return pl.DataFrame({"subject": distinct, "subject_kind": kinds_of(distinct)})


def kinds_of(subjects: pl.Series) -> pl.Series:
    """``subject_kind`` of each value, in order (null for nulls and for values that need the slow check)."""
    names = {KIND_CODES[PERSON]: PERSON, KIND_CODES[ORGANISATION]: ORGANISATION}
    return kind_codes(subjects).replace_strict(names, default=None, return_dtype=pl.String).alias("subject_kind")


def kind_codes(subjects: pl.Series) -> pl.Series:
    """:data:`KIND_CODES` of each value, in order (null for nulls and for values that need the slow check)."""
    text = subjects.cast(pl.String)
    normal = (text.str.len_bytes() == 18).fill_null(False)
    codes = np.zeros(len(text), dtype=np.uint8)
    if normal.any():
        matrix = _byte_matrix(text.filter(normal))
        ascii_normal = (((matrix >= 48) & (matrix <= 57)) | ((matrix >= 65) & (matrix <= 90))).all(axis=1)
        person = ascii_normal & _ric_ok(matrix)
        organisation = np.zeros_like(person)
        rest = np.flatnonzero(ascii_normal & ~person)  # credit codes are checked only where no person is
        organisation[rest] = _uscc_ok(matrix[rest])
        codes[normal.to_numpy()] = np.where(
            person, KIND_CODES[PERSON], np.where(organisation, KIND_CODES[ORGANISATION], 0)
        )
    return pl.Series("subject_kind", codes).replace(0, None)


def _byte_matrix(values: pl.Series) -> np.ndarray:
    """Strings of 18 bytes each as an ``(n, 18)`` byte matrix (from the Arrow buffers, no Python strings)."""
    import pyarrow as pa

    array = values.to_arrow()
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = array.cast(pa.large_string())
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)
    return data[offsets[0] : offsets[-1]].reshape(-1, 18)
