"""Divisions (from stdnum's region table via socialcredit.identity), villages and communities."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from stdnum import numdb

from socialcredit.errors import UserError
from socialcredit.identity import region_codes, region_name

URBAN_SHARE = 0.63  # Rongcheng 2020 census: 448,370 of 714,211 residents urban (DOMAIN.md §5)
PEOPLE_PER_VILLAGE = 780  # Rongcheng: ~714,000 residents, 919 villages
PROVINCE_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
    "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
    "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "贵",
    "53": "云", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新", "71": "台",
    "81": "港", "82": "澳",
}  # fmt: skip
_VILLAGE_ENDINGS = ("村", "家村", "家庄村", "家疃村", "家泊村", "家岛村", "格庄村")
_VILLAGE_PREFIXES = ("", "", "", "东", "西", "南", "北", "前", "后", "上", "下", "大", "小")
_COMMUNITY_WORDS = (
    "和平", "幸福", "新华", "建设", "海滨", "成山", "石岛", "崖头", "龙须", "港湾", "桃园", "明珠",
    "观海", "滨海", "永安", "兴隆", "花园", "春华", "金海", "长青", "德胜", "福泰", "锦绣", "鸿运",
)  # fmt: skip
_CURRENT = re.compile(r"^\[\d{4}-\]")


def divisions(region: str) -> list[str]:
    """Six-digit codes of the divisions in ``region`` (itself or its current sub-divisions).

    ``region`` is a six-digit code (``371082`` Rongcheng, ``371000`` Weihai, ``370000`` Shandong) or a
    two- or four-digit prefix. Codes no longer in use are left out when current ones exist.
    """
    value = region.strip()
    if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", value):
        raise UserError(f"--region {region!r}: give a six-digit division code such as 371082 (or a 2/4-digit prefix)")
    prefix = value.rstrip("0") if len(value) == 6 and value.endswith("00") else value
    prefix = prefix + "0" * (len(prefix) % 2)
    codes = [code for code in region_codes(prefix) if not code.endswith("00") and region_name(code) != "市辖区"]
    current = [code for code in codes if _is_current(code)]
    chosen = current or codes or ([value] if len(value) == 6 and region_name(value) else [])
    if not chosen:
        raise UserError(
            f"--region {region!r}: not a division code in the region table "
            "(examples: 371082 Rongcheng, 371000 Weihai, 370000 Shandong)"
        )
    return chosen


@cache
def _is_current(code: str) -> bool:
    parts = numdb.get("cn/loc").info(code)
    county = str(parts[-1][1].get("county", "")) if len(parts) > 1 else ""
    last = county.split(",")[-1]
    return not last.startswith("[") or bool(_CURRENT.match(last))


def province_abbreviation(code: str) -> str:
    """``37…`` → ``鲁`` (used in court case and penalty decision numbers)."""
    return PROVINCE_ABBREVIATIONS.get(code[:2], "")


@dataclass(frozen=True)
class Places:
    """The divisions of a region and the villages (rural) and communities (urban) of each."""

    codes: list[str]
    names: np.ndarray  # every village and community name, division by division
    village_start: np.ndarray  # per division: first village, first community, one past the last
    community_start: np.ndarray
    end: np.ndarray

    @classmethod
    def build(cls, rng: np.random.Generator, region: str, surnames: list[str], subjects: int) -> Places:
        codes = divisions(region)
        names: list[str] = []
        starts: list[tuple[int, int, int]] = []
        for _ in codes:
            villages, communities = village_names(rng, surnames, subjects // len(codes))
            first = len(names)
            names += villages + communities
            starts.append((first, first + len(villages), len(names)))
        bounds = np.array(starts, dtype=np.int64)
        return cls(codes, np.array(names, dtype=object), bounds[:, 0], bounds[:, 1], bounds[:, 2])

    def pick(self, rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
        """``count`` random homes: division index and village-or-community name (urban at URBAN_SHARE)."""
        division = rng.integers(0, len(self.codes), count)
        urban = rng.random(count) < URBAN_SHARE
        low = np.where(urban, self.community_start[division], self.village_start[division])
        high = np.where(urban, self.end[division], self.community_start[division])
        index = low + (rng.random(count) * (high - low)).astype(np.int64)
        return division, self.names[index]


def village_names(rng: np.random.Generator, surnames: list[str], people: int) -> tuple[list[str], list[str]]:
    """Distinct rural village and urban community names for one division holding about ``people`` residents."""
    count = int(min(2000, max(3, people // PEOPLE_PER_VILLAGE)))
    villages = _distinct(count, lambda: _village(rng, surnames), "村")
    communities = _distinct(max(1, count // 6), lambda: f"{_pick(rng, _COMMUNITY_WORDS)}{_suffix(rng)}社区", "社区")
    return villages, communities


def _pick(rng: np.random.Generator, words: tuple[str, ...] | list[str]) -> str:
    return words[int(rng.integers(len(words)))]


def _village(rng: np.random.Generator, surnames: list[str]) -> str:
    return _pick(rng, _VILLAGE_PREFIXES) + _pick(rng, surnames[:120]) + _pick(rng, _VILLAGE_ENDINGS)


def _suffix(rng: np.random.Generator) -> str:
    return _pick(rng, ("", "东", "西", "南", "北", "一", "二", "三"))


def _distinct(count: int, make: Callable[[], str], ending: str) -> list[str]:
    names: dict[str, None] = {}
    attempts = 0
    while len(names) < count and attempts < count * 20:
        names[make()] = None
        attempts += 1
    while len(names) < count:  # the word pool is exhausted: number the rest
        names[f"第{len(names) + 1}{ending}"] = None
    return list(names)
