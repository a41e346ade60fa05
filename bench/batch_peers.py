"""The peers of the batch-scoring benchmark, over the same Parquet records as ``socialcredit score``.

- :func:`floor`: a bare Polars group-by-sum of points per subject (rule points looked up), streaming.
- :func:`read_every_column`: every column of every record read into memory, file by file, nothing else (the
  least a run that checks every record must do).
- :func:`pandas_scores`: plain pandas, the subset of DESIGN §7 the SQL peer computes.
- :func:`sql_scores` (``bench.batch_sql``): the same subset in PostgreSQL.

The subset: visibility (``recorded_at <= known_at``), confirmed or contested facts, withdrawals, notice
start, expiry (``counts_for``), caps (count, and points with clipping) per calendar period, sum, clamp,
grade bands and grade ceilings. Left out (so the peers do less work than the engine): corrections,
cures, repairs, lists, measures, next change and explanations.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from socialcredit.policy.model import Policy

# What the SQL and pandas peers read: the record format less reason, document and evidence (nothing checked)
PEER_COLUMNS = ["source", "id", "subject", "kind", "ref", "rule", "occurred_on", "recorded_at", "points", "status"]

CAP_PERIODS = {"month": "M", "quarter": "Q", "year": "Y"}


def rule_rows(policy: Policy) -> list[dict[str, object]]:
    """One row per rule with what the subset needs (points in hundredths)."""
    default = policy.policy.default_counts_for
    rows = []
    for rule in policy.rules:
        counts = rule.counts_for or default
        notice = rule.notice.cure_within if rule.notice else None
        rows.append(
            {
                "rule": rule.id,
                "fixed_cents": None if isinstance(rule.points, tuple) else rule.points,
                "counts_months": counts.months,
                "counts_days": counts.days,
                "has_notice": notice is not None,
                "notice_months": notice.months if notice else 0,
                "notice_days": notice.days if notice else 0,
                "cap_per": rule.cap.per if rule.cap else None,
                "cap_count": rule.cap.count if rule.cap else None,
                "cap_cents": rule.cap.points if rule.cap else None,
                "ceiling_rank": policy.grade_rank(rule.grade_ceiling) if rule.grade_ceiling else None,
            }
        )
    return rows


def floor(files: list[Path], policy: Policy) -> int:
    """Bare group-by-sum of points per subject; returns the number of subjects."""
    fixed = pl.DataFrame(
        {"rule": [r.id for r in policy.rules], "fixed": [None if r.discretionary else r.points for r in policy.rules]},
        schema={"rule": pl.String, "fixed": pl.Int64},
    )
    totals = (
        pl.scan_parquet(files)
        .select("subject", "rule", (pl.col("points") * 100).cast(pl.Int64).alias("given"))
        .join(fixed.lazy(), on="rule", how="left")
        .group_by("subject")
        .agg(pl.coalesce("fixed", "given").sum().alias("cents"))
        .collect(engine="streaming")
    )
    return totals.height


def read_every_column(files: list[Path], columns: list[str] | None = None) -> int:
    """Read each file whole (every column, or only ``columns``; Polars, all cores) and drop it; returns the
    number of records."""
    return sum(pl.read_parquet(file, columns=columns).height for file in files)


def _read(files: list[Path]) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = [pq.read_table(file, columns=PEER_COLUMNS) for file in files]
    table = pa.concat_tables(tables)
    points = table.column("points").cast(pa.float64())
    table = table.set_column(PEER_COLUMNS.index("points"), "points", points)
    return table.to_pandas()


def _shift(day: pd.Series, months: pd.Series, days: pd.Series) -> pd.Series:
    """``day + months + days`` (months clamped to the month's end), one vectorised step per distinct duration."""
    out = pd.Series(pd.NaT, index=day.index, dtype="datetime64[us]")
    for (m, d), index in day.groupby([months, days]).groups.items():
        out.loc[index] = day.loc[index] + pd.DateOffset(months=int(m)) + pd.Timedelta(days=int(d))
    return out


def pandas_scores(files: list[Path], policy: Policy, as_of: date, known_at: datetime) -> pd.DataFrame:
    """Points and grade per subject with pandas (the subset above)."""
    records = _read(files)
    known = pd.Timestamp(known_at)
    visible = records["recorded_at"] <= known
    withdrawn = records.loc[visible & (records["kind"] == "withdraw"), ["source", "ref"]].drop_duplicates()
    facts = records[visible & (records["kind"] == "fact") & records["status"].isin(["confirmed", "contested"])]
    facts = facts.merge(withdrawn.rename(columns={"ref": "id"}), on=["source", "id"], how="left", indicator=True)
    facts = facts[facts["_merge"] == "left_only"].merge(pd.DataFrame(rule_rows(policy)), on="rule")
    facts["cents"] = facts["fixed_cents"].fillna((facts["points"] * 100).round()).astype("int64")
    day = pd.to_datetime(facts["occurred_on"]).astype("datetime64[us]")
    notice_start = _shift(day, facts["notice_months"], facts["notice_days"])
    facts["starts"] = notice_start.where(facts["has_notice"], day)
    facts["ends"] = _shift(day, facts["counts_months"], facts["counts_days"])
    facts["occurred"] = day
    moment = pd.Timestamp(as_of)
    force = facts[(facts["starts"] <= moment) & (moment < facts["ends"])].copy()
    force["cents"] = _capped(force)
    return _totals(records, force, policy)


def _capped(force: pd.DataFrame) -> pd.Series:
    period = pd.Series("", index=force.index)
    for per, code in CAP_PERIODS.items():
        mask = force["cap_per"] == per
        period[mask] = force.loc[mask, "occurred"].dt.to_period(code).astype(str)
    force = force.assign(period=period).sort_values(["subject", "rule", "period", "occurred", "source", "id"])
    groups = force.groupby(["subject", "rule", "period"], sort=False)
    position = groups.cumcount() + 1
    running = groups["cents"].cumsum()
    crosses = (running.abs() >= force["cap_cents"]).astype("int64")
    before = crosses.groupby([force["subject"], force["rule"], force["period"]], sort=False).cumsum() - crosses > 0
    clipped = np.sign(running) * force["cap_cents"] - (running - force["cents"])
    cents = force["cents"].where(~(force["cap_count"].notna() & (position > force["cap_count"])), 0)
    points_cap = force["cap_cents"].notna()
    cents = cents.where(~(points_cap & before), 0)
    cents = cents.where(~(points_cap & ~before & (crosses > 0)), clipped)
    return cents.astype("int64")


def _totals(records: pd.DataFrame, force: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    subjects = pd.Index(records["subject"].dropna().unique(), name="subject")
    sums = force.groupby("subject")["cents"].sum().reindex(subjects, fill_value=0)
    ceiling = force.groupby("subject")["ceiling_rank"].max().reindex(subjects)
    points = sums + policy.scale.start
    if policy.scale.min is not None:
        points = points.clip(lower=policy.scale.min)
    if policy.scale.max is not None:
        points = points.clip(upper=policy.scale.max)
    mins = [grade.min for grade in policy.grades[:-1]]
    rank = np.select([points.to_numpy() >= low for low in mins], list(range(len(mins))), default=len(mins))
    rank = np.maximum(rank, ceiling.fillna(0).to_numpy().astype(int))
    names = np.array([grade.name for grade in policy.grades])
    return pd.DataFrame({"subject": subjects, "points": points.to_numpy(), "grade": names[rank]})
