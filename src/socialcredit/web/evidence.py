"""``/evidence/{sha256}``: an evidence file for the pages (thumbnails, the file itself).

Who may see it is ``access.decide(actor, "evidence.read", subject=…)``: staff roles by role, and a subject
for a file that backs one of its own records (the page finds whose records carry the file).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from socialcredit.api.deps import reading, settings
from socialcredit.db.base import utcnow
from socialcredit.errors import NotFound
from socialcredit.platform.evidence import service as evidence
from socialcredit.platform.records.service import records_of
from socialcredit.web.guard import actor_of, allow

router = APIRouter(include_in_schema=False)


def _owner(request: Request, sha256: str) -> str | None:
    """The subject asking, when one of its records carries the file (None otherwise)."""
    actor = actor_of(request)
    if actor is None or actor.subject is None:
        return None
    with reading(request) as session:
        mine = records_of(session, [actor.subject], known_at=utcnow()).get(actor.subject, [])
    return actor.subject if any(ref.sha256 == sha256 for record in mine for ref in record.evidence) else None


@router.get("/evidence/{sha256}")
def evidence_file(request: Request, sha256: str) -> FileResponse:
    sha = sha256.lower()
    allow(request, "evidence.read", subject=_owner(request, sha))
    with reading(request) as session:
        stored = evidence.get(session, sha256=sha)
    path = evidence.path_of(settings(request).evidence_dir, stored.sha256)
    if not path.exists():
        raise NotFound(f"evidence {stored.sha256} is registered but its file is missing")
    return FileResponse(path, media_type=stored.media_type, headers={"Cache-Control": "private, max-age=86400"})
