"""Steps 5–9 and 11 of DESIGN §7 over columns: per subject points, grade, lists, measures, next change.

Input: the resolved, capped facts of ``columnar_facts`` (plus every subject that has records). Output:
one row per subject with ``points_cents``, ``grade``, for each list ``k`` the columns ``on_k`` (member),
``since_k`` and ``until_k``, for each measure ``m`` the column ``applies_m``, and ``next_change_on``.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from socialcredit.policy.model import Policy
from socialcredit.scoring import columnar_policy as cp
from socialcredit.scoring.columnar_policy import PolicyTables


def per_subject(facts: pl.LazyFrame, subjects: pl.LazyFrame | None, tables: PolicyTables, as_of: date) -> pl.LazyFrame:
    """Aggregate facts per subject: counted sum, worst ceiling, list windows, next change. ``subjects``: those
    with records that are not among ``facts`` (None when ``facts`` keeps every record, as it does).

    A fact that occurs after ``as_of`` is no part of the standing, so it is not "pending notice" for step 11.
    """
    state, rule = pl.col("state"), pl.col("rule")
    in_force = state <= cp.CAPPED
    masked = [
        pl.when(state == cp.COUNTED).then(pl.col("value")).otherwise(0).alias("_sum"),
        pl.when(in_force).then(tables.attr("ceiling_rank", rule)).alias("_ceiling"),
        pl.when((state == cp.PENDING_NOTICE) & (pl.col("occurred") <= as_of)).then(pl.col("starts")).alias("_pending"),
        pl.when(in_force).then(pl.col("ends")).alias("_ends"),
    ]
    aggregations = [
        pl.col("_sum").sum(),
        pl.col("_ceiling").max(),
        pl.min_horizontal(pl.col("_pending").min(), pl.col("_ends").min()).alias("next_change_on"),
    ]
    for k, rules in enumerate(tables.list_rules()):
        if rules:
            holds = in_force & rule.is_in(rules)
            masked += [
                pl.when(holds).then(pl.col("starts")).alias(f"since_{k}"),
                pl.when(holds).then(pl.col("ends")).alias(f"until_{k}"),
            ]
            aggregations += [pl.col(f"since_{k}").min(), pl.col(f"until_{k}").max()]
    rows = facts.select(pl.col("subject"), *masked)
    every = rows if subjects is None else pl.concat([rows, subjects.select("subject")], how="diagonal")
    return every.group_by("subject").agg(aggregations)


def finish(frame: pl.LazyFrame, tables: PolicyTables, consent: frozenset[str] | None) -> pl.LazyFrame:
    """Points (clamped, consent), grade (bands, ceilings), list membership, applicable measures."""
    policy = tables.policy
    points = pl.lit(policy.scale.start, dtype=pl.Int64) + pl.col("_sum").fill_null(0)
    if policy.scale.min is not None:
        points = pl.max_horizontal(points, pl.lit(policy.scale.min, dtype=pl.Int64))
    if policy.scale.max is not None:
        points = pl.min_horizontal(points, pl.lit(policy.scale.max, dtype=pl.Int64))
    if policy.policy.scoring_requires_consent:
        points = pl.when(pl.col("subject").is_in(sorted(consent or ()))).then(points)
    frame = frame.with_columns(points.alias("points_cents"))
    rank = pl.max_horizontal(_band_rank(pl.col("points_cents"), policy), pl.col("_ceiling"))
    names = pl.lit(pl.Series([grade.name for grade in policy.grades], dtype=pl.String))
    frame = frame.with_columns(
        pl.when(pl.col("points_cents").is_not_null()).then(names.gather(rank.cast(pl.Int64))).alias("grade")
    )
    frame = frame.with_columns(_list_members(policy))
    return frame.with_columns(_measures(policy))


def _band_rank(points: pl.Expr, policy: Policy) -> pl.Expr:
    """Index of the first grade (best first) whose ``min <= points``."""
    last = len(policy.grades) - 1
    chain: pl.Expr = pl.lit(last, dtype=pl.Int32)
    for index in range(last - 1, -1, -1):
        chain = pl.when(points >= policy.grades[index].min).then(pl.lit(index, dtype=pl.Int32)).otherwise(chain)
    return chain


def _list_members(policy: Policy) -> list[pl.Expr]:
    grade = pl.col("grade")
    members = []
    for k, entry in enumerate(policy.lists):
        by_rule = pl.col(f"since_{k}").is_not_null() if entry.members.rules else pl.lit(False)
        by_grade = grade.is_in(entry.members.grades).fill_null(False) if entry.members.grades else pl.lit(False)
        members.append((by_rule | by_grade).alias(f"on_{k}"))
    return members


def _measures(policy: Policy) -> list[pl.Expr]:
    position = {entry.id: k for k, entry in enumerate(policy.lists)}
    applies = []
    for m, measure in enumerate(policy.measures):
        condition: pl.Expr = pl.lit(False)
        for list_id in measure.when.lists:
            condition = condition | pl.col(f"on_{position[list_id]}")
        if measure.when.grades:
            condition = condition | pl.col("grade").is_in(measure.when.grades).fill_null(False)
        applies.append(condition.alias(f"applies_{m}"))
    return applies


def list_ids(frame: pl.DataFrame, policy: Policy) -> pl.Series:
    """The ids of the lists holding each subject, in handbook order."""
    members = [(pl.col(f"on_{k}"), entry.id) for k, entry in enumerate(policy.lists)]
    return _labels(frame, members).alias("lists")


def denied_services(frame: pl.DataFrame, policy: Policy) -> pl.Series:
    """Services denied by an applicable measure (step 9), each once, in the order of the measures."""
    items = [
        (pl.col(f"applies_{index}"), measure.service)
        for index, measure in enumerate(policy.measures)
        if measure.effect == "deny"
    ]
    return _labels(frame, items).alias("denied")


MASK_BITS = 62


def _labels(frame: pl.DataFrame, items: list[tuple[pl.Expr, str]]) -> pl.Series:
    """For each row, the distinct labels whose condition holds, in order: a bit mask per row, then one lookup
    per distinct mask (a handful of distinct masks in a population)."""
    if not items:
        return pl.Series([[]] * frame.height, dtype=pl.List(pl.String))
    if len(items) > MASK_BITS:
        found = pl.concat_list([pl.when(condition).then(pl.lit(label)) for condition, label in items])
        return frame.select(found.list.drop_nulls().list.unique(maintain_order=True)).to_series()
    mask = pl.sum_horizontal([condition.cast(pl.Int64) * (1 << bit) for bit, (condition, _) in enumerate(items)])
    masks = frame.select(mask.alias("mask")).to_series()
    distinct = masks.unique().sort().to_list()
    table = pl.Series(
        [list(dict.fromkeys(label for bit, (_, label) in enumerate(items) if value >> bit & 1)) for value in distinct],
        dtype=pl.List(pl.String),
    )
    index = masks.replace_strict(distinct, list(range(len(distinct))), return_dtype=pl.Int64)
    return table.gather(index)
