"""Evaluate every subject of a record file with the per-subject engine (``socialcredit evaluate``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from socialcredit.errors import IdentifierError, InvalidInput, UserError
from socialcredit.identity import parse_subject
from socialcredit.policy.model import Policy
from socialcredit.records.schema import Record
from socialcredit.records.validate import load_records
from socialcredit.scoring.engine import evaluate
from socialcredit.scoring.standing import Standing


def group_by_subject(records: list[Record]) -> dict[str, list[Record]]:
    """Records per subject (references were given their fact's subject during validation)."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        groups[record.subject].append(record)
    return groups


def evaluate_all(
    path: Path,
    policy: Policy,
    as_of: date,
    known_at: datetime | None = None,
    *,
    subject: str | None = None,
    consents: frozenset[str] = frozenset(),
) -> list[Standing]:
    """Standings sorted by subject: every subject in the file, or just ``subject``."""
    groups = group_by_subject(load_records(str(path), policy))
    subjects = [subject] if subject else sorted(groups)
    return [evaluate(groups.get(s, []), policy, as_of, known_at, consent=s in consents, subject=s) for s in subjects]


def consenting_subjects(path: Path | None) -> frozenset[str]:
    """Identifiers, one per line, of subjects who consented to scoring (``#`` starts a comment)."""
    if path is None:
        return frozenset()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"--consents: cannot read {path}: {error}") from None
    subjects, problems = set(), []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            subjects.add(parse_subject(text).id)
        except IdentifierError as error:
            problems.append(f"{path}:{number}: subject: {error.message}")
    if problems:
        raise InvalidInput(f"--consents: {len(problems)} bad identifiers in {path}", details=problems)
    return frozenset(subjects)
