"""Persons aged 18–90 on the start date, with valid resident identity numbers, names, sex and homes."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import numpy as np
import polars as pl

from socialcredit.errors import UserError
from socialcredit.identity import make_ric
from socialcredit.policy.duration import add_months
from socialcredit.synth.regions import Places

MIN_AGE, MAX_AGE = 18, 90
MALE_SHARE = 0.505
SEQUENCES_PER_SEX = 500  # three-digit sequence: odd for men, even for women
MAX_DENSITY = 0.5  # at most half the numbers of a (division, birth date, sex) are handed out
# Adults by five-year age band (from 18, 20, 25 … 85, 90), shaped on an ageing coastal county.
_BAND_WEIGHTS = (2.0, 5.2, 5.8, 7.6, 6.8, 6.6, 8.4, 9.2, 8.6, 7.4, 7.6, 5.6, 3.8, 2.4, 1.3, 0.2)


@cache
def faker_names() -> tuple[list[str], np.ndarray, list[str], list[str]]:
    """Faker ``zh_CN``'s surnames (with their frequencies) and given names for men and women."""
    from faker.providers.person.zh_CN import Provider

    surnames = list(Provider.last_names)
    weights = np.array([Provider.last_names[name] for name in surnames], dtype=np.float64)
    return surnames, weights / weights.sum(), list(Provider.first_names_male), list(Provider.first_names_female)


def age_weights() -> np.ndarray:
    """Probability of each age 18…90."""
    ages = np.arange(MIN_AGE, MAX_AGE + 1)
    band = np.minimum(np.where(ages < 20, 0, (ages - 15) // 5), len(_BAND_WEIGHTS) - 1)
    weights = np.asarray(_BAND_WEIGHTS)[band] / np.where(ages < 20, 2, 5)
    return weights / weights.sum()


def birth_window(start: date) -> tuple[date, int]:
    """The oldest birth date of someone aged at most 90 on ``start``, and how many birth dates follow (to 18)."""
    oldest = add_months(start, -12 * (MAX_AGE + 1)) + timedelta(days=1)
    return oldest, (add_months(start, -12 * MIN_AGE) - oldest).days + 1


def check_capacity(people: int, codes: list[str], start: date) -> None:
    """Refuse more people than the divisions can number uniquely (keeping numbers sparse)."""
    capacity = int(len(codes) * birth_window(start)[1] * 2 * SEQUENCES_PER_SEX * MAX_DENSITY)
    if people > capacity:
        raise UserError(
            f"--people {people:,}: {len(codes)} division(s) can number at most {capacity:,} distinct people; "
            "choose a larger --region (e.g. the city or province code)"
        )


class IdentityBook:
    """Birth dates and sequence numbers handed out so far, so every identity number is unique."""

    def __init__(self, start: date, places: Places, people: int, rng: np.random.Generator) -> None:
        check_capacity(people, places.codes, start)
        self.oldest, self.days = birth_window(start)
        self.codes = places.codes
        self.used = np.zeros(len(self.codes) * self.days * 2, dtype=np.int16)
        self.order = rng.permutation(SEQUENCES_PER_SEX)  # sequence numbers in a scattered order
        ages = range(MIN_AGE, MAX_AGE + 1)
        self.high = np.array([(add_months(start, -12 * age) - self.oldest).days for age in ages])
        self.low = np.array([(add_months(start, -12 * (age + 1)) - self.oldest).days + 1 for age in ages])

    def birth_days(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """Day offsets from ``oldest`` drawn by the age distribution."""
        age = rng.choice(MAX_AGE - MIN_AGE + 1, size=count, p=age_weights())
        span = self.high[age] - self.low[age] + 1
        return self.low[age] + (rng.random(count) * span).astype(np.int64)

    def allocate(self, rng: np.random.Generator, division: np.ndarray, day: np.ndarray, male: np.ndarray) -> np.ndarray:
        """Sequence numbers (0–999, odd for men); where a birth date is full, ``day`` is redrawn in place."""
        sequence = np.empty(len(day), dtype=np.int64)
        todo = np.arange(len(day))
        while len(todo):
            key = (division[todo] * self.days + day[todo]) * 2 + male[todo]
            order = np.argsort(key, kind="stable")
            ranked = key[order]
            first = np.r_[True, ranked[1:] != ranked[:-1]]
            group_start = np.maximum.accumulate(np.where(first, np.arange(len(ranked)), 0))
            count = np.empty(len(todo), dtype=np.int64)
            count[order] = self.used[ranked] + (np.arange(len(ranked)) - group_start)
            fits = count < SEQUENCES_PER_SEX
            done = todo[fits]
            sequence[done] = 2 * self.order[count[fits]] + male[done]
            np.add.at(self.used, key[fits], 1)
            todo = todo[~fits]
            day[todo] = rng.integers(0, self.days, len(todo))
        return sequence


def make_people(rng: np.random.Generator, count: int, places: Places, book: IdentityBook) -> pl.DataFrame:
    """``count`` persons: subject, kind, name, region, village, birth_date, sex."""
    surnames, weights, male_names, female_names = faker_names()
    division, village = places.pick(rng, count)
    male = (rng.random(count) < MALE_SHARE).astype(np.int64)
    day = book.birth_days(rng, count)
    sequence = book.allocate(rng, division, day, male)
    births = (np.datetime64(book.oldest, "D") + day).tolist()
    subjects = [
        make_ric(code, born, seq)
        for code, born, seq in zip(np.asarray(book.codes)[division].tolist(), births, sequence.tolist(), strict=True)
    ]
    surname = np.asarray(surnames, dtype=object)[rng.choice(len(surnames), size=count, p=weights)]
    given_male = np.asarray(male_names, dtype=object)[rng.integers(0, len(male_names), count)]
    given_female = np.asarray(female_names, dtype=object)[rng.integers(0, len(female_names), count)]
    given = np.where(male == 1, given_male, given_female)
    return pl.DataFrame(
        {
            "subject": subjects,
            "kind": pl.repeat("person", count, eager=True),
            "name": (surname + given).tolist(),
            "region": np.asarray(book.codes)[division].tolist(),
            "village": village.tolist(),
            "birth_date": pl.Series(births, dtype=pl.Date),
            "sex": np.where(male == 1, "male", "female").tolist(),
        }
    )
