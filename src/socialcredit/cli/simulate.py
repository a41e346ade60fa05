"""``socialcredit simulate``: a candidate handbook against the baseline over the same records."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from socialcredit.cli.output import Format, print_json, stderr_console, stdout_console
from socialcredit.errors import UserError

if TYPE_CHECKING:
    import polars as pl
    from rich.console import Console

    from socialcredit.simulate.outcomes import Scoring


def simulate_command(
    baseline: Path = typer.Option(..., "--baseline", help="The handbook in force (TOML)."),
    candidate: Path = typer.Option(..., "--candidate", help="The proposed handbook (TOML)."),
    records: Path = typer.Option(..., "--records", help="Records: .jsonl, .csv, .parquet or a directory of Parquet."),
    as_of: str = typer.Option(..., "--as-of", help="Date of the standings (YYYY-MM-DD)."),
    known_at: str | None = typer.Option(
        None, "--known-at", help="Only what was recorded by then (ISO date-time; a date means its end)."
    ),
    monthly_from: str | None = typer.Option(
        None, "--monthly-from", help="Also the grade distribution month by month from this date to --as-of."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write the report as one self-contained HTML file."),
    format: Format = typer.Option(Format.table, "--format", help="table (summary) or json (every figure)."),
    consents: Path | None = typer.Option(
        None, "--consents", help="File of identifiers (one per line) who consented to scoring."
    ),
    subjects: Path | None = typer.Option(
        None,
        "--subjects",
        help="Subjects table (.parquet or .csv with subject, village) for a breakdown by village. "
        "Default: subjects.parquet beside the records of a synth directory.",
    ),
    top: int = typer.Option(10, "--top", min=0, help="How many of the most changed subjects to explain."),
    cliff_margin: str = typer.Option("5", "--cliff-margin", help="Points above a boundary that count as a cliff."),
    explain_sample: int = typer.Option(
        500, "--explain-sample", min=1, help="At most this many downgraded subjects explained to find the drivers."
    ),
    full_ids: bool = typer.Option(False, "--full-ids", help="Show full identifiers (default: birth dates masked)."),
    partitions: int | None = typer.Option(
        None,
        "--partitions",
        min=1,
        help="Hash partitions of the subjects, scored as 'score' scores them (default: about 2 million records each).",
    ),
    work_dir: Path | None = typer.Option(None, "--work-dir", help="Where partitions are staged. Default: temp."),
    in_memory: bool = typer.Option(
        False, "--in-memory", help="Hold all records in memory instead of partitions (about 0.65 GB a million)."
    ),
) -> None:
    """Simulate a candidate handbook: transitions, points, lists, services, who bears it, warnings.

    Example: socialcredit simulate --baseline policies/rongcheng.toml --candidate docs/simulate-candidate.toml
    --records county/ --as-of 2025-06-30 --monthly-from 2024-07-25 --out report.html
    """
    from socialcredit.cli.policy_diff import load_handbook
    from socialcredit.policy.money import to_cents
    from socialcredit.scoring.batch_io import consenting_subjects
    from socialcredit.scoring.moments import parse_as_of, parse_known_at
    from socialcredit.simulate import Options, simulate
    from socialcredit.simulate.report import steps

    old, new = load_handbook(baseline), load_handbook(candidate)
    day = parse_as_of(as_of)
    start = _monthly_from(monthly_from)
    known = parse_known_at(known_at, old) if known_at else None
    margin = _margin(cliff_margin, to_cents)
    _check_out(out)
    places = read_places(subjects, records)
    options = Options(top=top, cliff_margin=margin, explain_sample=explain_sample, full_ids=full_ids)
    with _progress(steps(start, day)) as (advance, phase), ExitStack() as stack:
        population = _population(records, consenting_subjects(consents), in_memory, partitions, work_dir, phase, stack)
        report = simulate(population, old, new, as_of=day, known_at=known, monthly_from=start, places=places,
                          options=options, advance=advance)  # fmt: skip
    if out is not None:
        from socialcredit.simulate.html import render_simulation_html

        write_atomically(out, render_simulation_html(report))
    if format is Format.json:
        print_json(report)
    else:
        render_summary(report, stdout_console(), out)


def read_places(subjects: Path | None, records: Path) -> pl.DataFrame | None:
    """The subjects table given, or the one ``socialcredit synth`` wrote beside the records, or None."""
    import polars as pl

    path = subjects
    if path is None:
        beside = [records / "subjects.parquet", records.parent / "subjects.parquet"] if records.is_dir() else []
        path = next((candidate for candidate in beside if candidate.is_file()), None)
        if path is None:
            return None
    try:
        return pl.read_csv(path) if path.suffix.lower() == ".csv" else pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise UserError(f"--subjects: cannot read {path}: {error}") from None


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then move it into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def render_summary(report: dict[str, Any], console: Console, out: Path | None) -> None:
    """Transitions, list and service changes and warnings, as a short text summary."""
    from rich.markup import escape
    from rich.table import Table

    s = report["summary"]
    console.print(
        f"{s['subjects']:,} subjects: {s['downgraded']:,} down, {s['upgraded']:,} up, "
        f"{s['newly_denied']:,} newly denied a service, {s['newly_allowed']:,} newly allowed",
        highlight=False,
    )
    table = Table("from", "to", "subjects", "share", title="Grade transitions")
    for item in report["transitions"]:
        table.add_row(item["from"] or "—", item["to"] or "—", f"{item['count']:,}", f"{item['share']:.1%}")
    console.print(table)
    lists = Table("list", "newly listed", "delisted", title="Lists")
    for entry in report["lists"]:
        lists.add_row(entry["id"], f"{entry['added']:,}", f"{entry['removed']:,}")
    console.print(lists)
    services = Table("service", "newly denied", "newly allowed", title="Services")
    for item in report["measures"]:
        services.add_row(item["service"], f"{item['newly_denied']:,}", f"{item['newly_allowed']:,}")
    console.print(services)
    for warning in report["warnings"]:
        console.print(f"warning ({warning['kind']}): {escape(warning['message'])}", highlight=False)
    if out is not None:
        console.print(f"report written to {escape(str(out))}", highlight=False)


def _monthly_from(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--monthly-from: {text!r} is not a date (YYYY-MM-DD)") from None


def _margin(text: str, to_cents: Any) -> int:
    try:
        cents = int(to_cents(text))
    except ValueError as error:
        raise UserError(f"--cliff-margin: {error}") from None
    if cents <= 0:
        raise UserError(f"--cliff-margin: {text!r} must be a positive number of points")
    return cents


def _check_out(out: Path | None) -> None:
    """Fail before any work when the report could not be written."""
    if out is None:
        return
    if out.is_dir():
        raise UserError(f"--out: {out} is a directory; give a file name such as report.html")
    if not out.parent.is_dir():
        raise UserError(f"--out: directory {out.parent} does not exist")


def _population(
    records: Path, consents: frozenset[str], in_memory: bool, partitions: int | None, work_dir: Path | None,
    phase: Callable[[str, int, int], None], stack: ExitStack,
) -> Scoring:  # fmt: skip
    """Partitioned as ``score`` partitions (bounded memory), or in memory with ``--in-memory``."""
    from socialcredit.simulate import PartitionedPopulation, Population

    if in_memory:
        if partitions is not None or work_dir is not None:
            raise UserError("--in-memory: give it without --partitions and --work-dir")
        return Population.from_path(records, consents=consents)
    if work_dir is not None and not work_dir.is_dir():
        raise UserError(f"--work-dir: {work_dir} is not a directory")
    population = PartitionedPopulation(records, consents=consents, partitions=partitions, work_dir=work_dir,
                                       progress=phase)  # fmt: skip
    return stack.enter_context(population)


@contextmanager
def _progress(total: int) -> Iterator[tuple[Callable[[], None], Callable[[str, int, int], None]]]:
    """A transient Rich progress bar on stderr; yields ``advance`` and a partition ``phase`` reporter."""
    from rich.progress import Progress

    with Progress(console=stderr_console(), transient=True) as bar:
        task = bar.add_task("simulating", total=total)

        def phase(name: str, done: int, count: int) -> None:
            bar.update(task, description=f"simulating: {name} {done}/{count} partitions")

        yield (lambda: bar.advance(task)), phase


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
