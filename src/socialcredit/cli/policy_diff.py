"""``socialcredit policy diff``: what changed between two handbooks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from socialcredit.cli.output import Format, print_json, stdout_console
from socialcredit.cli.policy import group

if TYPE_CHECKING:
    from rich.console import Console

    from socialcredit.policy.diff import FieldChange, PolicyDiff, SectionDiff
    from socialcredit.policy.model import Policy


def diff_command(
    old: Path = typer.Argument(..., help="The current handbook (TOML)."),
    new: Path = typer.Argument(..., help="The proposed handbook (TOML)."),
    format: Format = typer.Option(Format.table, "--format", help="table (readable) or json (structured)."),
) -> None:
    """Compare two handbooks: header and scale, grade bands, rules, lists and measures added, removed, changed.

    Example: socialcredit policy diff policies/rongcheng.toml docs/simulate-candidate.toml --format json
    """
    from socialcredit.policy.diff import diff_policies

    result = diff_policies(load_handbook(old), load_handbook(new))
    if format is Format.json:
        print_json(result.as_json())
    else:
        render_diff(result, stdout_console())


def load_handbook(path: Path) -> Policy:
    """Load a handbook; when it is invalid, print its problems prefixed by the file and exit 2."""
    from socialcredit.errors import PolicyError
    from socialcredit.policy import load_policy

    try:
        return load_policy(path)
    except PolicyError as error:
        for line in error.details or [error.message]:
            print(f"{path}: {line}" if error.details else line, file=sys.stderr)
        raise typer.Exit(2) from None


def render_diff(result: PolicyDiff, console: Console) -> None:
    """The diff as readable text: ``+`` added, ``-`` removed, ``~`` changed (old → new)."""
    old, new = result.old, result.new
    console.print(
        f"[bold]{_esc(old['id'])} {_esc(old['version'])}[/bold] ({old['hash'][:12]}) → "
        f"[bold]{_esc(new['id'])} {_esc(new['version'])}[/bold] ({new['hash'][:12]})",
        highlight=False,
    )
    if result.identical:
        console.print("The handbooks are identical (same content hash).")
        return
    _fields(console, "Header", result.header)
    _fields(console, "Scale", result.scale)
    _bands(console, result)
    for name in ("rules", "lists", "measures"):
        _section(console, name.capitalize(), result.sections[name])
    _fields(console, "Synthetic rates", result.synth)


def _fields(console: Console, title: str, changes: tuple[FieldChange, ...]) -> None:
    if changes:
        console.print(f"\n[bold]{title}[/bold]")
        for change in changes:
            console.print(f"  [yellow]~[/yellow] {_change(change)}", highlight=False)


def _bands(console: Console, result: PolicyDiff) -> None:
    if result.grades.empty and not result.grade_order_changed:
        return
    console.print("\n[bold]Grades (bands, best first)[/bold]")
    old = {band["name"]: band["min"] for band in result.bands["old"]}
    new = {band["name"]: band["min"] for band in result.bands["new"]}
    for name in [*new, *(name for name in old if name not in new)]:
        if name not in old:
            console.print(f"  [green]+ {_esc(name)}[/green]: {_band(new[name])}", highlight=False)
        elif name not in new:
            console.print(f"  [red]- {_esc(name)}[/red]: was {_band(old[name])}", highlight=False)
        elif old[name] != new[name]:
            console.print(
                f"  [yellow]~[/yellow] {_esc(name)}: {_band(old[name])} → {_band(new[name])}", highlight=False
            )
        else:
            console.print(f"    {_esc(name)}: {_band(new[name])}", highlight=False)
    for change in result.grades.changed:
        for field in change.fields:
            if field.field != "min":
                console.print(f"  [yellow]~[/yellow] {_esc(change.id)}.{_change(field)}", highlight=False)
    if result.grade_order_changed:
        console.print("  [yellow]~ the order of the grades changed[/yellow]")


def _section(console: Console, title: str, section: SectionDiff) -> None:
    if section.empty:
        return
    counts = f"{len(section.added)} added, {len(section.removed)} removed, {len(section.changed)} changed"
    console.print(f"\n[bold]{title}[/bold]: {counts}")
    for item in section.added:
        console.print(f"  [green]+ {_esc(item['id'])}[/green] {_summary(item)}", highlight=False)
    for item in section.removed:
        console.print(f"  [red]- {_esc(item['id'])}[/red] {_summary(item)}", highlight=False)
    for change in section.changed:
        fields = "; ".join(_change(field) for field in change.fields)
        console.print(f"  [yellow]~ {_esc(change.id)}[/yellow]: {fields}", highlight=False)


def _band(minimum: str | None) -> str:
    return "below the others" if minimum is None else f"≥ {minimum}"


def _summary(item: dict[str, Any]) -> str:
    keys = ("title", "category", "severity", "points", "kind", "service", "effect")
    parts = [_show(item[key]) for key in keys if key in item]
    return _esc(", ".join(parts))


def _change(change: FieldChange) -> str:
    return _esc(f"{change.field}: {_show(change.old)} → {_show(change.new)}")


def _show(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def register(app: typer.Typer) -> None:
    """Adds ``diff`` to the ``policy`` group (registered by ``cli.policy``)."""
    group.command("diff")(diff_command)
