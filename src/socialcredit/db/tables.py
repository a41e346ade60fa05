"""Every platform table, imported so that ``metadata`` is complete (migrations, tests)."""

from __future__ import annotations

from socialcredit.db.base import Base
from socialcredit.platform.audit.models import AuditEntry, AuditHead
from socialcredit.platform.checks.models import CheckLog, CheckState, CheckSubject
from socialcredit.platform.cycle.models import CycleClosure
from socialcredit.platform.evidence.models import EvidenceFile
from socialcredit.platform.handbooks.models import HandbookActivation, HandbookVersion
from socialcredit.platform.lists.models import ListChange, ListMember, ListVersion
from socialcredit.platform.records.models import RecordRow, RecordStatus
from socialcredit.platform.rights.models import (
    Notice,
    Objection,
    ObjectionOutcome,
    RepairApplication,
    RepairDecision,
    ShareCode,
    ShareEvent,
)
from socialcredit.platform.sources.models import Source, SourceRule
from socialcredit.platform.standings.models import CurrentStanding, StaleStanding, StandingSnapshot
from socialcredit.platform.subjects.models import Subject, SubjectAlias, SubjectConsent
from socialcredit.platform.users.models import ApiKey, User

metadata = Base.metadata

__all__ = [
    "ApiKey",
    "AuditEntry",
    "AuditHead",
    "CheckLog",
    "CheckState",
    "CheckSubject",
    "CurrentStanding",
    "CycleClosure",
    "EvidenceFile",
    "HandbookActivation",
    "HandbookVersion",
    "ListChange",
    "ListMember",
    "ListVersion",
    "Notice",
    "Objection",
    "ObjectionOutcome",
    "RecordRow",
    "RecordStatus",
    "RepairApplication",
    "RepairDecision",
    "ShareCode",
    "ShareEvent",
    "Source",
    "SourceRule",
    "StaleStanding",
    "StandingSnapshot",
    "Subject",
    "SubjectAlias",
    "SubjectConsent",
    "User",
    "metadata",
]
