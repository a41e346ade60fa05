"""``/evidence/{sha256}``: an evidence file for the pages (thumbnails, the file itself).

Who may see it is ``access.decide(actor, "evidence.read", subject=…)``: staff roles by role, and a subject
for a file that backs one of its own records (the page finds whose records carry the file).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from socialcredit.api.deps import reading, settings
from socialcredit.db.base import utcnow
from socialcredit.errors import NotFound
from socialcredit.platform.evidence import service as evidence
from socialcredit.platform.records.service import records_of
from socialcredit.web.guard import actor_of, allow

router = APIRouter(include_in_schema=False)
THUMBS = ".thumbnails"
THUMB_SIZE = 192


def _owner(request: Request, sha256: str) -> str | None:
    """The subject asking, when one of its records carries the file (None otherwise)."""
    actor = actor_of(request)
    if actor is None or actor.subject is None:
        return None
    with reading(request) as session:
        mine = records_of(session, [actor.subject], known_at=utcnow()).get(actor.subject, [])
    return actor.subject if any(ref.sha256 == sha256 for record in mine for ref in record.evidence) else None


@router.get("/evidence/{sha256}")
def evidence_file(request: Request, sha256: str, thumb: bool = False) -> FileResponse:
    """The file, or (``?thumb=1``, photos only) a small JPEG of it for lists and queues."""
    sha = sha256.lower()
    allow(request, "evidence.read", subject=_owner(request, sha))
    with reading(request) as session:
        stored = evidence.get(session, sha256=sha)
    folder = settings(request).evidence_dir
    path = evidence.path_of(folder, stored.sha256)
    if not path.exists():
        raise NotFound(f"evidence {stored.sha256} is registered but its file is missing")
    headers = {"Cache-Control": "private, max-age=86400"}
    if thumb and stored.media_type.startswith("image/"):
        return FileResponse(
            thumbnail(path, folder / THUMBS / f"{stored.sha256}.jpg"), media_type="image/jpeg", headers=headers
        )
    return FileResponse(path, media_type=stored.media_type, headers=headers)


def thumbnail(source: Path, target: Path) -> Path:
    """A JPEG of at most ``THUMB_SIZE`` pixels a side, made once (a cache beside the store, never evidence);
    the file itself when it cannot be decoded."""
    if target.exists():
        return target
    from PIL import Image, ImageOps

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    try:
        with Image.open(source) as image:
            image.draft("RGB", (THUMB_SIZE * 2, THUMB_SIZE * 2))
            small = ImageOps.exif_transpose(image).convert("RGB")
            small.thumbnail((THUMB_SIZE, THUMB_SIZE))
            small.save(partial, "JPEG", quality=75)
    except (OSError, ValueError, Image.DecompressionBombError):
        partial.unlink(missing_ok=True)
        return source
    os.replace(partial, target)
    return target
