"""``POST /api/v1/evidence`` (multipart field ``file``) and ``GET /api/v1/evidence/{sha256}``."""

from __future__ import annotations

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from socialcredit.api.deps import Allowed, guard, reading, required, settings, unit
from socialcredit.errors import NotFound
from socialcredit.platform.evidence import service as evidence
from socialcredit.platform.evidence.schemas import EvidenceOut

router = APIRouter(tags=["evidence"])


@router.post("/evidence", response_model=EvidenceOut, **guard("evidence.upload"))
async def upload(request: Request, actor: Allowed, file: UploadFile) -> EvidenceOut:
    """Store a photo, video or document; its type is sniffed from its bytes. Answers its SHA-256."""
    who = required(actor)
    config = settings(request)

    def work() -> EvidenceOut:
        with unit(request) as session:
            stored = evidence.store(
                session,
                actor=who,
                stream=file.file,
                evidence_dir=config.evidence_dir,
                max_bytes=config.evidence_max_bytes,
            )
            return EvidenceOut(sha256=stored.sha256, media_type=stored.media_type, size=stored.size)

    return await run_in_threadpool(work)


@router.get("/evidence/{sha256}", response_class=FileResponse, **guard("evidence.read"))
def download(request: Request, actor: Allowed, sha256: str) -> FileResponse:
    """The stored file, with the media type sniffed at upload."""
    with reading(request) as session:
        stored = evidence.get(session, sha256=sha256)
    path = evidence.path_of(settings(request).evidence_dir, stored.sha256)
    if not path.exists():
        raise NotFound(f"evidence {stored.sha256} is registered but its file is missing from the store")
    return FileResponse(path, media_type=stored.media_type)
