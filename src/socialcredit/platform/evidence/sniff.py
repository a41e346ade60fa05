"""Recognise the type of an evidence file from its first bytes (never from its name or a header)."""

from __future__ import annotations

ALLOWED = ("image/jpeg", "image/png", "image/webp", "video/mp4", "application/pdf")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
VIDEO_TYPES = ("video/mp4",)
HEAD_BYTES = 16


def sniff(head: bytes) -> str | None:
    """The media type the bytes start like, among :data:`ALLOWED`; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None
