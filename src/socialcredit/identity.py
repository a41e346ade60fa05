"""National identifiers (DESIGN §4): resident identity numbers, Unified Social Credit Codes, passports.

Built on ``python-stdnum`` with two deliberate departures:

* a region code is accepted if it exists in stdnum's division table at *any* time. ``stdnum.cn.ric.validate``
  requires the code to exist in the holder's birth year, which rejects most adults of Rongcheng (371082,
  created 1989), because numbers issued later keep the code of the current division;
* lookups never leak ``KeyError`` (stdnum raises it for codes that match a province but no county).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import Literal

from stdnum import numdb
from stdnum.cn import ric, uscc

from socialcredit.errors import IdentifierError

SubjectKind = Literal["person", "organisation"]
PERSON: SubjectKind = "person"
ORGANISATION: SubjectKind = "organisation"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_AUTHORITIES = "123456789ANY"
PASSPORT_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9]{7,8}$|^[A-Z][0-9]{8}$")
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True, slots=True)
class SubjectId:
    """A validated, normalised national identifier and the kind of subject it names."""

    id: str
    kind: SubjectKind


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What a resident identity number itself says about its holder."""

    birth_date: date
    sex: Literal["female", "male"]
    region_code: str
    region_name: str


def normalize(value: str) -> str:
    """Strip, fold full-width characters (``１２３Ｘ``) to ASCII and upper-case; drop inner spaces and dashes."""
    folded = unicodedata.normalize("NFKC", value)
    return re.sub(r"[\s\-]", "", folded).upper()


def _fail(value: str, what: str) -> IdentifierError:
    return IdentifierError(f"{value!r} is not a valid {what}")


@cache
def _region_table() -> dict[str, str]:
    """Every six-digit division code stdnum knows, at any time, with its latest name."""
    table: dict[str, str] = {}
    loc = numdb.get("cn/loc")
    for province_code, province_props, counties in _walk(loc):
        for county_code, county_name in counties:
            table[province_code + county_code] = county_name or province_props
    return table


def _walk(loc: numdb.NumDB) -> list[tuple[str, str, list[tuple[str, str]]]]:
    provinces = []
    for _length, low, _high, props, children in loc.prefixes:
        counties = []
        for _c_length, c_low, c_high, c_props, _ in children:
            if c_low != c_high:
                continue
            counties.append((c_low, _latest_name(c_props.get("county", ""))))
        provinces.append((low, props.get("province", ""), counties))
    return provinces


def _latest_name(county: str) -> str:
    """``[1983-1987]荣成县,[1989-]荣成市`` → ``荣成市`` (the last period named)."""
    names = [part.split("]", 1)[-1] for part in county.split(",") if part]
    return names[-1] if names else ""


def region_name(code: str) -> str | None:
    """The division's name for a six-digit code, or None if stdnum's table never had it."""
    return _region_table().get(code)


def region_codes(prefix: str = "") -> list[str]:
    """All known six-digit division codes that start with ``prefix`` (sorted)."""
    return sorted(code for code in _region_table() if code.startswith(prefix))


def validate_ric(value: str) -> str:
    """A valid 18-character resident identity number, normalised; otherwise an error saying what is wrong."""
    number = normalize(value)
    what = "resident identity number"
    if len(number) != 18:
        raise IdentifierError(f"{value!r}: a {what} has 18 characters; this has {len(number)} characters")
    if not number[:17].isdigit() or number[17] not in "0123456789X":
        raise IdentifierError(f"{value!r}: a {what} is 17 digits and a digit or X; found another character")
    if number[17] != ric.calc_check_digit(number):
        raise IdentifierError(f"{value!r}: wrong check digit (expected {ric.calc_check_digit(number)})")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierError(f"{value!r}: birth date {number[6:14]} is not a date") from None
    if born.year < 1880 or born > date.today():
        raise IdentifierError(f"{value!r}: birth date {born} is not plausible")
    if region_name(number[:6]) is None:
        raise IdentifierError(f"{value!r}: region code {number[:6]} is not a known division code")
    return number


def validate_uscc(value: str) -> str:
    """A valid 18-character Unified Social Credit Code, normalised; otherwise an error saying what is wrong."""
    code = normalize(value)
    what = "Unified Social Credit Code"
    if len(code) != 18:
        raise IdentifierError(f"{value!r}: a {what} has 18 characters; this has {len(code)} characters")
    if code[0] not in USCC_AUTHORITIES:
        raise IdentifierError(f"{value!r}: registration authority {code[0]!r} is not one of {USCC_AUTHORITIES}")
    if not code[2:8].isdigit():
        raise IdentifierError(f"{value!r}: characters 3-8 must be a six-digit region code")
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise IdentifierError(f"{value!r}: character {bad[0]!r} is not allowed (I, O, S, V and Z are never used)")
    if code[-1] != uscc.calc_check_digit(code):
        raise IdentifierError(f"{value!r}: wrong check digit (expected {uscc.calc_check_digit(code)})")
    return code


def validate_passport(value: str) -> str:
    """A plausible passport number (letters then digits), normalised. Passports are aliases, never keys."""
    number = normalize(value)
    if not PASSPORT_PATTERN.match(number):
        raise IdentifierError(f"{value!r}: a passport number is one or two letters followed by 7 or 8 digits")
    return number


@lru_cache(maxsize=1 << 16)
def parse_subject(value: str, kinds: tuple[str, ...] | None = None) -> SubjectId:
    """Recognise a person's or an organisation's identifier; ``kinds`` limits which are allowed.

    Memoised (pure; errors are not cached): bulk ingestion sees the same subjects again and again.
    """
    number = normalize(value)
    if not number:
        raise IdentifierError("an empty identifier is neither a resident identity number nor a credit code")
    subject = _identify(value, number)
    if kinds is not None and subject.kind not in kinds:
        raise IdentifierError(f"{value!r} identifies {_article(subject.kind)}; only {' or '.join(kinds)} allowed here")
    return subject


def _identify(value: str, number: str) -> SubjectId:
    """Try a resident identity number first, then a credit code (both may be all digits)."""
    looks_like_person = number[:17].isdigit() and (len(number) < 18 or number[17] in "0123456789X")
    try:
        return SubjectId(validate_ric(number), PERSON)
    except IdentifierError as person_error:
        try:
            return SubjectId(validate_uscc(number), ORGANISATION)
        except IdentifierError as org_error:
            error = person_error if looks_like_person else org_error
            raise IdentifierError(error.message.replace(repr(number), repr(value), 1)) from None


def is_subject_id(value: str) -> bool:
    """True if ``value`` is a valid resident identity number or credit code."""
    try:
        parse_subject(value)
    except IdentifierError:
        return False
    return True


def person_facts(value: str) -> PersonFacts:
    """Birth date, sex and region encoded in a resident identity number."""
    number = validate_ric(value)
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    sex: Literal["female", "male"] = "male" if int(number[16]) % 2 else "female"
    return PersonFacts(born, sex, number[:6], region_name(number[:6]) or "")


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def make_ric(region: str, birth_date: date, sequence: int) -> str:
    """Build a valid identity number: region, birth date, three-digit sequence (odd = male) and check digit."""
    if region_name(region) is None:
        raise IdentifierError(f"region code {region!r} is not a known division code")
    if not 0 <= sequence <= 999:
        raise IdentifierError(f"sequence {sequence} must be between 0 and 999")
    body = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_uscc(region: str, serial: int, *, authority: str = "9", entity_type: str = "1") -> str:
    """Build a valid credit code; its organisation code (GB 11714, own check digit) derives from ``serial``."""
    if not (len(region) == 6 and region.isdigit()):
        raise IdentifierError(f"region code {region!r} must be six digits")
    body = f"{serial % 10**8:08d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    org_code = body + {10: "X", 11: "0"}.get(check, str(check))
    prefix = f"{authority}{entity_type}{region}{org_code}"
    return prefix + uscc.calc_check_digit(prefix + "0")


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
