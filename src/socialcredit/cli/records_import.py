"""``socialcredit import``: load a record file (JSON Lines, CSV, Parquet) for one source, atomically."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from socialcredit.cli.output import Format, print_json, stderr_console


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
    chunk_size: int = typer.Option(50_000, "--chunk-size", min=1, help="Records checked and loaded at a time."),
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Import a record file for a source: all or nothing; bad records are listed as FILE:LINE: field: reason.

    Example: socialcredit import court-2025-06.jsonl --source court
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from socialcredit.cli.platform import database, operator
    from socialcredit.db.engine import transaction
    from socialcredit.platform.records.importer import import_file

    db = database()
    started = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    console = stderr_console()
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        tasks = {
            "records": bar.add_task("records", total=count_records(path)),
            "standings": bar.add_task("standings", total=None, visible=False),
        }

        def progress(phase: str, amount: int) -> None:
            if phase == "records":
                bar.advance(tasks["records"], amount)
            else:
                bar.update(tasks["standings"], completed=amount, visible=True)

        with transaction(db.sessions) as session:
            result = import_file(
                session,
                actor=operator(),
                path=path,
                source=source,
                keep_recorded_at=keep_recorded_at,
                chunk_size=chunk_size,
                progress=progress,
            )
    seconds = time.perf_counter() - started
    if format is Format.json:
        print_json({**result.as_json(), "seconds": round(seconds, 3)})
        return
    rate = result.accepted / seconds if seconds else 0
    print(
        f"imported {result.accepted} records ({result.duplicates} duplicates) for {result.subjects} subjects "
        f"in {seconds:.1f} s ({rate:,.0f} records/s)"
    )


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
