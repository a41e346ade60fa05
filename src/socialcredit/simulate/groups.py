"""Who bears the change: subject kind, region, age band and sex read from the identifiers, over columns.

``identifier_facts`` decides kinds with the columnar identifier checks of ``scoring.columnar_ids`` and applies
:func:`socialcredit.identity.person_facts` to a whole column at once: an identifier is a person's when it is
a valid resident identity number (digits, check digit, birth date, known region), exactly as
``parse_subject`` decides; everything else in a validated population is an organisation's credit code.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from socialcredit.identity import region_name

if TYPE_CHECKING:
    import polars as pl

DIMENSIONS = ("kind", "region", "age_band", "sex")
PLACE = "village"  # from a subjects table (``socialcredit synth`` writes one), when given
AGE_BANDS = ((0, "under 18"), (18, "18–29"), (30, "30–39"), (40, "40–49"), (50, "50–59"), (60, "60–69"), (70, "70+"))


def identifier_facts(subjects: pl.Series, as_of: date) -> pl.DataFrame:
    """Per identifier: ``kind``, ``region`` (code and name), ``age_band`` and ``sex`` (null for organisations)."""
    import polars as pl

    from socialcredit.scoring.columnar_ids import subject_kinds

    s = pl.col("subject")
    born = s.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    kinds = subject_kinds(subjects).select("subject", person=pl.col("subject_kind") == "person")
    frame = pl.DataFrame({"subject": subjects}).with_columns(born=born)
    frame = frame.join(kinds, on="subject", how="left", maintain_order="left")
    frame = frame.with_columns(person=pl.col("person").fill_null(False))
    code = pl.when(pl.col("person")).then(s.str.slice(0, 6)).otherwise(s.str.slice(2, 6))
    month_day = pl.col("born").dt.month().cast(pl.Int32) * 100 + pl.col("born").dt.day().cast(pl.Int32)
    before_birthday = (month_day > as_of.month * 100 + as_of.day).cast(pl.Int32)
    age = pl.lit(as_of.year) - pl.col("born").dt.year().cast(pl.Int32) - before_birthday
    frame = frame.with_columns(
        kind=pl.when(pl.col("person")).then(pl.lit("person")).otherwise(pl.lit("organisation")),
        code=code,
        sex=pl.when(pl.col("person")).then(
            pl.when(s.str.slice(16, 1).cast(pl.Int32) % 2 == 1).then(pl.lit("male")).otherwise(pl.lit("female"))
        ),
        age_band=pl.when(pl.col("person")).then(_band(age)),
    )
    names = {c: _region_label(c) for c in frame.get_column("code").unique().to_list() if c is not None}
    region = pl.col("code").replace_strict(names, default=pl.col("code"), return_dtype=pl.String)
    return frame.with_columns(region=region).select("subject", *DIMENSIONS)


def with_places(facts: pl.DataFrame, places: pl.DataFrame | None) -> pl.DataFrame:
    """Add the ``village`` column of a subjects table (``subject``, ``village``) to the identifier facts."""
    if places is None:
        return facts
    from socialcredit.errors import UserError

    missing = [name for name in ("subject", PLACE) if name not in places.columns]
    if missing:
        raise UserError(f"--subjects: the subjects table has no column {', '.join(missing)}")
    table = places.select("subject", PLACE).unique("subject", keep="first")
    return facts.join(table, on="subject", how="left", maintain_order="left")


def dimensions(facts: pl.DataFrame) -> list[str]:
    """The groupings available: kind, region, age band, sex, and village when a subjects table was given."""
    return [*DIMENSIONS[:2], *([PLACE] if PLACE in facts.columns else []), *DIMENSIONS[2:]]


def breakdown(pairs: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Per dimension and group: subjects, downgraded, upgraded, newly denied or allowed, any change,
    and the grade transitions that changed; the groups with the largest share made worse come first.

    ``pairs`` is the comparison frame (``compare.pair_frame``) with the identifier facts beside it."""
    import polars as pl

    joined = pairs.with_columns(worse=pl.col("down") | pl.col("newly_denied"))
    result = {}
    for dimension in dimensions(pairs):
        rows = joined.filter(pl.col(dimension).is_not_null())
        groups = rows.group_by(dimension).agg(
            subjects=pl.len(),
            worse=pl.col("worse").sum(),
            downgraded=pl.col("down").sum(),
            upgraded=pl.col("up").sum(),
            newly_denied=pl.col("newly_denied").sum(),
            newly_allowed=pl.col("newly_allowed").sum(),
            changed=pl.col("changed").sum(),
        )
        groups = groups.with_columns(share_worse=pl.col("worse") / pl.col("subjects"))
        groups = groups.sort(["share_worse", "subjects", dimension], descending=[True, True, False])
        moves = _moves(rows, dimension)
        result[dimension] = [
            {"group": row[dimension], **_counts(row), "transitions": moves.get(row[dimension], [])}
            for row in groups.iter_rows(named=True)
        ]
    return result


def _moves(rows: pl.DataFrame, dimension: str) -> dict[str, list[dict[str, Any]]]:
    """Per group, the grade transitions that changed the grade, largest first."""
    import polars as pl

    counts = rows.filter(pl.col("grade_changed")).group_by(dimension, "b_grade", "c_grade").agg(count=pl.len())
    moves: dict[str, list[dict[str, Any]]] = {}
    for row in counts.sort(["count", "b_grade", "c_grade"], descending=[True, False, False]).iter_rows(named=True):
        moves.setdefault(row[dimension], []).append(
            {"from": row["b_grade"], "to": row["c_grade"], "count": row["count"]}
        )
    return moves


def _counts(row: dict[str, Any]) -> dict[str, Any]:
    names = ("subjects", "worse", "downgraded", "upgraded", "newly_denied", "newly_allowed", "changed")
    return {name: int(row[name]) for name in names} | {"share_worse": round(float(row["share_worse"]), 6)}


def _band(age: pl.Expr) -> pl.Expr:
    import polars as pl

    expr = pl.lit(AGE_BANDS[0][1])
    for low, label in AGE_BANDS[1:]:
        expr = pl.when(age >= low).then(pl.lit(label)).otherwise(expr)
    return expr


def _region_label(code: str) -> str:
    name = region_name(code)
    return f"{name} ({code})" if name else code
