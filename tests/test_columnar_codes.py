"""The small codes the columnar engine groups on: subject codes (one per distinct identifier, however the
records are ordered) and subject kinds judged over byte matrices, as ``identity.parse_subject`` judges."""

from __future__ import annotations

import polars as pl
import pytest

from socialcredit.errors import IdentifierError
from socialcredit.identity import parse_subject
from socialcredit.scoring.columnar import subject_codes
from socialcredit.scoring.columnar_ids import kinds_of

from conftest import ORG, PERSON, PERSON2


@pytest.mark.parametrize(
    "values",
    [
        [PERSON, PERSON, PERSON2, ORG, ORG],  # grouped: codes are run numbers
        [PERSON, ORG, PERSON, PERSON2, ORG],  # scattered: distinct values looked up
        [PERSON, None, PERSON, None, ORG],  # references without a subject
        [],
    ],
)
def test_subject_codes_name_each_row_s_subject_once(values: list[str | None]) -> None:
    subjects = pl.Series("subject", values, dtype=pl.String)
    names, codes = subject_codes(subjects)
    assert codes.dtype == pl.UInt32
    assert names.gather(codes).to_list() == values
    assert sorted(names.to_list()) == sorted({value for value in values if value is not None})


def _kind(value: str) -> str | None:
    try:
        return parse_subject(value).kind
    except IdentifierError:
        return None


def test_kinds_are_those_of_the_identity_checks() -> None:
    values = [
        PERSON,
        PERSON2,
        ORG,
        PERSON[:-1] + "9",  # wrong check digit
        ORG[:-1] + "0",
        "99" + PERSON[2:],  # unknown region
        PERSON2.lower(),  # not in normal form: left to the slow check
        "36042619910101007１",  # a full-width digit: 18 characters, more bytes
        "ABCDEFGHIJKLMNOPQR",
        "",
        None,
    ]
    kinds = kinds_of(pl.Series(values, dtype=pl.String)).to_list()
    for value, kind in zip(values, kinds, strict=True):
        if kind is not None:
            assert kind == _kind(value or "")
    assert kinds[:3] == ["person", "person", "organisation"]
    assert kinds[3:] == [None] * (len(values) - 3)
