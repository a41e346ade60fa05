"""The columnar engine: DESIGN §7 for every subject at once, on Polars, in integer hundredths.

``score_frame(records, policy, as_of, known_at, consent)`` gives the same points, grade, lists, measures
and next change as ``scoring.engine.evaluate`` run subject by subject (tests hold them equal);
``standings_json`` gives the full standings (with explanation) in the shape ``evaluate`` prints.
``records_frame`` (re-exported from ``scoring.frames``) reads record files into the frame it takes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from socialcredit.policy.model import Policy
from socialcredit.scoring.columnar_facts import apply_caps, check_resolved, resolve_facts
from socialcredit.scoring.columnar_policy import PolicyTables
from socialcredit.scoring.columnar_subjects import denied_services, finish, list_ids, per_subject
from socialcredit.scoring.engine import end_of_day
from socialcredit.scoring.frames import encode, records_frame

__all__ = ["Scored", "format_points", "records_frame", "score_coded", "score_frame", "standings_json"]

OUTPUT_COLUMNS = ["subject", "points_cents", "points", "grade", "lists", "denied", "next_change_on"]


@dataclass(frozen=True)
class Scored:
    """The result of one columnar run: per-subject rows (wide) and the resolved facts behind them.

    ``facts`` has a row per record (state ``NOT_A_FACT`` for all but facts), subjects as codes:
    ``names[code]`` is the identifier (see :func:`subject_codes`).
    """

    tables: PolicyTables
    as_of: date
    known_at: datetime
    subjects: pl.DataFrame
    facts: pl.DataFrame
    unattached: int = 0  # referenced keys that matched no fact of the same subject (0 for checked records)
    names: pl.Series | None = None


def score_frame(
    records: pl.DataFrame | pl.LazyFrame,
    policy: Policy,
    as_of: date,
    known_at: datetime | None = None,
    consent: frozenset[str] | None = None,
) -> pl.DataFrame:
    """One row per subject (sorted): subject, points_cents, points, grade, lists, denied, next_change_on.

    ``records`` is a record frame (``scoring.frames.RECORD_SCHEMA``); ``consent`` the subjects who consented
    (only read when the handbook requires consent). ``known_at`` defaults to the end of ``as_of``.
    """
    return public_columns(score_coded(encode(records, policy), policy, as_of, known_at, consent))


def score_coded(
    coded: pl.LazyFrame | pl.DataFrame,
    policy: Policy,
    as_of: date,
    known_at: datetime | None = None,
    consent: frozenset[str] | None = None,
) -> Scored:
    """Run the pipeline on a coded frame (``frames.encode``); keep the resolved facts for explanations.

    Subjects are grouped as small integer codes (:func:`subject_codes`), identifiers joined back at the end.
    """
    tables = PolicyTables.of(policy)
    known = known_at or end_of_day(as_of, ZoneInfo(policy.policy.timezone))
    known_utc = known.astimezone(ZoneInfo("UTC"))
    frame = coded.collect() if isinstance(coded, pl.LazyFrame) else coded
    frame = frame.rechunk()  # columns of unequal chunks are realigned by every step otherwise (2-3x slower)
    names, codes = subject_codes(frame["subject"])
    frame = frame.with_columns(codes.alias("subject"))
    resolved, unattached = resolve_facts(frame, tables, as_of, known_utc)
    check_resolved(resolved, tables)
    facts = apply_caps(resolved, tables)
    rows = per_subject(facts.lazy(), None, tables, as_of)
    named = rows.with_columns(pl.lit(names).gather(pl.col("subject")).alias("subject"))
    subjects = finish(named, tables, consent).sort("subject").collect()
    return Scored(tables, as_of, known, subjects, facts, unattached, names)


def subject_codes(subjects: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Distinct subjects (``names``) and, per row, the index of its subject in them (UInt32; null stays null).

    Records usually come grouped by subject: then each run of equal values is one subject and the codes
    are run numbers (no hashing of identifiers). Otherwise the distinct values are looked up.
    """
    starts = (subjects != subjects.shift(1)).fill_null(True)
    firsts = subjects.filter(starts)
    if not firsts.null_count() and firsts.n_unique() == firsts.len():
        return firsts, (starts.cast(pl.UInt32).cum_sum() - 1).alias("subject")
    names = subjects.drop_nulls().unique()
    codes = subjects.replace_strict(names, pl.int_range(names.len(), dtype=pl.UInt32, eager=True), default=None)
    return names, codes.cast(pl.UInt32).alias("subject")


def public_columns(scored: Scored) -> pl.DataFrame:
    """The columns of :func:`score_frame` from a :class:`Scored` run."""
    policy = scored.tables.policy
    frame = scored.subjects
    return frame.select(
        pl.col("subject"),
        pl.col("points_cents"),
        format_points(pl.col("points_cents")).alias("points"),
        pl.col("grade"),
        pl.lit(list_ids(frame, policy)).alias("lists"),
        pl.lit(denied_services(frame, policy)).alias("denied"),
        pl.col("next_change_on"),
    )


def format_points(cents: pl.Expr) -> pl.Expr:
    """Hundredths as the shortest exact decimal string, like ``policy.money.format_cents``."""
    whole = (cents.abs() // 100).cast(pl.String)
    fraction = (cents.abs() % 100).cast(pl.String).str.zfill(2).str.strip_chars_end("0")
    sign = pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    decimals = pl.when(fraction == "").then(pl.lit("")).otherwise(pl.lit(".") + fraction)
    return sign + whole + decimals


def standings_json(
    records: pl.DataFrame | pl.LazyFrame,
    policy: Policy,
    as_of: date,
    known_at: datetime | None = None,
    consent: frozenset[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Standings as ``evaluate --format json`` prints them, sorted by subject, explanation included."""
    from socialcredit.scoring.columnar_json import scored_json

    yield from scored_json(score_coded(encode(records, policy), policy, as_of, known_at, consent))
