"""Platform set-up: ``init``, ``serve``, ``policy activate``, ``users add``, ``sources add``, ``keys add``.

The database is ``SOCIALCREDIT_DATABASE_URL`` (default ``sqlite:///./socialcredit.db``). Secrets (API keys,
generated passwords) are printed once, alone on stdout, so that scripts can capture them.
"""

from __future__ import annotations

import getpass
import os
import select
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from socialcredit.cli.output import Format, print_json, stderr_console

if TYPE_CHECKING:
    from socialcredit.access import Actor
    from socialcredit.db.connect import Database
    from socialcredit.settings import Settings

users_group = typer.Typer(help="People who log in (clerks, assessors, reviewers, subjects…).", no_args_is_help=True)
sources_group = typer.Typer(help="Data sources (agencies, assessor teams) that report records.", no_args_is_help=True)
keys_group = typer.Typer(help="API keys for machines (sources, relying parties…).", no_args_is_help=True)


def operator() -> Actor:
    """The person at the command line: an administrator, named after the operating-system user."""
    from socialcredit.access import Actor

    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = str(os.getuid()) if hasattr(os, "getuid") else "operator"
    return Actor("cli", name, "admin")


def database(*, migrate: bool = False) -> Database:
    """The database of the settings in the environment."""
    from socialcredit.db.connect import open_database
    from socialcredit.settings import load_settings

    return open_database(load_settings(), migrate=migrate)


def init() -> None:
    """Create the database, or migrate it to the latest schema; create the evidence directory.

    Example: SOCIALCREDIT_DATABASE_URL=sqlite:///./socialcredit.db socialcredit init
    """
    from socialcredit.db.engine import make_engine
    from socialcredit.db.migrate import upgrade
    from socialcredit.settings import load_settings

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    settings.evidence_dir.mkdir(parents=True, exist_ok=True)
    state = "up to date" if before == after else ("created" if before is None else f"migrated from {before}")
    print(f"database {engine.url.render_as_string(hide_password=True)}: {state} (revision {after})")


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="Server processes answering requests (at most one per core helps)."
    ),
    access_log: bool = typer.Option(
        True,
        "--access-log/--no-access-log",
        help="Print a line per request (the audit and check logs are kept either way).",
    ),
) -> None:
    """Run the HTTP API (and the login form); the database is created or migrated first.

    A worker process beside the server keeps the current standings in step with every write. With
    ``--workers N`` N processes share the port; each keeps its own check snapshot, switched within half a
    second of a write made by another.

    Example: socialcredit serve --host 0.0.0.0 --port 8000 --workers 2 --no-access-log
    """
    import multiprocessing
    import secrets

    import uvicorn

    from socialcredit.api.app import create_app, tune_for_serving
    from socialcredit.db.connect import open_database
    from socialcredit.settings import load_settings

    settings = load_settings()
    worker = multiprocessing.get_context("spawn").Process(target=standings_worker, args=(settings,), daemon=True)
    if workers == 1:
        app = tune_for_serving(create_app(settings, migrate=True, refresh="worker"))
        worker.start()
        try:
            uvicorn.run(app, host=host, port=port, log_level="info", access_log=access_log, server_header=False)
        finally:
            worker.terminate()
        return
    open_database(settings, migrate=True).dispose()  # migrate once, before the processes start
    if not settings.secret_key:  # one session secret for every process, so a login holds on all of them
        os.environ["SOCIALCREDIT_SECRET_KEY"] = secrets.token_urlsafe(32)
    worker.start()
    try:
        uvicorn.run(
            "socialcredit.api.app:served_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
            access_log=access_log,
            server_header=False,
        )
    finally:
        worker.terminate()


def standings_worker(settings: Settings, idle_seconds: float = 0.5) -> None:
    """Refresh queued standings until killed (the process ``serve`` starts)."""
    import logging
    import time

    from socialcredit.db.connect import open_database
    from socialcredit.db.engine import transaction
    from socialcredit.platform.flows import refresh_standings
    from socialcredit.platform.standings.service import stale_count

    log = logging.getLogger("socialcredit.standings")
    if hasattr(os, "nice"):
        os.nice(10)  # background work: requests come first, the refresh catches up between them
    db = open_database(settings)
    parent = os.getppid()
    while os.getppid() == parent:  # a server killed with -9 leaves no orphan refreshing behind it
        try:
            with transaction(db.readers) as session:  # look without taking the write lock
                waiting = stale_count(session)
            done = refresh_standings(db.sessions) if waiting else 0
        except Exception:  # keep refreshing: the next write queues its subjects again
            log.exception("refreshing standings failed")
            done = 0
        if not done:
            time.sleep(idle_seconds)


def activate(
    path: Path = typer.Argument(..., help="Handbook TOML file."),
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Make a handbook the active one on the platform (stored by content hash; audited).

    Example: socialcredit policy activate policies/rongcheng.toml
    """
    from socialcredit.db.engine import transaction
    from socialcredit.errors import PolicyError
    from socialcredit.platform.handbooks import service as handbooks

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(f"{path}: cannot read handbook: {error}") from None
    db = database()
    with transaction(db.sessions) as session:
        done = handbooks.activate(session, actor=operator(), text=text, origin=str(path))
    version = done.version
    if format is Format.json:
        print_json({"id": version.policy_id, "version": version.version, "hash": version.hash, "changed": done.changed})
    else:
        state = "activated" if done.changed else "already active"
        print(f"{state}: {version.policy_id} {version.version} (sha256 {version.hash})")


def read_password(timeout: float = 2.0) -> str | None:
    """The first line of stdin when some is piped in (waiting at most ``timeout``), else None."""
    if sys.stdin is None or sys.stdin.isatty():
        return None
    try:
        ready, _, _ = select.select([sys.stdin], [], [], timeout)
    except (OSError, ValueError):
        ready = [sys.stdin]
    if not ready:
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    return line or None


def add_user(
    name: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(..., "--role", help="admin, clerk, assessor, reviewer, auditor, subject, …"),
    subject: str | None = typer.Option(None, "--subject", help="National identifier (required for role subject)."),
    source: str | None = typer.Option(None, "--source", help="Source an assessor reports for."),
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Add a person. The password is read from stdin, or generated and printed once.

    Example: echo 'correct horse battery' | socialcredit users add alice --role reviewer
    """
    from socialcredit.db.engine import transaction
    from socialcredit.platform.users import credentials
    from socialcredit.platform.users import service as users

    given = read_password()
    password = given or credentials.new_password()
    db = database()
    with transaction(db.sessions) as session:
        user = users.create_user(
            session, actor=operator(), name=name, role=role, password=password, subject=subject, source=source
        )
    shown = None if given else password
    if format is Format.json:
        print_json({"user": user.name, "role": user.role, "subject": user.subject, "password": shown})
        return
    stderr_console().print(f"added user {user.name} ({user.role})")
    if shown:
        stderr_console().print("generated password (shown once):")
        print(shown)


def add_source(
    source_id: str = typer.Argument(..., metavar="ID", help="Source id, e.g. traffic-police."),
    name: str | None = typer.Option(None, "--name", help="Human-readable name."),
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Register a data source and print its API key once (the rules it may report come from the handbook).

    Example: socialcredit sources add traffic-police --name "Traffic police" --format json
    """
    from socialcredit.db.engine import transaction
    from socialcredit.platform.handbooks.service import active_version, policy_of
    from socialcredit.platform.sources import service as sources
    from socialcredit.platform.users import service as users

    db = database()
    with transaction(db.sessions) as session:
        version = active_version(session)
        policy = policy_of(version) if version else None
        source = sources.add(session, actor=operator(), source_id=source_id, name=name, policy=policy)
        rules = sources.allowed_rules(policy, source.id) if policy else []
        new = users.create_key(session, actor=operator(), name=f"source:{source.id}", role="source", source=source.id)
    if format is Format.json:
        print_json({"source": source.id, "rules": rules, "api_key": new.token})
        return
    stderr_console().print(f"added source {source.id}; may report: {', '.join(rules) or '(no handbook active)'}")
    stderr_console().print("API key (shown once):")
    print(new.token)


def add_key(
    name: str = typer.Argument(..., help="Key name (for a source key: the source id)."),
    role: str = typer.Option(..., "--role", help="source, relying-party, reviewer, clerk, auditor, admin, assessor."),
    services: str | None = typer.Option(None, "--services", help="Comma-separated services a relying party checks."),
    source: str | None = typer.Option(
        None, "--source", help="Source the key reports for (default for role source: NAME)."
    ),
    format: Format = typer.Option(Format.table, "--format", help='table, or json: {"api_key": …}.'),
) -> None:
    """Create an API key and print it once.

    Example: socialcredit keys add airline --role relying-party --services air-travel --format json
    """
    from socialcredit.db.engine import transaction
    from socialcredit.platform.users import service as users

    wanted = tuple(part.strip() for part in (services or "").split(",") if part.strip())
    db = database()
    with transaction(db.sessions) as session:
        new = users.create_key(session, actor=operator(), name=name, role=role, services=wanted, source=source)
    if format is Format.json:
        print_json({"api_key": new.token, "name": new.key.name, "role": new.key.role, "source": new.key.source})
        return
    stderr_console().print(f"added key {new.key.name} ({new.key.role}); API key (shown once):")
    print(new.token)


def revoke_key(
    name: str = typer.Argument(..., help="Key name."),
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Revoke an API key: it stops working at once (audited).

    Example: socialcredit keys revoke airline
    """
    from socialcredit.db.engine import transaction
    from socialcredit.platform.users import service as users

    db = database()
    with transaction(db.sessions) as session:
        key = users.revoke_key(session, actor=operator(), name=name)
    if format is Format.json:
        print_json({"name": key.name, "revoked_at": key.revoked_at})
    else:
        print(f"revoked key {key.name}")


def register(app: typer.Typer) -> None:
    from socialcredit.cli.policy import group as policy_group

    app.command("init")(init)
    app.command("serve")(serve)
    policy_group.command("activate")(activate)
    users_group.command("add")(add_user)
    sources_group.command("add")(add_source)
    keys_group.command("add")(add_key)
    keys_group.command("revoke")(revoke_key)
    app.add_typer(users_group, name="users")
    app.add_typer(sources_group, name="sources")
    app.add_typer(keys_group, name="keys")
