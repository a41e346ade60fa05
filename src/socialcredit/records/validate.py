"""Check records against a handbook and against each other (DESIGN §6, §8 ingestion rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from socialcredit.errors import RecordError
from socialcredit.identity import parse_subject
from socialcredit.policy.model import Policy
from socialcredit.policy.money import format_cents
from socialcredit.records.files import RawRecord, read_raw_records
from socialcredit.records.parse import FieldError, RecordInvalid, parse_record
from socialcredit.records.schema import Record


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One problem with one record: where (file and line, or index), which field, why."""

    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"

    def as_dict(self) -> dict[str, object]:
        return {"index": self.line - 1, "field": self.field, "reason": self.reason}


def rule_problems(record: Record, policy: Policy, *, today: date | None = None) -> list[FieldError]:
    """Problems of one shape-valid record under the handbook (rule, source, points, document, dates)."""
    problems: list[FieldError] = []
    if today is not None and record.occurred_on > today:
        problems.append(("occurred_on", f"{record.occurred_on} is in the future"))
    if record.kind not in ("fact", "correct"):
        return problems
    rule = policy.rule(record.rule or "")
    if rule is None:
        return [*problems, ("rule", f"unknown rule {record.rule!r} in handbook {policy.id} {policy.version}")]
    if rule.sources is not None and record.source not in rule.sources:
        problems.append(
            ("source", f"source {record.source!r} may not report {rule.id} (allowed: {', '.join(rule.sources)})")
        )
    kind = parse_subject(record.subject).kind if record.subject else None
    if kind and rule.subjects and kind not in rule.subjects:
        problems.append(("subject", f"rule {rule.id} applies to {', '.join(rule.subjects)}, not to a {kind}"))
    problems += _points_problems(record, rule.points)
    if rule.requires_document and not record.document:
        problems.append(("document", f"rule {rule.id} needs the number of the legal document"))
    return problems


def _points_problems(record: Record, points: int | tuple[int, int]) -> list[FieldError]:
    if isinstance(points, tuple):
        low, high = points
        if record.points is None:
            return [
                (
                    "points",
                    f"required: rule {record.rule} is discretionary ({format_cents(low)} to {format_cents(high)})",
                )
            ]
        problems: list[FieldError] = []
        if not low <= record.points <= high:
            problems.append(
                ("points", f"{format_cents(record.points)} is outside [{format_cents(low)}, {format_cents(high)}]")
            )
        if not record.reason:
            problems.append(("reason", "required with discretionary points"))
        return problems
    if record.points is not None and record.points != points:
        return [
            ("points", f"rule {record.rule} has fixed points {format_cents(points)}; got {format_cents(record.points)}")
        ]
    return []


def load_records(path: str, policy: Policy, *, today: date | None = None) -> list[Record]:
    """Read and validate a record file; raise RecordError listing every problem (``FILE:LINE: field: reason``)."""
    return validate_raw(read_raw_records(path), policy, today=today)


def validate_raw(raws: Iterable[RawRecord], policy: Policy, *, today: date | None = None) -> list[Record]:
    """Validate raw records as one batch: each alone, then duplicates and references across the batch."""
    tz = ZoneInfo(policy.policy.timezone)
    kinds = tuple(policy.policy.subjects)
    problems: list[RecordProblem] = []
    placed: list[tuple[RawRecord, Record]] = []
    invalid_keys: set[tuple[str, str]] = set()
    for raw in raws:
        try:
            record = parse_record(raw.data, tz, allowed_kinds=kinds)
        except RecordInvalid as invalid:
            problems += [RecordProblem(raw.file, raw.line, name, why) for name, why in invalid.problems]
            invalid_keys.add(_raw_key(raw))
            continue
        problems += [RecordProblem(raw.file, raw.line, n, w) for n, w in rule_problems(record, policy, today=today)]
        placed.append((raw, record))
    records, cross = _resolve_batch(placed, invalid_keys)
    problems += cross
    if problems:
        problems.sort(key=lambda problem: (problem.file, problem.line))
        noun = "problem" if len(problems) == 1 else "problems"
        raise RecordError(f"{len(problems)} {noun} in records; nothing was read", details=[str(p) for p in problems])
    return records


def _raw_key(raw: RawRecord) -> tuple[str, str]:
    return (str(raw.data.get("source", "")).strip(), str(raw.data.get("id", "")).strip())


def _resolve_batch(
    placed: list[tuple[RawRecord, Record]], invalid_keys: set[tuple[str, str]]
) -> tuple[list[Record], list[RecordProblem]]:
    """Duplicate keys, references to facts of the same source, and subjects inherited from the fact.

    A reference to a record that is present but invalid is not reported again: its own problems say why.
    """
    problems: list[RecordProblem] = []
    by_key: dict[tuple[str, str], Record] = {}
    for raw, record in placed:
        if record.key in by_key:
            problems.append(
                RecordProblem(raw.file, raw.line, "id", f"duplicate (source, id) ({record.source}, {record.id})")
            )
        else:
            by_key[record.key] = record
    records: list[Record] = []
    for raw, record in placed:
        target = by_key.get(record.target) if record.target else None
        if target is None and record.target in invalid_keys:
            continue
        reason = reference_problem(record, target)
        if reason:
            problems.append(RecordProblem(raw.file, raw.line, *reason))
            continue
        if target is not None and not record.subject:
            record = _with_subject(record, target.subject)
        records.append(record)
    return records, problems


def reference_problem(record: Record, target: Record | None) -> FieldError | None:
    """Why ``record``'s ``ref`` is wrong, or None. ``target`` is the record it names, if it exists."""
    if record.kind == "fact":
        return None
    if target is None:
        return ("ref", f"no record {record.ref!r} of source {record.source!r}")
    if target.kind != "fact":
        return ("ref", f"record {record.ref!r} is a {target.kind}, not a fact")
    if record.subject and record.subject != target.subject:
        return ("subject", f"{record.subject} differs from the subject of record {record.ref!r}")
    return None


def _with_subject(record: Record, subject: str) -> Record:
    from dataclasses import replace

    return replace(record, subject=subject)
