"""Check a batch of incoming records against the active handbook and the platform, then write it.

Each record is validated by the core validator (:func:`socialcredit.records.parse.parse_record`,
:func:`socialcredit.records.validate.rule_problems`, ``reference_problem``); this module adds what only
the platform knows: the sender's source, earlier records (duplicates, conflicts, references) and
uploaded evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.errors import Conflict, RecordError
from socialcredit.platform.evidence.service import known as known_evidence
from socialcredit.platform.records import lookup
from socialcredit.platform.records.lookup import Key
from socialcredit.platform.records.store import build_row, content_hash
from socialcredit.policy.model import Policy
from socialcredit.records.parse import RecordInvalid, parse_record
from socialcredit.records.schema import Record
from socialcredit.records.validate import reference_problem, rule_problems


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of one incoming record: its position (index or line), its id if known, field and reason."""

    position: int
    field: str
    reason: str
    id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"index": self.position, "id": self.id, "field": self.field, "reason": self.reason}


@dataclass(slots=True)
class Checked:
    """A checked batch: the records to write (with their status), duplicates, problems and conflicts."""

    accepted: list[tuple[Record, str]] = field(default_factory=list)
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Intake:
    """Who sends, under which handbook, and what the platform keeps from the sender."""

    policy: Policy
    actor: Actor
    source: str | None
    keep_recorded_at: bool
    now: datetime
    today: date


def check_batch(
    session: Session, intake: Intake, items: Sequence[tuple[int, Any]], unwritten: Mapping[Key, Record] | None = None
) -> Checked:
    """Validate ``(position, data)`` items; nothing is written.

    ``unwritten``: records already checked in this transaction but not written (a file import that goes on
    checking after a problem), so that references to them and repeats of them are recognised.
    """
    checked = Checked()
    earlier = unwritten or {}
    parsed = _parse_all(intake, items, checked.problems)
    parsed = _check_sources(session, parsed, checked.problems)
    parsed = _drop_repeats(parsed, checked)
    parsed = _resolve_references(session, parsed, checked.problems, earlier)
    parsed = _check_evidence(session, parsed, checked.problems)
    existing = lookup.content_hashes(session, [record.key for _, record in parsed])
    existing.update((key, content_hash(earlier[key])) for _, record in parsed if (key := record.key) in earlier)
    for position, record in parsed:
        stored = existing.get(record.key)
        if stored is None:
            checked.accepted.append((record, _status(record, intake)))
        elif stored == content_hash(record):
            checked.duplicates += 1
        else:
            reason = f"({record.source}, {record.id}) was already recorded with different content"
            checked.conflicts.append(Problem(position, "id", reason, record.id))
    checked.problems.sort(key=lambda problem: problem.position)
    return checked


def _parse_all(intake: Intake, items: Sequence[tuple[int, Any]], problems: list[Problem]) -> list[tuple[int, Record]]:
    tz = ZoneInfo(intake.policy.policy.timezone)
    kinds = tuple(intake.policy.policy.subjects)
    parsed = []
    for position, data in items:
        found = _own_problems(intake, data)
        record = None
        if not found:
            try:
                record = parse_record(_platform_view(intake, data), tz, allowed_kinds=kinds)
                found = rule_problems(record, intake.policy, today=intake.today)
            except RecordInvalid as invalid:
                found = invalid.problems
        if record is not None and intake.keep_recorded_at and record.recorded_at > intake.now:
            found = [*found, ("recorded_at", f"{record.recorded_at.isoformat()} is in the future")]
        ident = str(data.get("id")) if isinstance(data, dict) and data.get("id") is not None else None
        problems += [Problem(position, name, reason, ident) for name, reason in found]
        if record is not None and not found:
            parsed.append((position, record))
    return parsed


def _own_problems(intake: Intake, data: Any) -> list[tuple[str, str]]:
    if not isinstance(data, dict):
        return [("record", "must be a JSON object")]
    sent = data.get("source")
    if intake.source is not None and sent not in (None, "", intake.source):
        return [("source", f"this sender reports for source {intake.source!r}, not {sent!r}")]
    return []


def _platform_view(intake: Intake, data: dict[str, Any]) -> dict[str, Any]:
    """The record with the sender's source filled in; ``recorded_at`` and ``status`` are the platform's."""
    view = dict(data)
    if intake.source is not None:
        view["source"] = intake.source
    if not intake.keep_recorded_at:
        view.pop("status", None)
        view["recorded_at"] = intake.now
    return view


def _check_sources(
    session: Session, parsed: list[tuple[int, Record]], problems: list[Problem]
) -> list[tuple[int, Record]]:
    known = lookup.sources(session, {record.source for _, record in parsed})
    kept = []
    for position, record in parsed:
        if record.source in known:
            kept.append((position, record))
        else:
            reason = f"unknown source {record.source!r}; register it with `socialcredit sources add`"
            problems.append(Problem(position, "source", reason, record.id))
    return kept


def _drop_repeats(parsed: list[tuple[int, Record]], checked: Checked) -> list[tuple[int, Record]]:
    """The same key twice in one batch: a duplicate when identical, else a problem."""
    first: dict[tuple[str, str], Record] = {}
    kept = []
    for position, record in parsed:
        earlier = first.get(record.key)
        if earlier is None:
            first[record.key] = record
            kept.append((position, record))
        elif content_hash(earlier) == content_hash(record):
            checked.duplicates += 1
        else:
            reason = f"({record.source}, {record.id}) appears earlier in this batch with different content"
            checked.problems.append(Problem(position, "id", reason, record.id))
    return kept


def _resolve_references(
    session: Session, parsed: list[tuple[int, Record]], problems: list[Problem], earlier: Mapping[Key, Record]
) -> list[tuple[int, Record]]:
    """Corrections, withdrawals, cures and repairs must name a fact of their source (here or stored)."""
    facts = {**earlier, **{record.key: record for _, record in parsed if record.kind == "fact"}}
    wanted = [record.target for _, record in parsed if record.target and record.target not in facts]
    stored = lookup.targets(session, [key for key in wanted if key is not None])
    kept = []
    for position, record in parsed:
        if record.target is None:
            kept.append((position, record))
            continue
        target = facts.get(record.target) or stored.get(record.target)
        reason = reference_problem(record, target)
        if reason:
            problems.append(Problem(position, reason[0], reason[1], record.id))
            continue
        if target is not None and not record.subject:
            record = replace(record, subject=target.subject)
        kept.append((position, record))
    return kept


def _check_evidence(
    session: Session, parsed: list[tuple[int, Record]], problems: list[Problem]
) -> list[tuple[int, Record]]:
    """Evidence must have been uploaded, and be of the type it claims."""
    stored = known_evidence(session, {ref.sha256 for _, record in parsed for ref in record.evidence})
    kept = []
    for position, record in parsed:
        found = []
        for ref in record.evidence:
            media = stored.get(ref.sha256)
            if media is None:
                found.append(f"{ref.sha256} was not uploaded (POST /api/v1/evidence first)")
            elif media != ref.media_type:
                found.append(f"{ref.sha256} is {media}, not {ref.media_type}")
        problems += [Problem(position, "evidence", reason, record.id) for reason in found]
        if not found:
            kept.append((position, record))
    return kept


def _status(record: Record, intake: Intake) -> str:
    """``pending`` for facts of rules under review, else ``confirmed`` (history keeps its own status)."""
    if intake.keep_recorded_at:
        return record.status
    rule = intake.policy.rules_by_id.get(record.rule or "") if record.kind == "fact" else None
    return "pending" if rule is not None and rule.review else "confirmed"


def raise_for(checked: Checked, *, partial: bool) -> None:
    """422 listing every bad record (unless partial), 409 listing conflicting ids."""
    if checked.problems and not partial:
        noun = "problem" if len(checked.problems) == 1 else "problems"
        raise RecordError(
            f"{len(checked.problems)} {noun} in the batch; nothing was written",
            details=[problem.as_json() for problem in checked.problems],
        )
    if checked.conflicts and not partial:
        ids = [problem.id for problem in checked.conflicts]
        raise Conflict(
            f"{len(ids)} record(s) were already recorded with different content; nothing was written",
            details={"ids": ids, "records": [problem.as_json() for problem in checked.conflicts]},
        )


def rows_of(checked: Checked, intake: Intake, seq: int) -> list[tuple[dict[str, Any], bytes]]:
    """The rows to insert, stamped with the platform's ``recorded_at`` (or the kept one) and ``audit_seq``."""
    return [
        build_row(record, status=status, audit_seq=seq, reported_by=intake.actor.id)
        for record, status in checked.accepted
    ]
