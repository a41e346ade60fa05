"""``socialcredit lists …``: list versions and the platform's clock-driven duties."""

from __future__ import annotations

import typer

from socialcredit.cli.output import Format, print_json

group = typer.Typer(help="Red and black lists: members at a version, changes, the daily refresh.", no_args_is_help=True)


@group.command("show")
def show_command(
    list_id: str = typer.Argument(..., metavar="LIST", help="List id from the active handbook."),
    version: int | None = typer.Option(None, "--version", help="List version (default: now)."),
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Show the members of a list at a version (subject, since, until, version that added them).

    Example: socialcredit lists show court-defaulters --version 12 --format json
    """
    from socialcredit.cli.platform import database
    from socialcredit.db.engine import transaction
    from socialcredit.platform.lists.service import members_at

    with transaction(database().readers) as session:
        answered, members = members_at(session, list_id=list_id, version=version)
    if format is Format.json:
        print_json({"list": list_id, "version": answered, "members": [m.as_json() for m in members]})
        return
    print(f"{list_id} at version {answered}: {len(members)} members")
    for member in members:
        print(f"  {member.subject}  since {member.since or '-'}  until {member.until or '-'}  (v{member.added_in})")


@group.command("refresh")
def refresh_command(
    all_subjects: bool = typer.Option(False, "--all", help="Recompute every subject (after a new handbook)."),
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Run the platform's clock: suspend records whose objection deadline passed undecided, and recompute the
    standings (so the lists) whose next change has come. `socialcredit serve` does this every minute; run it
    from cron when no server runs.

    Example: socialcredit lists refresh --format json
    """
    from socialcredit.cli.platform import database
    from socialcredit.db.engine import transaction
    from socialcredit.platform.lists.service import check_state
    from socialcredit.platform.rights.flows import run_duties

    db = database()
    if all_subjects:
        with transaction(db.sessions) as session:
            check_state(session, lock=True).policy_hash = None  # forces a full recompute
    done = run_duties(db)
    if format is Format.json:
        print_json(done)
    else:
        print(
            f"suspended {done['suspended']} record(s) past their objection deadline; "
            f"queued {done['queued']} and recomputed {done['recomputed']} standing(s)"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="lists")
