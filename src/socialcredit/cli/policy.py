"""``socialcredit policy``: check and show handbooks."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from socialcredit.cli.output import Format, print_json, stdout_console
from socialcredit.errors import PolicyError

group = typer.Typer(help="Check, show and compare handbooks (policy files).", no_args_is_help=True)


@group.command("check")
def check(path: Path = typer.Argument(..., help="Handbook TOML file.")) -> None:
    """Validate a handbook: exit 0 when valid, else exit 2 with one line per problem on stderr.

    Example: socialcredit policy check policies/rongcheng.toml
    """
    from socialcredit.policy import load_policy

    try:
        policy = load_policy(path)
    except PolicyError as error:
        for line in error.details or [error.message]:
            print(f"{path}: {line}" if error.details else line, file=sys.stderr)
        raise typer.Exit(2) from None
    print(f"{path}: ok — {policy.id} {policy.version}, {len(policy.rules)} rules, sha256 {policy.hash}")


@group.command("show")
def show(
    path: Path = typer.Argument(..., help="Handbook TOML file."),
    format: Format = typer.Option(Format.table, "--format", help="table or json (canonical form)."),
) -> None:
    """Show a handbook: grades, rules with points and legal basis, lists and measures.

    Example: socialcredit policy show policies/rongcheng.toml --format json
    """
    from socialcredit.policy import load_policy

    policy = load_policy(path)
    if format is Format.json:
        print_json({**policy.model_dump(mode="json"), "hash": policy.hash})
        return
    from socialcredit.cli.policy_view import render_policy

    render_policy(policy, stdout_console())


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="policy")
