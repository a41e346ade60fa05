"""One record: one fact (or a correction, withdrawal, cure or repair of one) from one source."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

KINDS = ("fact", "correct", "withdraw", "cure", "repair")
STATUSES = ("pending", "confirmed", "rejected", "contested")
# Set only by the platform, never sent: a contested record whose source missed the objection deadline does not
# count until the source decides (explained as ``suspended-contested``).
SUSPENDED_STATUS = "suspended"
FIELDS = (
    "source", "id", "subject", "kind", "ref", "rule", "occurred_on", "recorded_at",
    "points", "reason", "document", "evidence", "status",
)  # fmt: skip
TEXT_FIELDS = ("source", "id", "subject", "kind", "ref", "rule", "reason", "document", "status")  # read as text


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """A content-addressed piece of evidence (photo, video, document)."""

    sha256: str
    media_type: str


@dataclass(frozen=True, slots=True)
class Record:
    """A record as the engines see it: typed, normalised, ``recorded_at`` time-zone aware.

    ``points`` are integer hundredths (only for discretionary rules). ``status`` is the status as
    known at the ``known_at`` being evaluated (the platform resolves status history before scoring).
    """

    source: str
    id: str
    subject: str
    occurred_on: date
    recorded_at: datetime
    kind: str = "fact"
    ref: str | None = None
    rule: str | None = None
    points: int | None = None
    reason: str | None = None
    document: str | None = None
    evidence: tuple[EvidenceRef, ...] = field(default=())
    status: str = "confirmed"

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.id)

    @property
    def target(self) -> tuple[str, str] | None:
        """The ``(source, id)`` of the fact this record acts on, for every kind but ``fact``."""
        return (self.source, self.ref) if self.ref is not None else None
