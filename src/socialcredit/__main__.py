"""``python -m socialcredit`` runs the command line."""

from socialcredit.cli.main import run

run()
