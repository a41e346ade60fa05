"""File import (``socialcredit import``): stream a record file in chunks into one atomic transaction.

Every chunk is checked like an API batch; while the file is clean each chunk is written (COPY on
PostgreSQL, while the next chunk is checked), and one audit entry covers every row of the file. Checking
goes on after a problem so that one run reports them all; then the caller's transaction rolls back and
nothing is written. The subjects are queued for a standings refresh (``flows.refresh_standings``, after the commit).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl
from psycopg.errors import UniqueViolation
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.errors import RecordError
from socialcredit.platform.audit import service as audit
from socialcredit.platform.audit.hashing import RowDigest
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.records import fast
from socialcredit.platform.records.ingest import Intake, check_batch, rows_of
from socialcredit.platform.records.lookup import Key
from socialcredit.platform.records.service import intake_for
from socialcredit.platform.records.store import insert_rows
from socialcredit.platform.records.writer import Writer, writing
from socialcredit.platform.sources.service import get as get_source
from socialcredit.platform.standings.service import mark_stale
from socialcredit.platform.subjects.service import ensure_subjects, insert_subjects, new_subjects
from socialcredit.records.files import RawRecord, json_lines_batches, parquet_files, read_raw_records, record_format
from socialcredit.records.schema import Record

Progress = Callable[[int], None]


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
    chunk_size: int = 20_000,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``path`` for ``source``; RecordError listing ``FILE:LINE: field: reason`` when anything is bad.

    ``progress`` is told how many records were read; a negative number rewinds it (the file is read again).
    """
    get_source(session, source_id=source)
    policy = active_policy(session)
    intake = intake_for(policy, actor=actor, source=source, keep_recorded_at=keep_recorded_at)
    seq = audit.next_seq(session)
    fmt = record_format(path)
    if fmt in ("parquet", "jsonl") and not keep_recorded_at:
        load = _load_columns(session, intake, seq, path, chunk_size, progress)
    else:
        load = _Load(intake, seq)
        for chunk in _chunks(read_raw_records(path), chunk_size):
            _load_chunk(session, load, chunk)
            if progress:
                progress(len(chunk))
    if load.problems:
        noun = "problem" if len(load.problems) == 1 else "problems"
        raise RecordError(f"{len(load.problems)} {noun} in {path}; nothing was imported", details=load.problems)
    _audit(session, load, path)
    mark_stale(session, load.subjects, now=intake.now)
    return ImportResult(load.accepted, load.duplicates, len(load.subjects))


@dataclass(slots=True)
class _Load:
    """A file import in progress: one audit entry (``seq``) covers every row, in order.

    ``look_up``: whether the column path looks up the stored records of its rows before writing them, or
    leaves it to the unique key (:class:`_StoredBefore`). ``subjects``: every subject of the rows written
    (they exist once their chunk is stored).
    """

    intake: Intake
    seq: int
    look_up: bool = True
    digest: RowDigest = field(default_factory=RowDigest)
    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    unwritten: dict[Key, Record] = field(default_factory=dict)


class _StoredBefore(Exception):
    """A row written without looking it up was stored before (the unique key refused it)."""


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Records read together: a frame of them when Polars reads them as a table, and the per-record form
    (``FILE:LINE``) of those at given positions."""

    frame: pl.DataFrame | None
    count: int
    raws: Callable[[list[int]], list[RawRecord]]


def _load_columns(
    session: Session, intake: Intake, seq: int, path: Path, chunk_size: int, progress: Progress | None
) -> _Load:
    """Parquet or JSON Lines over columns, PostgreSQL storing a chunk while the next is checked.

    On PostgreSQL the rows are first written without looking up stored records, under a savepoint: for a
    new file (the usual case) the unique key ``(source, record_id)`` is the only check needed. When it
    refuses a row, everything since the savepoint is undone and the file is read again with the look-ups,
    which word every duplicate and conflict as usual.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    with _no_cycle_collection():
        return _load_columns_once_or_twice(session, intake, seq, path, chunk_size, progress, postgres=postgres)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Without Python's cycle collector meanwhile: a chunk makes millions of short-lived objects, none in a
    cycle, and collecting would walk them again and again (a tenth of the import's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_columns_once_or_twice(
    session: Session,
    intake: Intake,
    seq: int,
    path: Path,
    chunk_size: int,
    progress: Progress | None,
    *,
    postgres: bool,
) -> _Load:
    if postgres:
        load = _Load(intake, seq, look_up=False)
        try:
            with session.begin_nested():
                _load_chunks(session, load, path, chunk_size, progress, threaded=True)
            return load
        except _StoredBefore:
            if progress:
                progress(-load.read)
    load = _Load(intake, seq)
    _load_chunks(session, load, path, chunk_size, progress, threaded=postgres)
    return load


def _load_chunks(
    session: Session, load: _Load, path: Path, chunk_size: int, progress: Progress | None, *, threaded: bool
) -> None:
    chunks = _parquet_chunks(path, chunk_size) if record_format(path) == "parquet" else _jsonl_chunks(path, chunk_size)
    with writing(threaded=threaded) as writer:
        for chunk in chunks:
            _load_mixed(session, load, chunk, writer)
            load.read += chunk.count
            if progress:
                progress(chunk.count)


def _parquet_chunks(path: Path, chunk_size: int) -> Iterator[_Chunk]:
    """Parquet, batch by batch (lines are row numbers from 1 within each file)."""
    import pyarrow.parquet as pq

    for file in parquet_files(path):
        line = 1
        for batch in pq.ParquetFile(file).iter_batches(batch_size=chunk_size):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)

            def raws(slow: list[int], batch: Any = batch, first: int = line, file: Path = file) -> list[RawRecord]:
                rows = batch.take(slow).to_pylist() if slow else []
                return [RawRecord(str(file), first + at, _present(row)) for at, row in zip(slow, rows, strict=True)]

            yield _Chunk(frame, batch.num_rows, raws)
            line += batch.num_rows


def _jsonl_chunks(path: Path, chunk_size: int) -> Iterator[_Chunk]:
    """JSON Lines, ``chunk_size`` lines at a time (blank ones skipped), read by Polars and, where needed,
    line by line."""
    for batch in json_lines_batches(path, chunk_size):
        yield _Chunk(batch.frame, len(batch.lines), batch.raws)


def _load_mixed(session: Session, load: _Load, chunk: _Chunk, writer: Writer) -> None:
    """The rows the column checks accept are stored over columns (while the file is clean); the others go
    the per-record way with the same messages. The session is the writer's but while it is drained."""
    slow = list(range(chunk.count))
    frame = chunk.frame
    if frame is not None and frame.height == chunk.count and not load.problems:
        if load.look_up:
            writer.drain()
        part = fast.split(session if load.look_up else None, load.intake, frame, seq=load.seq)
        _submit_fast(session, load, part.rows, writer)
        slow = part.slow
    if slow:
        writer.drain()
        _load_chunk(session, load, chunk.raws(slow))


def _present(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if value is not None}


def _submit_fast(session: Session, load: _Load, rows: pl.DataFrame, writer: Writer) -> None:
    """Encode the rows here and have the writer create their new subjects and store them."""
    if rows.is_empty():
        return
    postgres = session.get_bind().dialect.name == "postgresql"
    prepared = fast.prepare(rows, postgres=postgres)
    subjects = set(rows["subject"].unique().to_list())
    new = subjects - load.subjects
    load.subjects |= subjects
    load.accepted += rows.height
    now, digest, look_up = load.intake.now, load.digest, load.look_up
    created = new_subjects(new, now) if postgres else None

    def store() -> None:
        if created is not None:
            insert_subjects(session, created)
        else:
            ensure_subjects(session, new, now=now)
        try:
            fast.write(session, prepared, digest)
        except UniqueViolation as error:
            if look_up:
                raise
            raise _StoredBefore from error

    writer.submit(store)


def _audit(session: Session, load: _Load, path: Path) -> None:
    """The one entry of the import (none when nothing was new), covering its rows in order."""
    if not load.accepted:
        return
    intake = load.intake
    payload = {
        "file": path.name,
        "accepted": load.accepted,
        "duplicates": load.duplicates,
        "keep_recorded_at": intake.keep_recorded_at,
    }
    audit.append(
        session,
        seq=load.seq,
        actor=intake.actor.id,
        action="records.import",
        object=f"source:{intake.source}",
        payload=payload,
        covered={"records": load.digest.hexdigest()},
        at=intake.now,
    )


def _load_chunk(session: Session, load: _Load, chunk: list[RawRecord]) -> None:
    """Check a chunk; write it while the file is clean, else only remember its good records."""
    checked = check_batch(session, load.intake, list(enumerate(raw.data for raw in chunk)), load.unwritten)
    load.duplicates += checked.duplicates
    problems = [
        f"{chunk[problem.position].file}:{chunk[problem.position].line}: {problem.field}: {problem.reason}"
        for problem in sorted(checked.problems + checked.conflicts, key=lambda problem: problem.position)
    ]
    if problems or load.problems:
        load.problems += problems
        load.unwritten.update((record.key, record) for record, _ in checked.accepted)
        return
    subjects = {record.subject for record, _ in checked.accepted}
    ensure_subjects(session, subjects - load.subjects, now=load.intake.now)
    insert_rows(session, rows_of(checked, load.intake, load.seq), load.digest)
    load.accepted += len(checked.accepted)
    load.subjects |= subjects
