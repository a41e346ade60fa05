"""``socialcredit synth``: a synthetic population and its records under a handbook, as partitioned Parquet."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from socialcredit.cli.output import Format, print_json, stderr_console, stdout_console
from socialcredit.errors import UserError

if TYPE_CHECKING:
    from socialcredit.synth import Summary, SynthSpec


def synth_command(
    policy: Path = typer.Option(..., "--policy", help="Handbook TOML file: its rules and its synth table of rates."),
    out: Path = typer.Option(..., "--out", help="Output directory (new or empty; see --overwrite)."),
    people: int = typer.Option(1000, "--people", help="Persons, aged 18–90 on --start."),
    orgs: int = typer.Option(0, "--orgs", help="Organisations (enterprises, shops, co-operatives, associations)."),
    months: int = typer.Option(12, "--months", help="Months of records from --start."),
    seed: int = typer.Option(0, "--seed", help="Same seed and options, same content."),
    region: str = typer.Option("371082", "--region", help="Division code: 371082 Rongcheng, 371000 Weihai, 37…"),
    start: str | None = typer.Option(None, "--start", help="First day (YYYY-MM-DD). Default: handbook effective_from."),
    chunk_records: int = typer.Option(
        1_000_000, "--chunk-records", help="About this many records per part file (bounds memory)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier synthetic population in --out."),
    format: Format = typer.Option(Format.table, "--format", help="table, or json: the summary as one object."),
) -> None:
    """Generate people and organisations with valid national identifiers and their records under a handbook.

    Writes OUT/subjects.parquet, OUT/records/part-NNNNN.parquet and OUT/synth.json. OUT (or OUT/records)
    is accepted by 'evaluate --records'.

    Example: socialcredit synth --policy policies/rongcheng.toml --people 10000 --orgs 500 --months 24
    --seed 1 --region 371082 --start 2023-01-01 --out synth/rongcheng
    """
    from socialcredit.policy import load_policy
    from socialcredit.synth import SynthSpec

    handbook = load_policy(policy)
    first = _start(start) if start else handbook.policy.effective_from
    spec = SynthSpec(handbook, people, orgs, months, seed, region, first, chunk_records)
    began = time.perf_counter()
    summary = _run(spec, out, overwrite)
    seconds = time.perf_counter() - began
    if format is Format.json:
        print_json({**summary.as_json(), "out": str(out), "seconds": round(seconds, 2)})
    else:
        _render(summary, out, seconds)


def _start(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(f"--start {value!r}: not a valid ISO date (YYYY-MM-DD)") from None


def _run(spec: SynthSpec, out: Path, overwrite: bool) -> Summary:
    """Generate with a progress bar over the part files (on stderr)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from socialcredit.synth import synthesize
    from socialcredit.synth.spec import check_out, check_spec

    check_spec(spec)  # before the progress bar, so an error is all the output
    check_out(out, overwrite=overwrite)
    columns = (
        TextColumn("synth"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("parts · {task.fields[records]:,} records"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr_console(), transient=True) as progress:
        task = progress.add_task("synth", total=None, records=0)

        def step(records: int, parts: int) -> None:
            done = progress.tasks[task].fields["records"] + records
            progress.update(task, total=parts, advance=1, records=done)

        return synthesize(spec, out, overwrite=overwrite, progress=step)


def _render(summary: Summary, out: Path, seconds: float) -> None:
    from rich.table import Table

    spec = summary.spec
    table = Table(title=f"Synthetic population in {out}", show_header=False)
    rate = summary.records / max(seconds, 1e-9)
    rows = [
        ("handbook", f"{spec['policy']['id']} {spec['policy']['version']}"),
        ("subjects", f"{spec['people']:,} people, {spec['orgs']:,} organisations in {', '.join(spec['divisions'])}"),
        ("window", f"{spec['start']} to {spec['end']} (exclusive), seed {spec['seed']}"),
        ("records", f"{summary.records:,} in {summary.parts} parts, {seconds:.1f} s ({rate:,.0f} records/s)"),
        ("kinds", ", ".join(f"{name} {count:,}" for name, count in summary.kinds.items())),
        ("statuses", ", ".join(f"{name} {count:,}" for name, count in summary.statuses.items())),
        ("recorded ≥ 7 days late", f"{summary.late:,}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    stdout_console().print(table)


def register(app: typer.Typer) -> None:
    app.command("synth")(synth_command)
