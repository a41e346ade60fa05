"""Root of the ``socialcredit`` command: each area registers its commands from its own module.

Modules keep heavy imports (Polars, SQLAlchemy, FastAPI) inside their command functions so that
quick commands such as ``policy check`` start fast.
"""

from __future__ import annotations

import importlib
import sys

import typer

from socialcredit.errors import SocialCreditError

app = typer.Typer(
    name="socialcredit",
    help="An open, auditable social credit platform: handbooks, ledger, lists, checks and rights.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Each module defines ``register(app)``; order is the order of ``--help``.
COMMAND_MODULES = [
    "socialcredit.cli.policy",
    "socialcredit.cli.evaluate",
    "socialcredit.cli.demo",
    "socialcredit.cli.certificate",
    "socialcredit.cli.scorecard",
]

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def run() -> None:
    """Entry point: user errors print their message on stderr and exit 2, never a traceback."""
    try:
        app()
    except SocialCreditError as error:
        lines = _detail_lines(error.details) or [f"error: {error.message}"]
        print("\n".join(lines), file=sys.stderr)
        sys.exit(2)


def _detail_lines(details: object) -> list[str]:
    if isinstance(details, list):
        return [str(item) for item in details]
    return []
