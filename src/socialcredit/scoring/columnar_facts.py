"""Steps 1–4 of DESIGN §7 over columns: every fact of every subject resolved to its window, status and value.

Input is the coded frame (``frames.encode``). Output has one row per record with ``rule`` (resolved index),
``occurred`` (resolved date), ``value`` (hundredths), ``starts``, ``ends`` and ``state`` (a status code of
``columnar_policy``), plus ``subject``, ``source`` and ``id``. Records that are not facts keep their row
(state ``NOT_A_FACT``: they only name their subject), so the frame is never filtered and copied.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from socialcredit.errors import RecordError
from socialcredit.records.schema import KINDS
from socialcredit.scoring import columnar_policy as cp
from socialcredit.scoring.columnar_policy import DateShifts, PolicyTables
from socialcredit.scoring.frames import RECORD_STATUSES, STATUS_CODE, key_hash

FACT, CORRECT, WITHDRAW, CURE, REPAIR = (KINDS.index(kind) for kind in KINDS)
PENDING, CONFIRMED, REJECTED, CONTESTED, SUSPENDED = (STATUS_CODE[status] for status in RECORD_STATUSES)
KEY = ["subject", "source", "id"]
FACT_COLUMNS = ["subject", "source", "id", "rule", "occurred", "value", "starts", "ends", "state"]


def actions_by_fact(coded: pl.LazyFrame, known: datetime) -> pl.LazyFrame:
    """Corrections, withdrawals, cures and repairs folded per referenced fact (step 2): only the visible ones
    act (a correction: the last in ``(recorded_at, id)`` order); ``actions`` counts them all (to tell
    references that reach no fact). Plain aggregations of masked columns (no filters per group)."""
    kind, visible = pl.col("kind"), pl.col("recorded_at") <= known
    key = ["subject", "source", "ref"]
    acting = coded.filter((kind != FACT) & pl.col("ref").is_not_null()).select(
        *key,
        ((kind == CORRECT) & visible).alias("corrected"),
        ((kind == WITHDRAW) & visible).alias("withdrawn"),
        pl.when((kind == CURE) & visible).then(pl.col("occurred_on")).alias("cured_on"),
        pl.when((kind == REPAIR) & visible).then(pl.col("occurred_on")).alias("repaired_on"),
        "recorded_at",
        "id",
        "rule",
        "occurred_on",
        "points",
    )
    folded = acting.group_by(key).agg(
        pl.len().alias("actions"),
        pl.col("corrected").any(),
        pl.col("withdrawn").any(),
        pl.col("cured_on").min(),
        pl.col("repaired_on").min(),
    )
    last = (
        acting.filter(pl.col("corrected"))
        .sort("recorded_at", "id")
        .group_by(key)
        .agg(
            pl.col("rule").last().alias("c_rule"),
            pl.col("occurred_on").last().alias("c_occurred"),
            pl.col("points").last().alias("c_points"),
        )
    )
    return folded.join(last, on=key, how="left", nulls_equal=True).rename({"ref": "id"})


def resolve_facts(
    coded: pl.LazyFrame | pl.DataFrame, tables: PolicyTables, as_of: date, known: datetime
) -> tuple[pl.DataFrame, int]:
    """Steps 1–3: visibility, corrections, withdrawals, status, notice and cure, window and repair.

    Also returns how many referenced ``(subject, source, id)`` keys matched no fact (0 for valid records).
    """
    frame = coded.collect() if isinstance(coded, pl.LazyFrame) else coded
    actions = actions_by_fact(frame.lazy(), known).collect()
    facts = _with_actions(frame, actions)
    unmatched = actions.height - int((facts["actions"].is_not_null() & (facts["kind"] == FACT)).sum())
    corrected = (pl.col("recorded_at") <= known) & pl.col("corrected").fill_null(False)
    rule = pl.when(corrected).then(pl.col("c_rule")).otherwise(pl.col("rule"))
    given = pl.when(corrected).then(pl.col("c_points")).otherwise(pl.col("points"))
    resolved = facts.lazy().select(
        "subject",
        "source",
        "id",
        "kind",
        "recorded_at",
        "status",
        "withdrawn",
        "cured_on",
        "repaired_on",
        rule.alias("rule"),
        pl.when(corrected).then(pl.col("c_occurred")).otherwise(pl.col("occurred_on")).alias("occurred"),
        pl.coalesce(tables.attr("fixed_points", rule), given).alias("value"),
    )
    shifts = _shifts(frame, tables)
    rule = pl.col("rule")
    notice = tables.attr("notice", rule)
    windows = resolved.with_columns(
        notice.is_not_null().alias("has_notice"),
        pl.when(notice.is_not_null())
        .then(shifts.shift(pl.col("occurred"), notice))
        .otherwise(pl.col("occurred"))
        .alias("starts"),
        shifts.shift(pl.col("occurred"), tables.attr("counts_for", rule).fill_null(0)).alias("ends"),
    )
    facts_out = (
        windows.with_columns(_state(tables, as_of, known))
        .select(
            "subject",
            "source",
            "id",
            "rule",
            "occurred",
            pl.col("value").fill_null(0),
            "starts",
            pl.when(pl.col("repaired")).then(pl.col("repaired_on")).otherwise(pl.col("ends")).alias("ends"),
            "state",
            pl.col("value").is_null().alias("_no_value"),
        )
        .collect()
    )
    return facts_out, unmatched


def _with_actions(facts: pl.DataFrame, actions: pl.DataFrame) -> pl.DataFrame:
    """Facts with the columns of their actions (null without any). Only facts whose key some action names can
    have any: the join runs on those (a membership test of key hashes, ``_key`` when the frame has it, picks
    them), and its columns are written into place, so the facts themselves are not copied."""
    columns = [(name, dtype) for name, dtype in actions.schema.items() if name not in KEY]
    if actions.height == 0:
        return facts.with_columns(pl.lit(None, dtype).alias(name) for name, dtype in columns)
    wanted = actions.select(key_hash())["_key"].unique()
    keys = facts["_key"] if "_key" in facts.columns else facts.select(key_hash())["_key"]
    named = keys.is_in(wanted.implode())
    rows = named.arg_true()
    acted = facts.select(KEY)[rows].with_columns(rows.alias("_row")).join(actions, on=KEY, how="inner")
    places = acted["_row"]
    return facts.with_columns(
        pl.repeat(None, facts.height, dtype=dtype, eager=True).alias(name).scatter(places, acted[name])
        for name, dtype in columns
    )


def _shifts(frame: pl.DataFrame, tables: PolicyTables) -> DateShifts:
    """Date shifts over every day a record occurred on (a fact's resolved day is its own or a correction's)."""
    first, last = frame.select(pl.col("occurred_on").min().alias("a"), pl.col("occurred_on").max().alias("b")).row(0)
    first, last = first or date(2000, 1, 1), last or date(2000, 1, 1)
    return DateShifts.build(tables.durations, first, last)


def _state(tables: PolicyTables, as_of: date, known: datetime) -> list[pl.Expr]:
    status = pl.col("status")
    suspended = tables.policy.policy.while_contested == "suspended"
    repaired = (pl.col("repaired_on") < pl.col("ends")).fill_null(False)
    state = (
        pl.when(pl.col("kind") != FACT)
        .then(cp.NOT_A_FACT)
        .when(pl.col("recorded_at") > known)
        .then(cp.NOT_YET_KNOWN)
        .when(pl.col("withdrawn").fill_null(False))
        .then(cp.WITHDRAWN)
        .when(status.is_in([PENDING, REJECTED]))
        .then(cp.NOT_CONFIRMED)
        .when((status == SUSPENDED) | (pl.lit(suspended) & (status == CONTESTED)))
        .then(cp.SUSPENDED)
        .when(pl.col("has_notice") & (pl.col("cured_on") <= pl.col("starts")).fill_null(False))
        .then(cp.CURED)
        .when(repaired & (pl.lit(as_of) >= pl.col("repaired_on")))
        .then(cp.REPAIRED)
        .when(~repaired & (pl.lit(as_of) >= pl.col("ends")))
        .then(cp.EXPIRED)
        .when(pl.lit(as_of) < pl.col("starts"))
        .then(cp.PENDING_NOTICE)
        .otherwise(cp.COUNTED)
        .cast(pl.UInt8)
    )
    return [state.alias("state"), repaired.alias("repaired")]


def check_resolved(facts: pl.DataFrame, tables: PolicyTables) -> None:
    """Raise as the per-subject engine does for a visible fact without a rule or without points."""
    visible = (pl.col("state") != cp.NOT_YET_KNOWN) & (pl.col("state") != cp.NOT_A_FACT)
    no_rule = visible & pl.col("rule").is_null()
    no_points = visible & pl.col("_no_value") & pl.col("rule").is_not_null()
    flags = facts.select(no_rule.any().alias("a"), no_points.any().alias("b")).row(0)
    if flags[0]:
        bad = facts.filter(no_rule).row(0, named=True)
        raise RecordError(f"record ({bad['source']}, {bad['id']}): unknown rule ''")
    if flags[1]:
        missing = facts.filter(no_points).row(0, named=True)
        rule = tables.rule_ids[missing["rule"]]
        raise RecordError(f"record ({missing['source']}, {missing['id']}): discretionary rule {rule} needs points")


def apply_caps(facts: pl.DataFrame, tables: PolicyTables) -> pl.DataFrame:
    """Step 4: per rule and calendar period, the first N count, or points accumulate up to the cap.

    Only groups that can reach their cap (more than N facts, or ``sum |points| >= P``) are ordered; their
    new states and values are written back in place.
    """
    rule = pl.col("rule")
    per = tables.attr("cap_per", rule)
    month = pl.col("occurred").dt.month().cast(pl.Int32)
    period = pl.when(per == 1).then(month).when(per == 2).then((month - 1) // 3 + 1).otherwise(0)
    group = ["subject", "period"]
    count, limit = tables.attr("cap_count", rule), tables.attr("cap_points", rule)
    reach = (pl.len().over(group) > count) | (pl.col("value").abs().sum().over(group) >= limit)
    candidate = ((pl.col("state") == cp.COUNTED) & per.is_not_null()).fill_null(False)
    year = pl.col("occurred").dt.year().cast(pl.Int64)
    facts = facts.select(FACT_COLUMNS)
    busy = (
        facts.lazy()
        .with_row_index("_row")
        .filter(candidate)
        .select("_row", "subject", "rule", "occurred", "source", "id", "value", "state")
        .with_columns(((rule.cast(pl.Int64) * 10_000 + year) * 16 + period).alias("period"))
        .filter(reach.fill_null(False))
        .collect()
    )
    if busy.height == 0:
        return facts
    capped = _cap_groups(busy.lazy(), tables, group).select("_row", "value", "state").collect()
    rows = capped["_row"]
    return facts.with_columns(
        facts["value"].scatter(rows, capped["value"]),
        facts["state"].scatter(rows, capped["state"]),
    )


def _cap_groups(busy: pl.LazyFrame, tables: PolicyTables, group: list[str]) -> pl.LazyFrame:
    rule = pl.col("rule")
    ordered = (
        busy.sort([*group, "occurred", "source", "id"])
        .with_columns(
            (pl.int_range(pl.len()).over(group) + 1).alias("_position"),
            pl.col("value").cum_sum().over(group).alias("_running"),
            tables.attr("cap_count", rule).alias("_count"),
            tables.attr("cap_points", rule).alias("_limit"),
        )
        .with_columns((pl.col("_running").abs() >= pl.col("_limit")).fill_null(False).alias("_crosses"))
        .with_columns((pl.col("_crosses").cast(pl.Int32).cum_sum().over(group) - pl.col("_crosses")).alias("_before"))
    )
    over_count = (pl.col("_position") > pl.col("_count")).fill_null(False)
    after = pl.col("_before") > 0
    at = pl.col("_crosses") & ~after
    clipped = pl.col("_running").sign() * pl.col("_limit") - (pl.col("_running") - pl.col("value"))
    return ordered.with_columns(
        pl.when(over_count | after).then(cp.CAPPED).otherwise(pl.col("state")).cast(pl.UInt8).alias("state"),
        pl.when(at).then(clipped).otherwise(pl.col("value")).alias("value"),
    )
