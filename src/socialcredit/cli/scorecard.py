"""``socialcredit scorecard``: train a behavioural credit scorecard (350–950) and score applicants with it."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import typer

from socialcredit.cli.output import Format, print_json, stderr_console, stdout_console
from socialcredit.errors import UserError

group = typer.Typer(
    help="Behavioural credit scorecard: 350–950 with reason codes, trained on applicants' outcomes.",
    no_args_is_help=True,
)


@group.command("train")
def train_command(
    data: Path = typer.Option(..., "--data", help="Applicants with their outcome: .csv, .parquet or .jsonl."),
    target: str = typer.Option(..., "--target", help="Outcome column (values --good / --bad)."),
    categories: Path = typer.Option(..., "--categories", help="Flat TOML table: every feature column = its category."),
    out: Path = typer.Option(..., "--out", help="Where to write the frozen scorecard (JSON)."),
    exclude: str = typer.Option("", "--exclude", help="Columns to drop first, comma-separated."),
    card: Path | None = typer.Option(None, "--card", help="Model card path. Default: next to --out, as NAME.card.md."),
    model_id: str | None = typer.Option(None, "--id", help="Model id recorded in the file. Default: the --out stem."),
    model_version: str = typer.Option("1", "--model-version", help="Model version recorded in the file."),
    seed: int = typer.Option(0, "--seed", help="Seed of the repeated holdout splits."),
    repeats: int = typer.Option(30, "--repeats", help="Random 70/30 stratified splits to measure on."),
    good: str = typer.Option("good", "--good", help="Outcome value of applicants who repaid."),
    bad: str = typer.Option("bad", "--bad", help="Outcome value of applicants who defaulted."),
    base_points: float = typer.Option(600, "--base-points", help="Score at the base odds."),
    base_odds: float = typer.Option(19, "--base-odds", help="Good:bad odds that score --base-points."),
    pdo: float = typer.Option(50, "--pdo", help="Points to double the odds."),
    note: list[str] = typer.Option([], "--note", help="A line for the model card's data section (repeatable)."),
    removed: list[str] = typer.Option(
        [], "--removed", help="COLUMN=WHY: a column cut from the data before training, listed in the card (repeatable)."
    ),
    format: Format = typer.Option(Format.table, "--format", help="table, or json: one summary object."),
) -> None:
    """Train: optimal monotonic bins, logistic regression, points scaled to 350–950; write model and card.

    Refuses features in refused categories or with protected names, and features without a category.

    Example: socialcredit scorecard train --data data/german-credit.csv --target creditability
    --categories data/german-credit.categories.toml --out model.json
    """
    if out.suffix.lower() != ".json":
        raise UserError(f"--out: {out} should end in .json (the scorecard is a JSON file)")
    from rich.progress import Progress

    from socialcredit.scorecard.card import render_card
    from socialcredit.scorecard.scaling import Scaling
    from socialcredit.scorecard.train import TrainRequest, train

    request = TrainRequest(
        data=data,
        target=target,
        categories=categories,
        model_id=model_id or out.stem,
        version=model_version,
        exclude=[name.strip() for name in exclude.split(",") if name.strip()],
        good=good,
        bad=bad,
        seed=seed,
        repeats=repeats,
        notes=list(note),
        removed=_pairs(removed, "--removed"),
        scaling=Scaling(base_points=base_points, base_odds=base_odds, pdo=pdo),
    )
    with Progress(console=stderr_console(), transient=True) as progress:
        task = progress.add_task(f"{repeats} holdout splits", total=repeats)
        spec = train(request, step=lambda: progress.advance(task))
    card_path = card or out.with_suffix(".card.md")
    _write(out, json.dumps(spec.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n")
    _write(card_path, render_card(spec))
    _report(spec, out, card_path, format)


@group.command("score")
def score_command(
    model: Path = typer.Option(..., "--model", help="Scorecard JSON written by 'scorecard train'."),
    data: Path = typer.Option(..., "--data", help="Applicants: .csv, .parquet or .jsonl (extra columns are ignored)."),
    id_column: str | None = typer.Option(None, "--id", help="Column to echo as 'id' in the output."),
    format: Format = typer.Option(Format.table, "--format", help="table, or json: one object per input row."),
) -> None:
    """Score applicants: score, band, top four reason codes and the smallest change to the next band.

    Example: socialcredit scorecard score --model models/german-credit.json
    --data data/german-credit.csv --format json
    """
    from socialcredit.scorecard.explain import explain_rows
    from socialcredit.scorecard.model import Scorecard
    from socialcredit.scorecard.table import invalid, read_table

    card = Scorecard.load(model)
    frame = read_table(data)
    if id_column is not None and id_column not in frame.columns:
        raise invalid(f"{data}: --id column {id_column!r} is missing")
    scored = card.score_index(card.encode_frame(frame, str(data)))
    ids = frame[id_column].to_list() if id_column else None
    rows = explain_rows(card, scored, frame)
    if format is Format.json:
        for i, row in enumerate(rows):
            print_json({"row": i + 1, **({"id": ids[i]} if ids else {}), **row.model_dump(mode="json")})
        return
    _score_table(card, rows, ids)


def _score_table(card: Any, rows: Any, ids: list[Any] | None) -> None:
    from rich.table import Table

    table = Table("row", *(["id"] if ids else []), "score", "band", "reasons: code (points lost)", "to the next band")
    for i, row in enumerate(rows):
        reasons = ", ".join(f"{r.code} ({r.points_lost})" for r in row.reasons) or "–"
        table.add_row(str(i + 1), *([str(ids[i])] if ids else []), str(row.score), row.band, reasons, _way(row))
    console = stdout_console()
    console.print(table)
    console.print("codes: " + ", ".join(f"{t.spec.reason_code} {t.spec.name}" for t in card.tables))


def _way(row: Any) -> str:
    step = row.next_band
    if step is None:
        return "– (top band)"
    if not step.reachable:
        return f"{step.band}: out of reach"
    moves = ", ".join(f"{c.code} → {c.target_bin} (+{c.points_gained})" for c in step.changes)
    return f"{step.band}: {moves}"


def _pairs(items: list[str], option: str) -> dict[str, str]:
    """``NAME=TEXT`` options as a dict; anything else is an error naming the option."""
    pairs = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name.strip() or not text.strip():
            raise UserError(f"{option}: expected COLUMN=WHY, got {item!r}")
        pairs[name.strip()] = text.strip()
    return pairs


def _write(path: Path, text: str) -> None:
    """Write via a temporary file in the same directory, so a failure leaves the old file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # mkstemp makes it private; the result is an ordinary file
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _report(spec: Any, out: Path, card_path: Path, format: Format) -> None:
    e = spec.evaluation
    if format is Format.json:
        print_json(
            {
                "model": str(out),
                "card": str(card_path),
                "characteristics": [c.name for c in spec.characteristics],
                "excluded": spec.excluded,
                **{name: e[name] for name in ("auc", "gini", "ks", "psi")},
            }
        )
        return
    auc = e["auc"]
    console = stdout_console()
    console.print(f"wrote {out} and {card_path}: {len(spec.characteristics)} characteristics")
    console.print(
        f"holdout AUC {auc['mean']:.3f} ± {auc['sd']:.3f} over {e['repeats']} splits "
        f"(95% of splits {auc['range_95'][0]:.3f}–{auc['range_95'][1]:.3f}); "
        f"KS {e['ks']['mean']:.3f}, PSI {e['psi']['mean']:.3f}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="scorecard")
