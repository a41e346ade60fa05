"""File import (``socialcredit import``): stream a record file in chunks into one atomic transaction.

Every chunk is checked like an API batch; while the file is clean each chunk is written (COPY on
PostgreSQL) under its own audit entry. Checking goes on after a problem so that one run reports them all;
then the caller's transaction rolls back and nothing is written. Standings are recomputed at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.errors import RecordError
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.records.ingest import Intake, check_batch
from socialcredit.platform.records.lookup import Key
from socialcredit.platform.records.service import intake_for, write_batch
from socialcredit.platform.sources.service import get as get_source
from socialcredit.platform.standings.service import recompute
from socialcredit.records.files import RawRecord, read_raw_records
from socialcredit.records.schema import Record

Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class ImportResult:
    accepted: int
    duplicates: int
    subjects: int

    def as_json(self) -> dict[str, int]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "subjects": self.subjects}


def _chunks(raws: Iterable[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    iterator = iter(raws)
    while chunk := list(islice(iterator, size)):
        yield chunk


def import_file(
    session: Session,
    *,
    actor: Actor,
    path: Path,
    source: str,
    keep_recorded_at: bool = False,
    chunk_size: int = 50_000,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``path`` for ``source``; RecordError listing ``FILE:LINE: field: reason`` when anything is bad."""
    get_source(session, source_id=source)
    policy = active_policy(session)
    intake = intake_for(policy, actor=actor, source=source, keep_recorded_at=keep_recorded_at)
    problems: list[str] = []
    accepted = duplicates = 0
    subjects: set[str] = set()
    unwritten: dict[Key, Record] = {}
    for chunk in _chunks(read_raw_records(path), chunk_size):
        found = _load_chunk(session, intake, chunk, unwritten=unwritten, clean=not problems)
        problems += found.problems
        accepted, duplicates = accepted + found.accepted, duplicates + found.duplicates
        subjects |= found.subjects
        if progress:
            progress("records", len(chunk))
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise RecordError(f"{len(problems)} {noun} in {path}; nothing was imported", details=problems)
    recompute(
        session,
        subjects=subjects,
        policy=policy,
        now=intake.now,
        progress=(lambda done: progress("standings", done)) if progress else None,
    )
    return ImportResult(accepted, duplicates, len(subjects))


@dataclass(frozen=True, slots=True)
class _Chunk:
    accepted: int
    duplicates: int
    problems: list[str]
    subjects: frozenset[str]


def _load_chunk(
    session: Session, intake: Intake, chunk: list[RawRecord], *, unwritten: dict[Key, Record], clean: bool
) -> _Chunk:
    """Check a chunk; write it while the file is clean, else only remember its good records."""
    checked = check_batch(session, intake, list(enumerate(raw.data for raw in chunk)), unwritten)
    problems = [
        f"{chunk[problem.position].file}:{chunk[problem.position].line}: {problem.field}: {problem.reason}"
        for problem in sorted(checked.problems + checked.conflicts, key=lambda problem: problem.position)
    ]
    if problems or not clean:
        unwritten.update((record.key, record) for record, _ in checked.accepted)
        return _Chunk(0, checked.duplicates, problems, frozenset())
    note = {"file": Path(chunk[0].file).name, "lines": [chunk[0].line, chunk[-1].line]}
    subjects = write_batch(session, intake, checked, note=note)
    return _Chunk(len(checked.accepted), checked.duplicates, [], subjects)
