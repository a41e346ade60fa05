"""Pure hashing for the audit log: unambiguous field encoding, row hashes, entry hashes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from socialcredit.db.base import iso_utc

GENESIS = "0" * 64


def encode(values: Iterable[Any]) -> bytes:
    """Values as a compact JSON array (unambiguous: strings, numbers and null differ); times in UTC."""
    return _ENCODER.encode(values if isinstance(values, list) else list(values)).encode()


def _plain(value: Any) -> str:
    """JSON for what JSON lacks: an aware datetime as fixed-width UTC, a date as ISO."""
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot hash a {type(value).__name__}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_plain)


def canonical_payload(payload: Mapping[str, Any] | None) -> str | None:
    """The stored form of an entry's payload: canonical JSON (sorted keys, no spaces)."""
    if payload is None:
        return None
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def payload_hash(payload: str | None, covered: Mapping[str, str]) -> str:
    """Hash of the payload text and of the covered rows (``table → hash of its row hashes``)."""
    items = [payload, *(f"{table}={digest}" for table, digest in sorted(covered.items()))]
    return hashlib.sha256(encode(items)).hexdigest()


def entry_hash(seq: int, at: datetime, actor: str, action: str, obj: str, payload_digest: str, prev: str) -> str:
    """The hash that chains entry ``seq`` to its predecessor."""
    return hashlib.sha256(encode((seq, at, actor, action, obj, payload_digest, prev))).hexdigest()


class RowDigest:
    """Running SHA-256 over rows (each encoded on its own line), in insertion (primary key) order."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.count = 0

    def add(self, values: Iterable[Any]) -> None:
        self.add_line(encode(values))

    def add_line(self, line: bytes) -> None:
        self._hash.update(line + b"\n")
        self.count += 1

    def add_lines(self, lines: bytes, count: int) -> None:
        """``count`` lines at once, each already ``\\n``-terminated (the same digest as one by one)."""
        self._hash.update(lines)
        self.count += count

    def add_row(self, row: Mapping[Any, Any], columns: Sequence[str]) -> None:
        self.add([row[name] for name in columns])

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
