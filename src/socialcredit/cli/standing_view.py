"""Rich rendering of standings for ``evaluate`` and ``score`` tables."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from socialcredit.policy.money import format_cents
from socialcredit.scoring.standing import Standing


def render_standings(standings: Sequence[Standing], console: Console, *, explain: bool = False) -> None:
    table = Table("subject", "points", "grade", "lists", "denied services", "next change", title="Standings")
    for s in standings:
        denied = sorted({m.service for m in s.measures if m.effect == "deny"})
        table.add_row(
            s.subject,
            "—" if s.points is None else format_cents(s.points),
            s.grade or "—",
            ", ".join(entry.id for entry in s.lists),
            ", ".join(denied),
            str(s.next_change_on or ""),
        )
    console.print(table)
    if explain:
        for s in standings:
            render_explanation(s, console)


def render_explanation(standing: Standing, console: Console) -> None:
    table = Table(
        "occurred", "source", "record", "rule", "points", "status", title=f"Explanation for {standing.subject}"
    )
    for c in standing.contributions:
        table.add_row(str(c.occurred_on), c.source, c.record, c.rule, format_cents(c.points), c.status)
    console.print(table)
