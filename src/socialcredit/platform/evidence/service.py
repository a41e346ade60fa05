"""Evidence services: store a file by the SHA-256 of its bytes, after checking its type and size."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import utcnow
from socialcredit.db.queries import among
from socialcredit.errors import InvalidInput, NotFound
from socialcredit.platform.audit import service as audit
from socialcredit.platform.evidence.models import EvidenceFile
from socialcredit.platform.evidence.sniff import ALLOWED, HEAD_BYTES, sniff

CHUNK = 1 << 20


def path_of(evidence_dir: Path, sha256: str) -> Path:
    """Where a file lives: ``<dir>/ab/cd/abcd…`` (content-addressed)."""
    return evidence_dir / sha256[:2] / sha256[2:4] / sha256


def store(session: Session, *, actor: Actor, stream: BinaryIO, evidence_dir: Path, max_bytes: int) -> EvidenceFile:
    """Store an upload; InvalidInput when it is empty, too large or not an allowed type. Re-uploads are no-ops."""
    evidence_dir.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=evidence_dir, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            sha256, size, head = _copy(stream, out, max_bytes)
        media_type = _check(head, size)
        existing = session.get(EvidenceFile, sha256)
        if existing is not None:
            return existing
        target = path_of(evidence_dir, sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
    finally:
        Path(temp).unlink(missing_ok=True)
    return _add_row(session, actor=actor, sha256=sha256, media_type=media_type, size=size)


def _copy(stream: BinaryIO, out: BinaryIO, max_bytes: int) -> tuple[str, int, bytes]:
    digest, size, head = hashlib.sha256(), 0, b""
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise InvalidInput(
                f"file: larger than the limit of {max_bytes} bytes",
                details=[{"field": "file", "reason": f"larger than {max_bytes} bytes"}],
            )
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest(), size, head


def _check(head: bytes, size: int) -> str:
    if size == 0:
        raise InvalidInput("file: empty upload", details=[{"field": "file", "reason": "empty"}])
    media_type = sniff(head)
    if media_type is None:
        allowed = ", ".join(ALLOWED)
        raise InvalidInput(
            f"file: not an allowed type (by its bytes); allowed: {allowed}",
            details=[{"field": "file", "reason": f"type not allowed; allowed: {allowed}"}],
        )
    return media_type


def _add_row(session: Session, *, actor: Actor, sha256: str, media_type: str, size: int) -> EvidenceFile:
    seq, now = audit.next_seq(session), utcnow()
    row = {
        "sha256": sha256,
        "media_type": media_type,
        "size": size,
        "uploaded_at": now,
        "uploaded_by": actor.id,
        "audit_seq": seq,
    }
    digest = audit.add_rows(session, EvidenceFile, [row])
    audit.append(
        session,
        seq=seq,
        actor=actor.id,
        action="evidence.upload",
        object=f"evidence:{sha256}",
        payload={"media_type": media_type, "size": size},
        covered={"evidence": digest},
        at=now,
    )
    return get(session, sha256=sha256)


def get(session: Session, *, sha256: str) -> EvidenceFile:
    found = session.get(EvidenceFile, sha256.lower())
    if found is None:
        raise NotFound(f"no evidence {sha256}")
    return found


def known(session: Session, hashes: set[str]) -> dict[str, str]:
    """``sha256 → media_type`` for the stored ones among ``hashes``."""
    if not hashes:
        return {}
    query = select(EvidenceFile.sha256, EvidenceFile.media_type).where(
        among(session, EvidenceFile.sha256, sorted(hashes))
    )
    return {sha: media for sha, media in session.execute(query)}
