"""Population figures from two outcome frames, computed over columns (Polars), never per row.

``pair_frame`` joins the baseline and candidate outcomes on the subject (columns prefixed ``b_``/``c_``)
and adds the comparison columns every figure uses: ``b_rank``/``c_rank`` (position in a grade order that
merges both handbooks' grades, 0 = best), ``down``, ``up``, ``grade_changed``, ``newly_denied``,
``newly_allowed``, ``lists_changed`` and ``changed`` (anything about the outcome differs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from socialcredit.policy.model import Policy

if TYPE_CHECKING:
    import polars as pl

OUTCOME_COLUMNS = ("points_cents", "grade", "lists", "denied")


def merged_grades(baseline: Policy, candidate: Policy) -> list[str]:
    """Both handbooks' grades in one best-first order: the baseline's, with the candidate's new grades
    inserted after the candidate grade that precedes them."""
    order = [grade.name for grade in baseline.grades]
    previous: str | None = None
    for grade in candidate.grades:
        if grade.name not in order:
            order.insert(order.index(previous) + 1 if previous else 0, grade.name)
        previous = grade.name
    return order


def pair_frame(base: pl.DataFrame, cand: pl.DataFrame, order: list[str]) -> pl.DataFrame:
    """Join both outcomes on ``subject`` (every subject once) and add the comparison columns."""
    import polars as pl

    left = base.select("subject", *(pl.col(c).alias(f"b_{c}") for c in OUTCOME_COLUMNS))
    right = cand.select("subject", *(pl.col(c).alias(f"c_{c}") for c in OUTCOME_COLUMNS))
    joined = left.join(right, on="subject", how="full", coalesce=True).sort("subject")
    empty = pl.lit([], dtype=pl.List(pl.String))
    joined = joined.with_columns(
        *(pl.col(f"{p}_{c}").fill_null(empty) for p in "bc" for c in ("lists", "denied")),
        *(pl.col(f"{p}_grade").replace_strict(order, list(range(len(order))), default=None,
                                              return_dtype=pl.Int32).alias(f"{p}_rank") for p in "bc"),
    )  # fmt: skip
    return joined.with_columns(
        down=(pl.col("c_rank") > pl.col("b_rank")).fill_null(False),
        up=(pl.col("c_rank") < pl.col("b_rank")).fill_null(False),
        grade_changed=pl.col("b_grade").ne_missing(pl.col("c_grade")),
        newly_denied=pl.col("c_denied").list.set_difference("b_denied").list.len() > 0,
        newly_allowed=pl.col("b_denied").list.set_difference("c_denied").list.len() > 0,
        lists_changed=pl.col("b_lists").list.sort().ne(pl.col("c_lists").list.sort()),
        points_delta=pl.col("c_points_cents") - pl.col("b_points_cents"),
    ).with_columns(
        changed=pl.col("grade_changed") | pl.col("newly_denied") | pl.col("newly_allowed") | pl.col("lists_changed")
        | pl.col("b_points_cents").ne_missing(pl.col("c_points_cents")),
    )  # fmt: skip


def transitions(pairs: pl.DataFrame, order: list[str]) -> list[dict[str, Any]]:
    """Baseline grade → candidate grade counts and shares (null for no grade), best grades first."""
    import polars as pl

    total = pairs.height
    counts = pairs.group_by("b_grade", "c_grade", "b_rank", "c_rank").agg(count=pl.len())
    counts = counts.sort(["b_rank", "c_rank"], nulls_last=True)
    return [
        {"from": row["b_grade"], "to": row["c_grade"], "count": row["count"], "share": _share(row["count"], total)}
        for row in counts.iter_rows(named=True)
    ]


def grade_counts(frame: pl.DataFrame, policy: Policy) -> list[dict[str, Any]]:
    """Subjects per grade of ``policy`` (every grade, then null when some have none)."""
    counts = dict(frame.get_column("grade").value_counts().iter_rows())
    names: list[str | None] = [grade.name for grade in policy.grades]
    if counts.get(None):
        names.append(None)
    return [{"grade": n, "count": counts.get(n, 0), "share": _share(counts.get(n, 0), frame.height)} for n in names]


def summary(pairs: pl.DataFrame) -> dict[str, int]:
    """How many subjects in all, and how many moved up, down, or changed in any way."""
    import polars as pl

    row = pairs.select(
        subjects=pl.len(),
        downgraded=pl.col("down").sum(),
        upgraded=pl.col("up").sum(),
        grade_changed=pl.col("grade_changed").sum(),
        changed=pl.col("changed").sum(),
        newly_denied=pl.col("newly_denied").sum(),
        newly_allowed=pl.col("newly_allowed").sum(),
    ).row(0, named=True)
    return {name: int(value or 0) for name, value in row.items()}


def list_changes(pairs: pl.DataFrame, baseline: Policy, candidate: Policy) -> list[dict[str, Any]]:
    """Per list (of either handbook): members under each, newly listed (added) and delisted (removed)."""
    import polars as pl

    defs = {entry.id: entry for entry in candidate.lists} | {entry.id: entry for entry in baseline.lists}
    ids = list(dict.fromkeys([entry.id for entry in baseline.lists] + [entry.id for entry in candidate.lists]))
    exprs = []
    for index, list_id in enumerate(ids):
        was, now = pl.col("b_lists").list.contains(list_id), pl.col("c_lists").list.contains(list_id)
        exprs += [was.sum().alias(f"b{index}"), now.sum().alias(f"c{index}")]
        exprs += [(now & ~was).sum().alias(f"a{index}"), (was & ~now).sum().alias(f"r{index}")]
    row = pairs.select(exprs).row(0, named=True) if exprs else {}
    out = []
    for index, list_id in enumerate(ids):
        entry = defs[list_id]
        out.append(
            {
                "id": list_id, "title": entry.title, "kind": entry.kind, "public": entry.public,
                "through_grades": bool(entry.members.grades),
                "baseline": int(row[f"b{index}"]), "candidate": int(row[f"c{index}"]),
                "added": int(row[f"a{index}"]), "removed": int(row[f"r{index}"]),
            }
        )  # fmt: skip
    return out


def measure_changes(pairs: pl.DataFrame, baseline: Policy, candidate: Policy) -> list[dict[str, Any]]:
    """Per service denied by either handbook: subjects denied under each, newly denied, newly allowed."""
    import polars as pl

    services = list(dict.fromkeys(m.service for p in (baseline, candidate) for m in p.measures if m.effect == "deny"))
    exprs = []
    for index, service in enumerate(services):
        was, now = pl.col("b_denied").list.contains(service), pl.col("c_denied").list.contains(service)
        exprs += [was.sum().alias(f"b{index}"), now.sum().alias(f"c{index}")]
        exprs += [(now & ~was).sum().alias(f"d{index}"), (was & ~now).sum().alias(f"a{index}")]
    row = pairs.select(exprs).row(0, named=True) if exprs else {}
    return [
        {
            "service": service,
            "baseline_denied": int(row[f"b{i}"]),
            "candidate_denied": int(row[f"c{i}"]),
            "newly_denied": int(row[f"d{i}"]),
            "newly_allowed": int(row[f"a{i}"]),
        }
        for i, service in enumerate(services)
    ]


def _share(count: int, total: int) -> float:
    return round(count / total, 6) if total else 0.0
