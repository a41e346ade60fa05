"""Root of the ``socialcredit`` command: each area registers its commands from its own module.

Modules keep heavy imports (Polars, SQLAlchemy, FastAPI) inside their command functions so that
quick commands such as ``policy check`` start fast.
"""

from __future__ import annotations

import importlib
import pkgutil
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


def _command_modules() -> list[str]:
    """Every module of this package that defines ``register(app)``, in the order of ``--help`` (by name)."""
    package = importlib.import_module("socialcredit.cli")
    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__))
    return [f"socialcredit.cli.{name}" for name in names if name not in ("main", "output")]


for _name in _command_modules():
    _module = importlib.import_module(_name)
    if hasattr(_module, "register"):
        _module.register(app)


def run() -> None:
    """Entry point: user errors print their message on stderr and exit 2, never a traceback."""
    try:
        app()
    except SocialCreditError as error:
        lines = _detail_lines(error.details) or [f"error: {error.message}"]
        print("\n".join(lines), file=sys.stderr)
        sys.exit(2)


def _detail_lines(details: object) -> list[str]:
    """Problem lines (``FILE:LINE: field: reason``) when the details are text; structured details are for the API."""
    if isinstance(details, list) and all(isinstance(item, str) for item in details):
        return list(details)
    return []
