"""Turn a :class:`Block` into the record table of DESIGN §6, exactly as the record readers accept it.

Columns: source, id, subject, kind, ref, rule (strings), occurred_on (date), recorded_at (timestamp in the
handbook's time zone), points (decimal, two places), reason, document (strings), evidence (list of
``{sha256, media_type}``), status (string). Ids are ``PPPPP-RRRRRRRR``: part number and row.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pyarrow as pa

from socialcredit.records.schema import KINDS, STATUSES
from socialcredit.synth.records import Block, RulePlan, Window
from socialcredit.synth.regions import PROVINCE_ABBREVIATIONS

POINTS_TYPE = pl.Decimal(12, 2)
ID_DIGITS = 8
MEDIA_TYPES = ("image/jpeg", "video/mp4")
_HEX_PAIRS = np.frombuffer(b"".join(f"{byte:02x}".encode() for byte in range(256)), dtype=np.uint16)


def record_frame(
    rng: np.random.Generator,
    block: Block,
    subjects: pl.DataFrame,
    plans: list[RulePlan],
    sources: list[str],
    part: int,
    window: Window,
    tz: str,
) -> pl.DataFrame:
    """The records of one part, grouped by subject and ordered by ``recorded_at`` within each."""
    rows = np.arange(len(block))
    order = np.lexsort((block.columns["recorded"], block.columns["subject"]))
    block, rows = block.take(order), rows[order]
    col = block.columns
    rule = pl.Series(col["rule"])
    day = pl.Series((col["day"] + (window.start - date(1970, 1, 1)).days).astype(np.int32)).cast(pl.Date)
    who = subjects.select("subject", "region")[col["subject"]]
    points, reasons = _points_and_reasons(col["points"], col["rule"], block.has_points, plans)
    return pl.DataFrame(
        {
            "source": pl.Series(sources, dtype=pl.String).gather(col["source"]),
            "id": _ids(rows, part, None),
            "subject": who["subject"],
            "kind": pl.Series(KINDS, dtype=pl.String).gather(col["kind"]),
            "ref": _ids(col["ref"], part, col["ref"] < 0),
            "rule": _by_rule(rule, [plan.rule.id for plan in plans]),
            "occurred_on": day,
            "recorded_at": pl.Series(col["recorded"]).cast(pl.Datetime("us")).dt.replace_time_zone(tz),
            "points": points,
            "reason": reasons,
            "document": _documents(col["doc"], day, who["region"], col["rule"], plans),
            "evidence": _evidence(col["photos"], col["video"], rng),
            "status": pl.Series(STATUSES, dtype=pl.String).gather(col["status"]),
        }
    )


def _ids(rows: np.ndarray, part: int, missing: np.ndarray | None) -> pl.Series:
    """``PPPPP-RRRRRRRR``: part and row number (null where ``missing``), built as fixed-width ASCII."""
    prefix = f"{part:05d}-".encode()
    text = np.empty((len(rows), len(prefix) + ID_DIGITS), dtype=np.uint8)
    text[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    rest = np.clip(rows, 0, None).astype(np.uint32)
    for place in range(text.shape[1] - 1, len(prefix) - 1, -1):
        text[:, place] = rest % 10 + ord("0")
        rest //= 10
    return pl.Series(_fixed_width(text, missing))


def _fixed_width(text: np.ndarray, missing: np.ndarray | None = None) -> pa.StringArray:
    """An Arrow string array from an ``(n, width)`` matrix of ASCII bytes."""
    count, width = text.shape
    offsets = pa.py_buffer(np.arange(0, width * (count + 1), width, dtype=np.int32))
    validity = None if missing is None else pa.array(~missing).buffers()[1]
    return pa.StringArray.from_buffers(count, offsets, pa.py_buffer(np.ascontiguousarray(text).tobytes()), validity)


def _by_rule(rule: pl.Series, values: list[str]) -> pl.Series:
    """``values[rule]``, null where there is no rule (-1)."""
    found = pl.Series(values, dtype=pl.String).gather(rule.clip(0, None))
    return found.zip_with(rule >= 0, pl.Series([None], dtype=pl.String))


def _reason(plan: RulePlan) -> str:
    return f"{plan.rule.title}: points set for the circumstances of the case"


def _sparse(values: pl.Series, rows: np.ndarray, count: int) -> pl.Series:
    """A column of ``count`` nulls with ``values`` at ``rows``."""
    return pl.repeat(None, count, dtype=values.dtype, eager=True).scatter(rows, values)


def _points_and_reasons(
    cents: np.ndarray, rule: np.ndarray, present: np.ndarray, plans: list[RulePlan]
) -> tuple[pl.Series, pl.Series]:
    """Discretionary points (exact decimals) and the committee's reason, null for fixed-points rules."""
    rows = np.flatnonzero(present)
    points = (pl.Series(cents[rows]).cast(pl.Decimal(18, 0)) / 100).cast(POINTS_TYPE)
    reasons = pl.Series([_reason(plan) for plan in plans], dtype=pl.String).gather(rule[rows])
    return _sparse(points, rows, len(cents)), _sparse(reasons, rows, len(cents))


def _documents(
    serial: np.ndarray, day: pl.Series, region: pl.Series, rule: np.ndarray, plans: list[RulePlan]
) -> pl.Series:
    """Numbers of legal documents: court case numbers ``(2024)鲁1082执123号``, decisions ``鲁1082罚〔2024〕45号``."""
    rows = np.flatnonzero(serial > 0)
    numbers = []
    for number, year, code, index in zip(
        serial[rows].tolist(),
        day.gather(rows).dt.year().to_list(),
        region.gather(rows).to_list(),
        rule[rows].tolist(),
        strict=True,
    ):
        court = PROVINCE_ABBREVIATIONS.get(code[:2], "") + code[2:6]
        plan = plans[index]
        if plan.rule.category == "judicial":
            numbers.append(f"({year}){court}执{number}号")
        else:
            numbers.append(f"{court}{'罚' if plan.negative else '奖'}〔{year}〕{number}号")
    return _sparse(pl.Series(numbers, dtype=pl.String), rows, len(serial))


def _evidence(photos: np.ndarray, video: np.ndarray, rng: np.random.Generator) -> pl.Series:
    """Content-addressed evidence: ``photos`` JPEGs or one MP4 per record, null where there is none."""
    counts = photos + video
    total = int(counts.sum())
    digests = _HEX_PAIRS[np.frombuffer(rng.bytes(32 * total), dtype=np.uint8)].view(np.uint8).reshape(total, 64)
    kinds = pa.DictionaryArray.from_arrays(pa.array(np.repeat(video, counts).astype(np.int8)), pa.array(MEDIA_TYPES))
    items = pa.StructArray.from_arrays([_fixed_width(digests), kinds.cast(pa.string())], names=["sha256", "media_type"])
    offsets = pa.array(np.r_[0, np.cumsum(counts)].astype(np.int32))
    return pl.Series("evidence", pa.ListArray.from_arrays(offsets, items, mask=pa.array(counts == 0)))
