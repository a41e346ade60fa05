"""Organisations with valid Unified Social Credit Codes: enterprises, shops, co-operatives, social organisations."""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl

from socialcredit.identity import make_uscc, region_name
from socialcredit.synth.people import faker_names
from socialcredit.synth.regions import Places

SERIALS = 10**8  # the eight-digit organisation code body: at most this many organisations per run
# (registration authority, entity type, share, name pattern): market regulation "9", civil affairs "5".
ENTITY_TYPES = (
    ("9", "1", 0.78, "{place}{word}{trade}有限公司"),
    ("9", "2", 0.12, "{place}{surname}记{shop}"),
    ("9", "3", 0.05, "{place}{village}{product}专业合作社"),
    ("5", "1", 0.03, "{place}{word}{trade}协会"),
    ("5", "2", 0.015, "{place}{word}{school}"),
    ("5", "3", 0.005, "{place}{word}慈善基金会"),
)
_TRADES = ("水产", "食品", "机械", "海洋科技", "建筑工程", "物流", "旅游", "渔业", "船舶", "贸易", "电子", "纺织")
_SHOPS = ("海鲜店", "饭店", "超市", "五金店", "理发店", "修理部", "便利店", "渔具店")
_PRODUCTS = ("海参养殖", "苹果种植", "花生种植", "渔业", "蔬菜种植", "农机服务")
_SCHOOLS = ("幼儿园", "培训学校", "养老院", "康复中心")


@cache
def company_words() -> list[str]:
    """Faker ``zh_CN``'s company name words (和泰, 凌云 …)."""
    from faker.providers.company.zh_CN import Provider

    return [word for word in Provider.company_prefixes if 2 <= len(word) <= 4]


def place_name(code: str) -> str:
    """``371082`` → ``荣成`` (the division's name without 市, 县 or 区)."""
    name = region_name(code) or ""
    return name[:-1] if len(name) > 2 and name[-1] in "市县区" else name


def make_orgs(rng: np.random.Generator, count: int, first: int, serial_base: int, places: Places) -> pl.DataFrame:
    """``count`` organisations numbered from ``first``: subject, kind, name, region, village (no birth date, sex)."""
    division, village = places.pick(rng, count)
    shares = np.array([share for *_, share, _pattern in ENTITY_TYPES])
    entity = rng.choice(len(ENTITY_TYPES), size=count, p=shares / shares.sum())
    codes = [places.codes[d] for d in division.tolist()]
    serials = ((serial_base + first + np.arange(count)) % SERIALS).tolist()
    subjects = [
        make_uscc(code, serial, authority=ENTITY_TYPES[kind][0], entity_type=ENTITY_TYPES[kind][1])
        for code, serial, kind in zip(codes, serials, entity.tolist(), strict=True)
    ]
    names = _names(rng, entity, codes, village)
    return pl.DataFrame(
        {
            "subject": subjects,
            "kind": pl.repeat("organisation", count, eager=True),
            "name": names,
            "region": codes,
            "village": village.tolist(),
            "birth_date": pl.Series([None] * count, dtype=pl.Date),
            "sex": pl.Series([None] * count, dtype=pl.String),
        }
    )


def _names(rng: np.random.Generator, entity: np.ndarray, codes: list[str], village: np.ndarray) -> list[str]:
    surnames = faker_names()[0][:100]
    words = company_words()
    count = len(codes)

    def draw(pool: tuple[str, ...] | list[str]) -> list[str]:
        return [pool[i] for i in rng.integers(0, len(pool), count).tolist()]

    fields = zip(draw(words), draw(_TRADES), draw(surnames), draw(_SHOPS), draw(_PRODUCTS), draw(_SCHOOLS), strict=True)
    return [
        ENTITY_TYPES[kind][3].format(
            place=place_name(code), word=word, trade=trade, surname=surname, shop=shop,
            village=str(home).removesuffix("村").removesuffix("社区"), product=product, school=school,
        )
        for kind, code, home, (word, trade, surname, shop, product, school) in zip(
            entity.tolist(), codes, village.tolist(), fields, strict=True
        )
    ]  # fmt: skip
