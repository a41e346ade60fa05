"""``socialcredit demo``: a synthetic county on a fresh platform, served; ``--offline``: the sample, explained."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from socialcredit.errors import UserError
from socialcredit.scoring.standing import Standing

if TYPE_CHECKING:
    from rich.console import Console

    from socialcredit.policy.model import ListDef

HANDBOOK = Path("policies/rongcheng.toml")
SAMPLE = Path("examples/rongcheng-sample.jsonl")
# src/socialcredit/cli/demo.py → the checkout's root, where an editable install finds policies/ and examples/.
CHECKOUT = Path(__file__).resolve().parents[3]


def shipped_file(relative: Path, option: str) -> Path:
    """``relative`` under the current directory, else under the checkout this package runs from."""
    for base in (Path.cwd(), CHECKOUT):
        candidate = base / relative
        if candidate.is_file():
            return candidate
    raise UserError(f"{relative} not found here or in {CHECKOUT}; run from the repository or pass {option} PATH")


def demo_command(
    offline: bool = typer.Option(
        False, "--offline", help="Only score the shipped sample and print the result (no database, no server)."
    ),
    people: int = typer.Option(50_000, "--people", min=10, help="Persons in the synthetic county."),
    orgs: int = typer.Option(1_000, "--orgs", min=0, help="Organisations in the synthetic county."),
    months: int = typer.Option(12, "--months", min=1, max=60, help="Months of records, up to this month."),
    seed: int = typer.Option(1, "--seed", help="Same seed, same county."),
    folder: Path = typer.Option(Path("demo"), "--dir", help="Where the database, evidence and keys go (rebuilt)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the server once the county is loaded."),
    policy: Path | None = typer.Option(None, "--policy", help=f"Handbook TOML file. Default: {HANDBOOK}."),
    records: Path | None = typer.Option(None, "--records", help=f"--offline: record file. Default: {SAMPLE}."),
    as_of: str = typer.Option("2025-06-30", "--as-of", help="--offline: date of the standings (YYYY-MM-DD)."),
    explained: int = typer.Option(3, "--explained", min=0, help="--offline: how many standings to explain."),
) -> None:
    """Load a synthetic county (50,000 people, 1,000 organisations, 12 months) into a fresh SQLite platform,
    start the web application on http://127.0.0.1:8000 and print a login for every role.

    With --offline: score the shipped sample without a database (grade chart, lists, explanations).

    Example: socialcredit demo --people 50000 --orgs 1000 --port 8000

    Example: socialcredit demo --offline --as-of 2025-06-30 --explained 3
    """
    if offline:
        run_offline(policy, records, as_of, explained)
        return
    from socialcredit.cli.demo_server import run_county

    handbook = policy or shipped_file(HANDBOOK, "--policy")
    run_county(handbook, folder, people=people, orgs=orgs, months=months, seed=seed, host=host, port=port, serve=serve)


def run_offline(policy: Path | None, records: Path | None, as_of: str, explained: int) -> None:
    """The shipped handbook on the shipped sample: grade distribution, lists and explained standings."""
    from socialcredit.cli.output import stdout_console
    from socialcredit.cli.standing_view import render_explanation, render_grade_chart
    from socialcredit.policy import load_policy
    from socialcredit.scoring.batch_io import evaluate_all
    from socialcredit.scoring.moments import parse_as_of

    handbook_path = policy or shipped_file(HANDBOOK, "--policy")
    records_path = records or shipped_file(SAMPLE, "--records")
    handbook = load_policy(handbook_path)
    standings = evaluate_all(records_path, handbook, parse_as_of(as_of))
    console = stdout_console()
    console.print(f"[bold]{handbook.policy.title}[/bold]")
    console.print(f"{handbook.id} {handbook.version}, sha256 {handbook.hash[:16]}…", highlight=False)
    console.print(f"{len(standings)} subjects in {_shown(records_path)}, as of {as_of}\n", highlight=False)
    render_grade_chart(standings, handbook, console)
    _list_sizes(standings, handbook.lists, console)
    chosen = pick_explained(standings, explained)
    if chosen:
        console.print(f"\n[bold]{len(chosen)} standings explained[/bold]")
    for standing in chosen:
        render_explanation(standing, console, handbook)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _list_sizes(standings: list[Standing], lists: list[ListDef], console: Console) -> None:
    console.print("\n[bold]Lists[/bold]")
    for entry in lists:
        members = sum(1 for s in standings if any(item.id == entry.id for item in s.lists))
        console.print(f"  {entry.id:<26} {entry.kind:<5} {members:>4} subjects  {entry.title}", highlight=False)


def pick_explained(standings: list[Standing], count: int) -> list[Standing]:
    """Up to ``count`` standings that show the most: the richest explanation, a listed subject, the best grade."""
    by_variety = sorted(
        standings, key=lambda s: (-len({c.status for c in s.contributions}), len(s.contributions), s.subject)
    )
    listed = sorted(
        (s for s in standings if any(m.effect == "deny" for m in s.measures)),
        key=lambda s: (-sum(m.effect == "deny" for m in s.measures), len(s.contributions), s.subject),
    )
    best = sorted(standings, key=lambda s: (-(s.points or 0), s.subject))
    chosen: list[Standing] = []
    for pool in (by_variety, listed, best):
        pick = next((s for s in pool if s not in chosen), None)
        if pick is not None:
            chosen.append(pick)
    chosen += [s for s in by_variety if s not in chosen]
    return chosen[:count]


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
