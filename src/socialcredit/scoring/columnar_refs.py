"""Checks across records over columns, as ``records.validate`` makes them: duplicate ``(source, id)`` keys,
references to an earlier fact of the same source, and subjects inherited from the fact referenced.

Records are in reading order (``_file``, ``_line``); the first record of a key is the one a reference
names, later ones are duplicates. Records that did not parse (``_placed`` false) are known by key only: a
reference to one of them is not reported again (its own problems say why).
"""

from __future__ import annotations

import polars as pl

from socialcredit.records.validate import RecordProblem
from socialcredit.scoring.columnar_read import Problems

DUPLICATE, REFERENCE = 1, 2


def check_across(frame: pl.DataFrame, files: list[str], problems: Problems) -> pl.DataFrame:
    """``frame`` with subjects filled in from the facts referenced; problems added to ``problems``."""
    ordered = frame.filter(pl.col("_placed")).sort("_file", "_line").with_row_index("_row")
    unplaced = frame.filter(~pl.col("_placed")).select("source", pl.col("id").alias("ref")).unique()
    first = ordered.group_by("source", "id").agg(
        pl.col("_row").min().alias("_first"),
        pl.col("kind").sort_by("_row").first().alias("_target_kind"),
        pl.col("subject").sort_by("_row").first().alias("_target_subject"),
        pl.len().alias("_count"),
    )
    keyed = ordered.join(first.filter(pl.col("_count") > 1), on=["source", "id"], how="inner")
    for source, record_id, file, line in (
        keyed.filter(pl.col("_row") != pl.col("_first")).select("source", "id", "_file", "_line").iter_rows()
    ):
        reason = f"duplicate (source, id) ({source}, {record_id})"
        problems.add(RecordProblem(files[file], line, "id", reason), DUPLICATE)
    targets = first.select("source", pl.col("id").alias("ref"), "_target_kind", "_target_subject")
    linked = ordered.join(targets, on=["source", "ref"], how="left")
    action = pl.col("kind") != "fact"
    silent = unplaced.with_columns(pl.lit(True).alias("_silent"))
    bad = linked.join(silent, on=["source", "ref"], how="left").filter(
        action
        & ~(pl.col("_target_kind").is_null() & pl.col("_silent").fill_null(False))
        & (
            pl.col("_target_kind").is_null()
            | (pl.col("_target_kind") != "fact")
            | (pl.col("subject").is_not_null() & (pl.col("subject") != pl.col("_target_subject")))
        )
    )
    for row in bad.iter_rows(named=True):
        problems.add(RecordProblem(files[row["_file"]], row["_line"], *_reference_problem(row)), REFERENCE)
    return linked.with_columns(
        pl.when(action & pl.col("subject").is_null())
        .then(pl.col("_target_subject"))
        .otherwise(pl.col("subject"))
        .alias("subject")
    ).select(frame.columns)


def _reference_problem(row: dict[str, object]) -> tuple[str, str]:
    """The words of ``records.validate.reference_problem``."""
    ref, kind = row["ref"], row["_target_kind"]
    if kind is None:
        return ("ref", f"no record {ref!r} of source {row['source']!r}")
    if kind != "fact":
        return ("ref", f"record {ref!r} is a {kind}, not a fact")
    return ("subject", f"{row['subject']} differs from the subject of record {ref!r}")
