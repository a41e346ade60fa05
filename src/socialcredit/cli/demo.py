"""``socialcredit demo``: the shipped Rongcheng handbook on the shipped sample, explained."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from socialcredit.cli.output import stdout_console
from socialcredit.scoring.standing import Standing

DEFAULT_POLICY = Path("policies/rongcheng.toml")
DEFAULT_RECORDS = Path("examples/rongcheng-sample.jsonl")


def demo_command(
    policy: Path = typer.Option(DEFAULT_POLICY, "--policy", help="Handbook TOML file."),
    records: Path = typer.Option(DEFAULT_RECORDS, "--records", help="Record file."),
    as_of: str = typer.Option("2025-06-30", "--as-of", help="Date of the standings."),
    explained: int = typer.Option(3, "--explained", help="How many standings to explain in full."),
) -> None:
    """Evaluate a handbook on sample records: grade distribution and a few explained standings.

    Example (from a clone): socialcredit demo
    """
    from socialcredit.cli.standing_view import render_explanation, render_standings
    from socialcredit.policy import load_policy
    from socialcredit.scoring.batch_io import evaluate_all
    from socialcredit.scoring.moments import parse_as_of

    handbook = load_policy(policy)
    standings = evaluate_all(records, handbook, parse_as_of(as_of))
    console = stdout_console()
    console.print(
        f"[bold]{handbook.policy.title}[/bold] ({handbook.id} {handbook.version}, sha256 {handbook.hash[:12]}…)"
    )
    console.print(f"{len(standings)} subjects from {records}, as of {as_of}\n")
    counts = Counter(s.grade or "no consent" for s in standings)
    widest = max(counts.values(), default=1)
    for name in [grade.name for grade in handbook.grades] + ["no consent"]:
        if name in counts or name != "no consent":
            bar = "█" * round(30 * counts.get(name, 0) / widest)
            console.print(f"  {name:>10} {counts.get(name, 0):>5} {bar}")
    console.print()
    render_standings(standings, console)
    for standing in _most_interesting(standings, explained):
        render_explanation(standing, console)


def _most_interesting(standings: list[Standing], count: int) -> list[Standing]:
    """Those with the most varied explanations first (listed, capped, cured, corrected...)."""
    return sorted(standings, key=lambda s: (-len({c.status for c in s.contributions}), -len(s.lists), s.subject))[
        :count
    ]


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
