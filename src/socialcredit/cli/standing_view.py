"""Rich rendering of standings for ``evaluate``, ``score`` and ``demo``: a table, explanations, a grade chart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.bar import Bar
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from socialcredit.policy.model import Policy
from socialcredit.policy.money import format_cents
from socialcredit.scoring.standing import Standing

NO_GRADE = "no grade"

# What each explanation status means, in the words a subject would want (DESIGN §7 step 10).
STATUS_MEANING = {
    "counted": "counts",
    "capped": "in force, beyond the rule's cap: 0",
    "pending-notice": "warning given; counts if not cured in time",
    "cured": "cured in time: never counted",
    "expired": "no longer counts",
    "repaired": "credit repaired: no longer counts",
    "withdrawn": "withdrawn by the source",
    "not-yet-known": "recorded after the time asked about",
    "not-confirmed": "pending review or rejected",
    "suspended-contested": "objected to: suspended until decided",
}


def render_standings(
    standings: Sequence[Standing], console: Console, *, explain: bool = False, policy: Policy | None = None
) -> None:
    """One row per subject; with ``explain``, each subject's full explanation after the table."""
    table = Table(title="Standings", title_justify="left")
    table.add_column("subject", no_wrap=True)
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("grade", no_wrap=True)
    table.add_column("lists", overflow="fold")
    table.add_column("denied", overflow="fold")
    table.add_column("next change", no_wrap=True)
    for s in standings:
        table.add_row(
            s.subject,
            "—" if s.points is None else format_cents(s.points),
            s.grade or "—",
            ", ".join(entry.id for entry in s.lists),
            _denied_summary(s),
            str(s.next_change_on or ""),
        )
    console.print(table)
    if explain:
        for s in standings:
            render_explanation(s, console, policy)


def _denied_summary(standing: Standing) -> str:
    denied = sorted({m.service for m in standing.measures if m.effect == "deny"})
    return ", ".join(denied) if len(denied) <= 2 else f"{len(denied)} services"


def render_explanation(standing: Standing, console: Console, policy: Policy | None = None) -> None:
    """Why the subject stands where it does: every fact with its points and status, lists, measures, next change.

    With the ``policy`` that produced the standing, the rules that appear are listed with their titles.
    """
    points = "no points (no consent)" if standing.points is None else f"{format_cents(standing.points)} points"
    console.print(
        f"\n[bold]{standing.subject}[/bold]: {points}, grade {standing.grade or '—'} on {standing.as_of}, "
        f"as known at {standing.known_at:%Y-%m-%d %H:%M %Z}",
        highlight=False,
    )
    if not standing.contributions:
        console.print("  no records")
    width = max((len(c.rule) for c in standing.contributions), default=0)
    for c in standing.contributions:
        shown = format_cents(c.points) if c.points <= 0 else "+" + format_cents(c.points)
        console.print(
            f"  {c.occurred_on}  {shown:>6}  {c.status:<19} {c.rule:<{width}}  [dim]{c.source}/{c.record}[/dim]",
            highlight=False,
        )
    for line in _legend(standing, policy) + _consequences(standing):
        console.print(line, highlight=False)


def _legend(standing: Standing, policy: Policy | None) -> list[str]:
    statuses = sorted({c.status for c in standing.contributions} - {"counted"})
    lines = [f"  [dim]{status}: {STATUS_MEANING.get(status, status)}[/dim]" for status in statuses]
    for rule_id in sorted({c.rule for c in standing.contributions}):
        rule = policy.rule(rule_id) if policy else None
        if rule is not None:
            lines.append(f"  [dim]{rule_id}: {escape(rule.title)}[/dim]")
    return lines


def _consequences(standing: Standing) -> list[str]:
    lines = []
    for entry in standing.lists:
        span = f" from {entry.since} until {entry.until}" if entry.since else " by grade"
        lines.append(f"  on list [bold]{entry.id}[/bold]{span}")
    for effect, label in (("deny", "denied"), ("benefit", "benefits")):
        services = [m.service for m in standing.measures if m.effect == effect]
        if services:
            lines.append(f"  {label}: {', '.join(services)}")
    lines.append(f"  next change on {standing.next_change_on}" if standing.next_change_on else "  no change ahead")
    return lines


def grade_counts(standings: Sequence[Standing], policy: Policy) -> list[tuple[str, int]]:
    """``(grade, subjects)`` for every grade of the handbook, best first, then subjects without a grade."""
    counts = Counter(s.grade or NO_GRADE for s in standings)
    rows = [(grade.name, counts.get(grade.name, 0)) for grade in policy.grades]
    return rows + ([(NO_GRADE, counts[NO_GRADE])] if counts.get(NO_GRADE) else [])


def render_grade_chart(standings: Sequence[Standing], policy: Policy, console: Console, width: int = 40) -> None:
    """A horizontal bar chart of the grade distribution, with counts and shares."""
    rows = grade_counts(standings, policy)
    total = sum(count for _, count in rows) or 1
    widest = max((count for _, count in rows), default=0) or 1
    table = Table(title="Grade distribution", title_justify="left", show_header=False, box=None)
    table.add_column("grade", justify="right", style="bold")
    table.add_column("bar", width=width)
    table.add_column("subjects", justify="right")
    table.add_column("share", justify="right")
    for name, count in rows:
        bar = Bar(size=widest, begin=0, end=count, width=width, color="cyan")
        table.add_row(name, bar, str(count), f"{100 * count / total:.1f}%")
    console.print(table)
