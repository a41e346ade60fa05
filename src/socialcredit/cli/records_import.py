"""``socialcredit import``: load a record file (JSON Lines, CSV, Parquet) for one source, atomically."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from socialcredit.cli.output import Format, print_json, stderr_console

if TYPE_CHECKING:
    from rich.progress import Progress


def count_records(path: Path) -> int | None:
    """How many records the file holds, cheaply (for the progress bar); None when unknown."""
    from socialcredit.records.files import parquet_files, record_format

    try:
        fmt = record_format(path)
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return sum(pq.ParquetFile(file).metadata.num_rows for file in parquet_files(path))
        with path.open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        return max(lines - (1 if fmt == "csv" else 0), 0)
    except (OSError, ValueError):
        return None


def import_command(
    path: Path = typer.Argument(..., metavar="FILE", help="Records: .jsonl, .csv, .parquet or a Parquet directory."),
    source: str = typer.Option(..., "--source", help="The source the records come from (registered)."),
    keep_recorded_at: bool = typer.Option(
        False, "--keep-recorded-at", help="Keep the file's recorded_at and status (migrating history; audited)."
    ),
    chunk_size: int = typer.Option(20_000, "--chunk-size", min=1, help="Records checked and loaded at a time."),
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Import a record file for a source: all or nothing; bad records are listed as FILE:LINE: field: reason.

    Example: socialcredit import court-2025-06.jsonl --source court
    """
    from socialcredit.cli.platform import database, operator
    from socialcredit.db.engine import transaction
    from socialcredit.platform.flows import refresh_standings
    from socialcredit.platform.records.importer import import_file

    db = database()
    started = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task("records", total=count_records(path))
        with transaction(db.sessions) as session:
            result = import_file(
                session,
                actor=operator(),
                path=path,
                source=source,
                keep_recorded_at=keep_recorded_at,
                chunk_size=chunk_size,
                progress=lambda amount: bar.advance(task, amount),
            )
        loaded = time.perf_counter() - started
        task = bar.add_task("standings", total=result.subjects)
        refresh_standings(db.sessions, progress=lambda done: bar.update(task, completed=done))
    seconds = time.perf_counter() - started
    if format is Format.json:
        print_json({**result.as_json(), "seconds": round(seconds, 3), "load_seconds": round(loaded, 3)})
        return
    print(
        f"imported {result.accepted} records ({result.duplicates} duplicates) for {result.subjects} subjects "
        f"in {loaded:.1f} s ({result.accepted / loaded if loaded else 0:,.0f} records/s); "
        f"standings refreshed in {seconds - loaded:.1f} s"
    )


def progress_bar() -> Progress:
    """A Rich progress bar on stderr (silent when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    console = stderr_console()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Bar(*columns, console=console, transient=True, disable=not console.is_terminal)


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
