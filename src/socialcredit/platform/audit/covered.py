"""The append-only tables whose rows the audit log covers (each row carries its entry's ``audit_seq``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Table

from socialcredit.db.base import table_of
from socialcredit.platform.checks.models import CheckLog
from socialcredit.platform.cycle.models import CycleClosure
from socialcredit.platform.evidence.models import EvidenceFile
from socialcredit.platform.handbooks.models import HandbookActivation
from socialcredit.platform.lists.models import ListChange, ListVersion
from socialcredit.platform.records.models import RecordRow, RecordStatus
from socialcredit.platform.records.store import record_line
from socialcredit.platform.rights.models import (
    Notice,
    Objection,
    ObjectionOutcome,
    RepairApplication,
    RepairDecision,
    ShareCode,
    ShareEvent,
)
from socialcredit.platform.standings.models import StandingSnapshot
from socialcredit.platform.subjects.models import SubjectConsent


def covered_tables() -> list[Table]:
    """Every covered table, in a fixed order."""
    models = (RecordRow, RecordStatus, EvidenceFile, HandbookActivation, SubjectConsent, StandingSnapshot, CycleClosure)
    return [table_of(model) for model in (*models, *RIGHTS_TABLES)]


# Lists, checks and rights (their own modules), covered the same way.
RIGHTS_TABLES = (
    ListVersion,
    ListChange,
    CheckLog,
    Notice,
    Objection,
    ObjectionOutcome,
    RepairApplication,
    RepairDecision,
    ShareCode,
    ShareEvent,
)


def line_of(table: Table) -> Callable[[Mapping[Any, Any]], bytes] | None:
    """How a covered table's rows enter the digest when not as their plain columns (records: see ``record_line``)."""
    return record_line if table.name == "records" else None
