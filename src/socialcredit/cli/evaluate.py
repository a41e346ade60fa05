"""``socialcredit evaluate``: standings of every subject in a record file (per-subject engine)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer

from socialcredit.cli.output import Format, print_json, stdout_console
from socialcredit.errors import PolicyError, RecordError


def evaluate_command(
    policy: Path = typer.Option(..., "--policy", help="Handbook TOML file."),
    records: Path = typer.Option(..., "--records", help="Records: .jsonl, .csv, .parquet or a directory of Parquet."),
    as_of: str = typer.Option(..., "--as-of", help="Date of the standing (YYYY-MM-DD)."),
    known_at: str | None = typer.Option(
        None,
        "--known-at",
        help="Only what was recorded by then (ISO date-time; a date means its end). Default: end of --as-of.",
    ),
    subject: str | None = typer.Option(None, "--subject", help="Only this national identifier."),
    consents: Path | None = typer.Option(
        None,
        "--consents",
        help="File of identifiers (one per line) who consented to scoring, for handbooks that require it.",
    ),
    format: Format = typer.Option(Format.table, "--format", help="table, or json: one standing per line."),
) -> None:
    """Evaluate standings (points, grade, lists, measures, explanation) from a record file.

    Example: socialcredit evaluate --policy policies/rongcheng.toml --records examples/rongcheng-sample.jsonl
    --as-of 2025-06-30 --format json
    """
    from socialcredit.identity import parse_subject
    from socialcredit.policy import load_policy
    from socialcredit.scoring.batch_io import consenting_subjects, evaluate_all
    from socialcredit.scoring.moments import parse_as_of, parse_known_at

    try:
        handbook = load_policy(policy)
    except PolicyError as error:
        _fail([f"{policy}: {line}" for line in error.details] if error.details else [error.message])
    day = parse_as_of(as_of)
    known = parse_known_at(known_at, handbook) if known_at else None
    only = parse_subject(subject).id if subject else None
    try:
        standings = evaluate_all(records, handbook, day, known, subject=only, consents=consenting_subjects(consents))
    except RecordError as error:
        _fail(error.details or [error.message])
    if format is Format.json:
        for standing in standings:
            print_json(standing.as_json())
    else:
        from socialcredit.cli.standing_view import render_standings

        render_standings(standings, stdout_console(), explain=only is not None, policy=handbook)


def _fail(lines: list[str]) -> NoReturn:
    """One line per problem on stderr, nothing on stdout, exit status 2."""
    for line in lines:
        print(line, file=sys.stderr)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_command)
