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
    """Each value length-prefixed, so no two different tuples encode alike."""
    parts = []
    for value in values:
        text = _text(value)
        parts.append(f"{len(text)}:{text}" if text is not None else "-")
    return "|".join(parts).encode("utf-8")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def row_hash(row: Mapping[Any, Any], columns: Sequence[str]) -> str:
    """SHA-256 of a row's values in ``columns`` order."""
    return hashlib.sha256(encode(row.get(name) for name in columns)).hexdigest()


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
    """Running SHA-256 over row hashes, in insertion (primary key) order."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.count = 0

    def add(self, digest: str) -> None:
        self._hash.update(digest.encode("ascii"))
        self.count += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
