"""Output helpers shared by the CLI modules: JSON lines on stdout, Rich on stderr."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Any

from rich.console import Console


class Format(StrEnum):
    """Output format of data commands."""

    table = "table"
    json = "json"


def stdout_console() -> Console:
    return Console(soft_wrap=True)


def stderr_console() -> Console:
    return Console(stderr=True)


def print_json(data: Any) -> None:
    """One compact JSON document on one line (JSON Lines when called repeatedly)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")
