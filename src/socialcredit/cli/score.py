"""``socialcredit score``: batch standings of a whole population with the columnar engine, partitioned."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from socialcredit.cli.output import Format, print_json, stderr_console, stdout_console
from socialcredit.errors import RecordError, UserError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from socialcredit.scoring.partitioned import PartitionedRun, Runner

PHASES = {
    "files": "Reading, checking and scoring files",
    "read": "Reading and checking records",
    "keys": "Checking keys",
    "score": "Scoring partitions",
}


class Engine(StrEnum):
    """Where the partitions run."""

    local = "local"
    dask = "dask"


def score_command(
    policy: Path = typer.Option(..., "--policy", help="Handbook TOML file."),
    records: Path = typer.Option(..., "--records", help="Records: .jsonl, .csv, .parquet or a directory of Parquet."),
    as_of: str = typer.Option(..., "--as-of", help="Date of the standings (YYYY-MM-DD)."),
    known_at: str | None = typer.Option(
        None, "--known-at", help="Only what was recorded by then (ISO date-time; a date means its end)."
    ),
    consents: Path | None = typer.Option(
        None, "--consents", help="File of identifiers (one per line) who consented to scoring."
    ),
    out: Path | None = typer.Option(None, "--out", help="Output Parquet file: one row per subject."),
    partitions: int | None = typer.Option(
        None,
        "--partitions",
        help="Stage records into N hash partitions of the subjects. Default: score each file on its own when "
        "the files hold disjoint subjects, else partitions of about 2 million records.",
    ),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local (this process) or dask (a cluster)."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (tcp://host:8786); default: a local cluster."
    ),
    workers: int = typer.Option(2, "--workers", help="Workers of the local Dask cluster (without --scheduler)."),
    work_dir: Path | None = typer.Option(
        None, "--work-dir", help="Where partitions are staged (shared by all workers on a cluster). Default: temp."
    ),
    format: Format = typer.Option(
        Format.table, "--format", help="table (a summary), or json: without --out, the standings as evaluate prints."
    ),
) -> None:
    """Score every subject of a record file or Parquet directory (columnar engine, hash partitions).

    Writes one row per subject (subject, points, grade, lists, denied services, next change, handbook id,
    version and hash) to --out; with --format json and no --out, prints the standings exactly as
    'evaluate --format json' does.

    Example: socialcredit score --policy policies/rongcheng.toml --records synth/rongcheng/records
    --as-of 2025-06-30 --out standings.parquet --partitions 16
    """
    from socialcredit.policy import load_policy
    from socialcredit.scoring.batch_io import consenting_subjects
    from socialcredit.scoring.moments import parse_as_of, parse_known_at

    if out is None and format is not Format.json:
        raise UserError("give --out FILE.parquet, or --format json to print the standings")
    if out is not None and out.suffix.lower() != ".parquet":
        raise UserError(f"--out: {out} must be a .parquet file")
    if scheduler and engine is not Engine.dask:
        raise UserError("--scheduler needs --engine dask")
    handbook = load_policy(policy)
    day = parse_as_of(as_of)
    known = parse_known_at(known_at, handbook) if known_at else None
    consent = consenting_subjects(consents) if handbook.policy.scoring_requires_consent else None
    began = time.perf_counter()
    with _runner(engine, scheduler, workers) as runner:
        run = _run(records, handbook, day, known, consent, partitions, runner, work_dir, explain=out is None)
    try:
        if out is None:
            for line in run.json_lines():
                sys.stdout.write(line + "\n")
            return
        run.write_parquet(out)
    finally:
        run.close()
    _summary(run, out, engine, time.perf_counter() - began, format)


def _run(
    records: Path,
    handbook: Any,
    day: Any,
    known: Any,
    consent: Any,
    partitions: int | None,
    runner: Runner,
    work_dir: Path | None,
    *,
    explain: bool,
) -> PartitionedRun:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from socialcredit.scoring.partitioned import PartitionedRun

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    console = stderr_console()
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(PHASES.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done)

        try:
            return PartitionedRun.start(
                records,
                handbook,
                day,
                known,
                consent,
                partitions=partitions,
                runner=runner,
                work_dir=work_dir,
                explain=explain,
                progress=progress,
            )
        except RecordError as error:
            bar.stop()
            for line in error.details or [error.message]:
                print(line, file=sys.stderr)
            print(f"error: {error.message}", file=sys.stderr)
            raise typer.Exit(2) from None


@contextmanager
def _runner(engine: Engine, scheduler: str | None, workers: int) -> Iterator[Runner]:
    from socialcredit.scoring.partitioned import DaskRunner, LocalRunner

    if engine is Engine.local:
        yield LocalRunner()
        return
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as error:
            raise UserError(f"--scheduler: cannot reach {scheduler}: {error}") from None
        with client:
            yield DaskRunner(client)
        return
    if workers < 1:
        raise UserError(f"--workers must be 1 or more; got {workers}")
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        yield DaskRunner(client)


def _summary(run: PartitionedRun, out: Path, engine: Engine, seconds: float, format: Format) -> None:
    data: dict[str, Any] = {
        "out": str(out),
        "records": run.records,
        "subjects": run.subjects,
        "partitions": run.job.partitions,
        "engine": engine.value,
        "seconds": round(seconds, 3),
        "records_per_second": round(run.records / seconds) if seconds else None,
        "policy": run.job.policy.ref(),
    }
    if format is Format.json:
        print_json(data)
        return
    from rich.table import Table

    table = Table(title="Batch scoring", show_header=False)
    for key, value in data.items():
        table.add_row(key.replace("_", " "), str(value if key != "policy" else f"{value['id']} {value['version']}"))
    stdout_console().print(table)


def register(app: typer.Typer) -> None:
    app.command("score")(score_command)
