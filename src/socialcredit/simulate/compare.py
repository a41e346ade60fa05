"""Population figures from two outcome frames, computed over columns (Polars), never per row.

``pair_frame`` puts the baseline and candidate outcomes side by side, one row per subject (columns prefixed
``b_``/``c_``), and adds the comparison columns every figure uses: ``b_rank``/``c_rank`` (position in a grade
order that merges both handbooks' grades, 0 = best), ``down``, ``up``, ``grade_changed``, ``newly_denied``,
``newly_allowed``, ``lists_changed``, ``points_delta`` and ``changed`` (anything about the outcome differs).

List memberships and denied services are held as bit sets (:class:`Members`): one Int64 column per 62 ids,
``b_lists_0``, ``c_denied_0`` …, so that comparing them costs integer operations, not list operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from socialcredit.policy.model import Policy

if TYPE_CHECKING:
    import polars as pl

WORD = 62  # ids per Int64 bit set column


@dataclass(frozen=True)
class Members:
    """The list ids and denied services of both handbooks, each with its bit in a bit set column."""

    lists: tuple[str, ...]
    services: tuple[str, ...]

    @classmethod
    def of(cls, baseline: Policy, candidate: Policy) -> Members:
        lists = dict.fromkeys(entry.id for p in (baseline, candidate) for entry in p.lists)
        services = dict.fromkeys(m.service for p in (baseline, candidate) for m in p.measures if m.effect == "deny")
        return cls(tuple(lists), tuple(services))

    def ids(self, kind: str) -> tuple[str, ...]:
        return self.lists if kind == "lists" else self.services

    def words(self, kind: str) -> int:
        return -(-len(self.ids(kind)) // WORD)

    def bits(self, prefix: str, kind: str) -> list[pl.Expr]:
        """Bit set columns ``{prefix}_{kind}_{w}`` from the list column ``kind`` (each id at most once per row)."""
        import polars as pl

        ids, out = self.ids(kind), []
        for word in range(self.words(kind)):
            mapping = {name: 1 << bit for bit, name in enumerate(ids[word * WORD : (word + 1) * WORD])}
            element = pl.element().replace_strict(mapping, default=0, return_dtype=pl.Int64)
            out.append(pl.col(kind).list.eval(element).list.sum().fill_null(0).alias(f"{prefix}_{kind}_{word}"))
        return out

    def has(self, prefix: str, kind: str, name: str) -> pl.Expr:
        """True where the subject holds ``name`` (a list id or a denied service) under ``prefix`` (b or c)."""
        import polars as pl

        word, bit = divmod(self.ids(kind).index(name), WORD)
        return (pl.col(f"{prefix}_{kind}_{word}") & (1 << bit)) != 0

    def differ(self, kind: str, gained: bool | None) -> pl.Expr:
        """Rows where the candidate gained (True), lost (False) or changed (None) any id of ``kind``."""
        import polars as pl

        tests = []
        for word in range(self.words(kind)):
            b, c = pl.col(f"b_{kind}_{word}"), pl.col(f"c_{kind}_{word}")
            tests.append(b != c if gained is None else ((c & ~b) if gained else (b & ~c)) != 0)
        return pl.any_horizontal(tests) if tests else pl.lit(False)

    def moves(self, kind: str) -> pl.Expr:
        """How many ids of ``kind`` differ between the two handbooks, per row."""
        import polars as pl

        counts = [
            (pl.col(f"b_{kind}_{w}") ^ pl.col(f"c_{kind}_{w}")).bitwise_count_ones().cast(pl.Int64)
            for w in range(self.words(kind))
        ]
        return pl.sum_horizontal(counts) if counts else pl.lit(0, dtype=pl.Int64)


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


def pair_frame(base: pl.DataFrame, cand: pl.DataFrame, order: list[str], members: Members) -> pl.DataFrame:
    """Both outcomes side by side (every subject once, sorted) with the comparison columns."""
    import polars as pl

    sides = []
    for prefix, frame in (("b", base), ("c", cand)):
        points, grade = (pl.col(c).alias(f"{prefix}_{c}") for c in ("points_cents", "grade"))
        sides.append(
            frame.select("subject", points, grade, *members.bits(prefix, "lists"), *members.bits(prefix, "denied"))
        )
    if base.get_column("subject").equals(cand.get_column("subject")):
        joined = pl.concat([sides[0], sides[1].drop("subject")], how="horizontal")
    else:
        joined = sides[0].join(sides[1], on="subject", how="full", coalesce=True).sort("subject")
    bits = [name for name in joined.columns if name[2:].startswith(("lists_", "denied_"))]
    rank = {"old": order, "new": list(range(len(order))), "default": None, "return_dtype": pl.Int32}
    joined = joined.with_columns(
        *(pl.col(name).fill_null(0) for name in bits),
        *(pl.col(f"{p}_grade").replace_strict(**rank).alias(f"{p}_rank") for p in "bc"),  # type: ignore[arg-type]
    )
    joined = joined.with_columns(
        down=(pl.col("c_rank") > pl.col("b_rank")).fill_null(False),
        up=(pl.col("c_rank") < pl.col("b_rank")).fill_null(False),
        grade_changed=pl.col("b_grade").ne_missing(pl.col("c_grade")),
        newly_denied=members.differ("denied", True),
        newly_allowed=members.differ("denied", False),
        lists_changed=members.differ("lists", None),
        points_delta=pl.col("c_points_cents") - pl.col("b_points_cents"),
    )
    return joined.with_columns(
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


def list_changes(pairs: pl.DataFrame, baseline: Policy, candidate: Policy, members: Members) -> list[dict[str, Any]]:
    """Per list (of either handbook): members under each, newly listed (added) and delisted (removed)."""
    defs = {entry.id: entry for entry in candidate.lists} | {entry.id: entry for entry in baseline.lists}
    row = _counts(pairs, members, "lists")
    return [
        {
            "id": list_id, "title": defs[list_id].title, "kind": defs[list_id].kind, "public": defs[list_id].public,
            "through_grades": bool(defs[list_id].members.grades),
            "baseline": row[f"b{i}"], "candidate": row[f"c{i}"], "added": row[f"g{i}"], "removed": row[f"l{i}"],
        }
        for i, list_id in enumerate(members.lists)
    ]  # fmt: skip


def measure_changes(pairs: pl.DataFrame, members: Members) -> list[dict[str, Any]]:
    """Per service denied by either handbook: subjects denied under each, newly denied, newly allowed."""
    row = _counts(pairs, members, "denied")
    return [
        {
            "service": service,
            "baseline_denied": row[f"b{i}"],
            "candidate_denied": row[f"c{i}"],
            "newly_denied": row[f"g{i}"],
            "newly_allowed": row[f"l{i}"],
        }
        for i, service in enumerate(members.services)
    ]


def _counts(pairs: pl.DataFrame, members: Members, kind: str) -> dict[str, int]:
    """Per id ``i``: holders under the baseline ``b{i}``, the candidate ``c{i}``, gained ``g{i}``, lost ``l{i}``."""
    ids = members.ids(kind)
    exprs = []
    for i, name in enumerate(ids):
        was, now = members.has("b", kind, name), members.has("c", kind, name)
        exprs += [was.sum().alias(f"b{i}"), now.sum().alias(f"c{i}")]
        exprs += [(now & ~was).sum().alias(f"g{i}"), (was & ~now).sum().alias(f"l{i}")]
    return {name: int(value) for name, value in pairs.select(exprs).row(0, named=True).items()} if exprs else {}


def _share(count: int, total: int) -> float:
    return round(count / total, 6) if total else 0.0
