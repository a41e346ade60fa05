"""Writing output files whole or not at all (mode 0600: reports and certificates hold personal data)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from socialcredit.errors import InvalidInput


def write_atomically(out: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary_path)`` next to ``out`` and move the result into place; on error leave nothing."""
    if out.is_dir():
        raise InvalidInput(f"--out {out}: is a directory; give a file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    try:
        write(Path(temporary))
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out
