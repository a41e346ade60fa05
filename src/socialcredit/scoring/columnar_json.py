"""Standings of a columnar run in the JSON shape of ``Standing.as_json`` (what ``evaluate`` prints).

Step 10 of DESIGN §7 (the explanation) is computed here: every fact that occurred on or before ``as_of``,
ordered by ``(occurred_on, source, id)``, with its contribution and status.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import polars as pl

from socialcredit.policy.money import format_cents
from socialcredit.scoring import columnar_policy as cp

if TYPE_CHECKING:
    from socialcredit.scoring.columnar import Scored


def contributions(scored: Scored) -> dict[str, list[dict[str, Any]]]:
    """Per subject, the explanation entries as JSON objects."""
    rule_names = pl.lit(pl.Series([*scored.tables.rule_ids, ""], dtype=pl.String))
    unknown = len(scored.tables.rule_ids)
    rows = (
        scored.facts.lazy()
        .filter((pl.col("occurred") <= scored.as_of) & (pl.col("state") != cp.NOT_A_FACT))
        .sort("subject", "occurred", "source", "id")
        .select(
            "subject",
            "source",
            "id",
            rule_names.gather(pl.col("rule").fill_null(unknown)).alias("rule"),
            pl.when(pl.col("state") == cp.COUNTED).then(pl.col("value")).otherwise(0).alias("points"),
            "state",
        )
        .collect()
    )
    out: dict[str, list[dict[str, Any]]] = {}
    if scored.names is not None:
        rows = rows.with_columns(scored.names.gather(rows["subject"]).alias("subject"))
    for subject, source, record, rule, points, state in rows.iter_rows():
        out.setdefault(subject, []).append(
            {
                "source": source,
                "record": record,
                "rule": rule,
                "points": format_cents(points),
                "status": cp.STATUS_NAMES[state],
            }
        )
    return out


def scored_json(scored: Scored) -> Iterator[dict[str, Any]]:
    """One ``Standing.as_json()``-shaped object per subject, sorted by subject."""
    policy = scored.tables.policy
    explained = contributions(scored)
    as_of, known_at = scored.as_of.isoformat(), scored.known_at.isoformat()
    for row in scored.subjects.iter_rows(named=True):
        points = row["points_cents"]
        yield {
            "subject": row["subject"],
            "as_of": as_of,
            "known_at": known_at,
            "policy": policy.ref(),
            "points": None if points is None else format_cents(points),
            "grade": row["grade"],
            "lists": _lists(row, policy.lists),
            "measures": [
                {"id": m.id, "service": m.service, "effect": m.effect}
                for index, m in enumerate(policy.measures)
                if row[f"applies_{index}"]
            ],
            "contributions": explained.get(row["subject"], []),
            "next_change_on": _day(row["next_change_on"]),
        }


def _lists(row: dict[str, Any], lists: list[Any]) -> list[dict[str, Any]]:
    entries = []
    for k, entry in enumerate(lists):
        if row[f"on_{k}"]:
            since, until = row.get(f"since_{k}"), row.get(f"until_{k}")
            entries.append({"id": entry.id, "since": _day(since), "until": _day(until)})
    return entries


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None
