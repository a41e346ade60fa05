"""``socialcredit cycle``: the monthly calendar, and ``close`` to publish a month's standings."""

from __future__ import annotations

import typer

from socialcredit.cli.output import Format, print_json, stderr_console

group = typer.Typer(help="The monthly cycle: collect, report, committee, publish.", no_args_is_help=True)


@group.command("calendar")
def calendar_command(
    month: str = typer.Option(..., "--month", help="YYYY-MM."),
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Show a month's dates (collect until, report on, committee and publication on).

    Example: socialcredit cycle calendar --month 2025-06
    """
    from socialcredit.platform.cycle.service import calendar
    from socialcredit.settings import load_settings

    dates = calendar(load_settings(), month)
    if format is Format.json:
        print_json(dates.as_json())
        return
    print(
        f"{dates.month}: collect until {dates.collect_until}, report on {dates.report_on}, "
        f"committee and publication on {dates.committee_on}"
    )


@group.command("close")
def close_command(
    month: str = typer.Option(..., "--month", help="YYYY-MM."),
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Publish the month's standings snapshot (as of the committee day, as known now); once per month.

    Example: socialcredit cycle close --month 2025-06
    """
    from rich.progress import Progress

    from socialcredit.cli.platform import database, operator
    from socialcredit.db.engine import transaction
    from socialcredit.platform.cycle.service import close
    from socialcredit.platform.handbooks.service import active_policy
    from socialcredit.settings import load_settings

    settings = load_settings()
    db = database()
    console = stderr_console()
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("standings", total=None)
        with transaction(db.sessions) as session:
            closure = close(
                session,
                actor=operator(),
                settings=settings,
                policy=active_policy(session),
                month=month,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    if format is Format.json:
        print_json(closure.as_json())
        return
    print(f"published {closure.month}: {closure.subjects} standings as of {closure.as_of}")


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="cycle")
