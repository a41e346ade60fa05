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


standings_group = typer.Typer(
    help="Current standings (the cache behind lists, checks and pages).", no_args_is_help=True
)


@standings_group.command("refresh")
def refresh_command(
    everyone: bool = typer.Option(False, "--all", help="Recompute every subject, not only those queued."),
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Recompute the current standings queued by writes (or everyone's, with --all): as of today, as known now.

    Example: socialcredit standings refresh --all
    """
    from sqlalchemy import select

    from socialcredit.cli.platform import database
    from socialcredit.cli.records_import import progress_bar
    from socialcredit.db.engine import transaction
    from socialcredit.platform.flows import refresh_standings
    from socialcredit.platform.standings.service import mark_stale
    from socialcredit.platform.subjects.models import Subject

    db = database()
    if everyone:
        with transaction(db.sessions) as session:
            mark_stale(session, session.execute(select(Subject.national_id)).scalars())
    with progress_bar() as bar:
        task = bar.add_task("standings", total=None)
        done = refresh_standings(db.sessions, progress=lambda count: bar.update(task, completed=count))
    if format is Format.json:
        print_json({"refreshed": done})
    else:
        print(f"refreshed {done} standings")


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="cycle")
    app.add_typer(standings_group, name="standings")
