"""API shapes of evidence."""

from __future__ import annotations

from pydantic import BaseModel


class EvidenceOut(BaseModel):
    sha256: str
    media_type: str
    size: int
