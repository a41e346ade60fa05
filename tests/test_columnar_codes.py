"""The small codes the columnar engine groups on: subject codes (one per distinct identifier, however the
records are ordered) and subject kinds judged over byte matrices, as ``identity.parse_subject`` judges."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from socialcredit.errors import IdentifierError
from socialcredit.identity import make_ric, make_uscc, parse_subject, region_codes
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


ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY" + "IOSVZ"  # credit-code letters, and five it lacks


@st.composite
def identifiers(draw: st.DrawFn) -> str:
    """Valid resident identity numbers and credit codes, some with one to three characters changed."""
    regions = region_codes()
    region = draw(st.sampled_from(regions[:50] + regions[-50:]))
    if draw(st.booleans()):
        edges = st.dates(min_value=date(1870, 1, 1), max_value=date(1890, 12, 31)) | st.dates(
            min_value=date(2020, 1, 1)
        )
        born = draw(edges | st.dates(min_value=date(1870, 1, 1), max_value=date(2030, 12, 31)))
        value = make_ric(region, born, draw(st.integers(0, 999)))
    else:
        value = make_uscc(region, draw(st.integers(0, 10**9 - 1)), authority=draw(st.sampled_from("1259Y")))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, 17))
        value = value[:at] + draw(st.sampled_from(ALPHABET)) + value[at + 1 :]
    return value


@settings(max_examples=60, deadline=None)
@given(st.lists(identifiers(), min_size=1, max_size=60))
@example([make_ric("371082", date(1875, 1, 1), 1), make_ric("371082", date.today() + timedelta(days=1), 1)])
def test_kinds_of_identifiers_in_normal_form_are_exactly_those_of_parse_subject(values: list[str]) -> None:
    kinds = kinds_of(pl.Series(values, dtype=pl.String)).to_list()
    assert kinds == [_kind(value) for value in values]
