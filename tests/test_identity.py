"""Identifiers: normalisation, validation with reasons, and the two stdnum traps."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from socialcredit.errors import IdentifierError
from socialcredit.identity import (
    ORGANISATION,
    PERSON,
    age_on,
    is_subject_id,
    make_ric,
    make_uscc,
    normalize,
    parse_subject,
    person_facts,
    region_codes,
    region_name,
    validate_passport,
    validate_ric,
    validate_uscc,
)


def test_rongcheng_adult_accepted_although_stdnum_rejects_it() -> None:
    number = make_ric("371082", date(1960, 5, 3), 123)
    assert not ric.is_valid(number)  # 371082 exists only since 1989 in stdnum's table
    assert validate_ric(number) == number
    facts = person_facts(number)
    assert facts == person_facts(number.lower())
    assert (facts.birth_date, facts.sex, facts.region_code, facts.region_name) == (
        date(1960, 5, 3),
        "male",
        "371082",
        "荣成市",
    )


def test_normalises_full_width_lower_case_and_spaces() -> None:
    number = make_ric("110101", date(1990, 3, 7), 752)
    full_width = " " + "".join(chr(ord(c) + 0xFEE0) for c in number) + " "
    assert normalize(full_width) == number
    spaced = f" {number[:6]} {number[6:14]}-{number[14:].lower()} "
    assert parse_subject(spaced).id == number


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("12345", "has 18 characters; this has 5 characters"),
        ("11010119900307751Z", "character 'Z' is not allowed"),
        ("110101199013071234", "wrong check digit"),
        ("", "empty identifier"),
    ],
)
def test_rejections_say_what_is_wrong(value: str, reason: str) -> None:
    with pytest.raises(IdentifierError, match=reason):
        parse_subject(value)


def test_birth_date_and_region_reasons() -> None:
    with pytest.raises(IdentifierError, match="found another character"):
        validate_ric("11010119900307A751")
    bad_date = "11010119901332" + "123"
    bad_date += ric.calc_check_digit(bad_date + "0")
    with pytest.raises(IdentifierError, match="birth date 19901332 is not a date"):
        validate_ric(bad_date)
    unknown_region = "379999199001011234"[:17]
    unknown_region += ric.calc_check_digit(unknown_region + "0")
    with pytest.raises(IdentifierError, match="region code 379999"):
        validate_ric(unknown_region)  # stdnum would raise KeyError from get_birth_place here


def test_credit_codes() -> None:
    code = make_uscc("371082", 4711)
    assert uscc.is_valid(code)
    assert parse_subject(code.lower()).kind == ORGANISATION
    assert validate_uscc("91110000600037341L") == "91110000600037341L"
    with pytest.raises(IdentifierError, match="character 'I' is not allowed"):
        validate_uscc("91110000600037341I")
    with pytest.raises(IdentifierError, match="wrong check digit"):
        validate_uscc("91110000600037341M")


def test_kinds_are_enforced() -> None:
    person = make_ric("371082", date(1980, 1, 1), 2)
    with pytest.raises(IdentifierError, match="identifies a person; only organisation allowed"):
        parse_subject(person, ("organisation",))
    assert parse_subject(person, ("person",)).kind == PERSON


def test_region_table_and_age() -> None:
    codes = region_codes("3710")
    assert "371082" in codes and all(code.startswith("3710") for code in codes)
    assert region_name("999999") is None
    assert age_on(date(1960, 5, 3), date(2025, 5, 2)) == 64
    assert age_on(date(1960, 5, 3), date(2025, 5, 3)) == 65


def test_passports() -> None:
    assert validate_passport(" e1234567 ") == "E1234567"
    with pytest.raises(IdentifierError, match="passport"):
        validate_passport("1234")
    assert not is_subject_id("E1234567")


@given(
    region=st.sampled_from(region_codes("37")),
    born=st.dates(date(1900, 1, 1), date(2008, 12, 31)),
    sequence=st.integers(0, 999),
)
def test_every_built_number_round_trips(region: str, born: date, sequence: int) -> None:
    number = make_ric(region, born, sequence)
    subject = parse_subject(number)
    assert subject.kind == PERSON and subject.id == number
    assert person_facts(number).birth_date == born


@given(serial=st.integers(0, 10**8 - 1), region=st.sampled_from(region_codes("3710")))
def test_every_built_credit_code_is_valid_for_stdnum(serial: int, region: str) -> None:
    code = make_uscc(region, serial)
    assert uscc.is_valid(code)
    assert parse_subject(code) == parse_subject(code.lower())
    assert parse_subject(code).kind == ORGANISATION


@given(st.text(max_size=30))
def test_never_raises_anything_but_identifier_error(value: str) -> None:
    try:
        subject = parse_subject(value)
    except IdentifierError as error:
        assert error.message
    else:
        assert len(subject.id) == 18 and subject.id == normalize(value)
