"""``socialcredit audit verify``: check the hash chain and every covered row; exit 1 when broken."""

from __future__ import annotations

import sys

import typer

from socialcredit.cli.output import Format, print_json

group = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@group.command("verify")
def verify_command(format: Format = typer.Option(Format.table, "--format", help="table or json.")) -> None:
    """Verify the audit log: exit 0 when intact, 1 naming the first broken entry.

    Example: socialcredit audit verify
    """
    from socialcredit.cli.platform import database
    from socialcredit.db.engine import transaction
    from socialcredit.platform.audit.verify import verify

    db = database()
    with transaction(db.readers) as session:
        verdict = verify(session)
    if format is Format.json:
        print_json(verdict.as_json())
    elif verdict.ok:
        print(f"audit log intact: {verdict.entries} entries")
    else:
        print(f"audit log broken at entry {verdict.broken_seq}: {verdict.reason}", file=sys.stderr)
    if not verdict.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="audit")
