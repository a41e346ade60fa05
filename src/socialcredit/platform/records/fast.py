"""Bulk import of Parquet at COPY speed: the per-record checks done over columns, for rows that need nothing else.

A batch is checked by ``scoring.columnar_rows.fast_rows`` (the column form of ``records.parse`` and
``records.validate``, which marks a row ``_ok`` only when the per-record validator would accept it). A row
goes the fast way when it is ``_ok`` and needs none of the platform's checks across records: a fact, no
evidence, not in the future, sent once in the batch, not stored yet, of the importing source. Every other
row goes through the per-record path (``ingest.check_batch``), which finds and words its problems, or
accepts it. Fast rows are turned into stored rows over columns: content hash, audit line (the canonical
text of ``canonical``), then a binary ``COPY`` (PostgreSQL, :mod:`pgbinary`) or one ``executemany``.

Encoding (:func:`prepare`) touches no database, so a caller may encode the next batch while the database
stores this one (:func:`write`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl
from psycopg.errors import UniqueViolation
from sqlalchemy import insert
from sqlalchemy.orm import Session

from socialcredit.platform.audit.hashing import RowDigest
from socialcredit.platform.records import canonical, lookup, pgbinary
from socialcredit.platform.records.ingest import Intake
from socialcredit.platform.records.store import TABLE
from socialcredit.platform.subjects.service import ensure_subjects
from socialcredit.scoring.columnar_rows import PYTHON_SPACE, fast_rows

COLUMNS = [column.name for column in TABLE.columns if column.name != "pk"]
BINARY: dict[str, pgbinary.Kind] = {
    "source": "text", "record_id": "text", "subject": "text", "kind": "text", "ref": "text", "rule": "text",
    "occurred_on": "date", "recorded_at": "timestamptz", "points": "int4", "reason": "text", "document": "text",
    "evidence": "text", "status": "text", "reported_by": "text", "content_hash": "text", "audit_seq": "int8",
}  # fmt: skip
STORED: dict[str, pl.DataType] = {
    "source": pl.String(), "record_id": pl.String(), "subject": pl.String(), "kind": pl.String(),
    "ref": pl.String(), "rule": pl.String(), "occurred_on": pl.Date(), "points": pl.Int64(), "reason": pl.String(),
    "document": pl.String(), "evidence": pl.String(), "recorded_at": pl.Datetime("us", "UTC"),
    "status": pl.String(), "reported_by": pl.String(), "content_hash": pl.String(), "audit_seq": pl.Int64(),
}  # fmt: skip


@dataclass(frozen=True)
class Split:
    """A batch divided: ``rows`` ready to store (``STORED`` columns and each row's audit line ``_line``),
    ``slow`` positions for the other path."""

    rows: pl.DataFrame
    slow: list[int]


def split(session: Session | None, intake: Intake, batch: pl.DataFrame, *, seq: int) -> Split:
    """Check ``batch`` over columns and build the stored rows of its fast part (audit entry ``seq``).

    Without a ``session`` the stored records are not looked up: the caller relies on the unique key
    ``(source, record_id)`` to refuse a row stored before, and then checks the batch again with one.
    """
    assert intake.source is not None, "a file import is for one source"
    policy = intake.policy
    sent_source = batch["source"].cast(pl.String) if "source" in batch.columns else None
    frame = batch.with_columns(pl.lit(intake.source).alias("source"))
    checked = fast_rows(frame, policy, policy.policy.timezone).with_row_index("_pos")
    fast = checked["_ok"] & (checked["kind"] == "fact") & (checked["occurred_on"] <= intake.today)
    fast = fast & ~checked["id"].str.strip_chars(PYTHON_SPACE).is_duplicated()  # ids as the per-record path reads them
    if sent_source is not None:
        fast = fast & (sent_source.is_null() | (sent_source == intake.source))
    if "evidence" in batch.columns:
        fast = fast & batch["evidence"].is_null()
    if session is not None:
        fast = fast & ~checked["id"].is_in(_stored_ids(session, intake.source, checked.filter(fast)["id"]))
    fast = fast.fill_null(False)
    slow = checked.filter(~fast)["_pos"].to_list()
    extra = [_text_column(batch, name) for name in ("reason", "document")]
    rows = checked.with_columns(*extra).filter(fast)
    return Split(_stored(rows, intake, seq), slow)


def _text_column(batch: pl.DataFrame, name: str) -> pl.Series:
    if name in batch.columns:
        return batch[name].cast(pl.String).alias(name)
    return pl.Series(name, [None] * batch.height, dtype=pl.String)


def _stored_ids(session: Session, source: str, ids: pl.Series) -> list[str]:
    """The ids among ``ids`` that the source already stored (those rows go the per-record way)."""
    return [key[1] for key in lookup.content_hashes(session, [(source, value) for value in ids.to_list()])]


def _stored(rows: pl.DataFrame, intake: Intake, seq: int) -> pl.DataFrame:
    """The stored columns of the fast rows, with content hashes, and ``_line``: each row's audit line."""
    review = {rule.id: ("pending" if rule.review else "confirmed") for rule in intake.policy.rules}
    frame = rows.select(
        pl.col("source"), pl.col("id").alias("record_id"), pl.col("subject"), pl.col("kind"), pl.col("ref"),
        pl.col("rule"), pl.col("occurred_on"), pl.col("points"), pl.col("reason"), pl.col("document"),
        pl.lit(None, dtype=pl.String).alias("evidence"),
        pl.lit(intake.now).cast(STORED["recorded_at"]).alias("recorded_at"),
        pl.col("rule").replace_strict(review, default="confirmed", return_dtype=pl.String).alias("status"),
        pl.lit(intake.actor.id).alias("reported_by"), pl.lit(seq, dtype=pl.Int64).alias("audit_seq"),
    )  # fmt: skip
    contents = frame.select(canonical.text_expr(canonical.CONTENT, frame.schema)).to_series()
    hashes = [hashlib.sha256(content).hexdigest() for content in contents.cast(pl.Binary).to_list()]
    frame = frame.with_columns(pl.Series("content_hash", hashes, dtype=pl.String))
    platform = canonical.text_expr(canonical.PLATFORM, frame.schema)
    return frame.select(*STORED, pl.concat_str([pl.lit(contents), platform], separator="|").alias("_line"))


@dataclass(frozen=True)
class Prepared:
    """Stored rows encoded for the database: their audit lines (``\\n``-terminated, in order), and their
    binary ``COPY`` stream (PostgreSQL) or the rows themselves (elsewhere)."""

    rows: pl.DataFrame
    lines: bytes
    copy: bytes | None

    @property
    def count(self) -> int:
        return self.rows.height


def prepare(rows: pl.DataFrame, *, postgres: bool) -> Prepared:
    """Encode stored rows (``STORED`` columns and ``_line``, as :func:`split` gives them); touches no database."""
    if rows.is_empty():
        return Prepared(rows, b"", None)
    lines = rows.select(pl.col("_line").str.join("\n")).item() + "\n"
    return Prepared(rows, lines.encode("utf-8"), pgbinary.encode(rows, BINARY) if postgres else None)


def split_and_store(session: Session, intake: Intake, batch: pl.DataFrame, *, seq: int, digest: RowDigest) -> Split:
    """:func:`split` and :func:`store` a batch (``rows`` of the result: those stored).

    On PostgreSQL the rows are first stored without looking up stored records, under a savepoint: for new
    records (the usual case) the unique key ``(source, record_id)`` is the only check needed. When it
    refuses a row, the savepoint is rolled back and the batch split again with the look-ups.
    """
    if session.get_bind().dialect.name == "postgresql":
        try:
            with session.begin_nested():
                part = split(None, intake, batch, seq=seq)
                store(session, intake, part.rows, digest)
            return part
        except UniqueViolation:
            pass
    part = split(session, intake, batch, seq=seq)
    store(session, intake, part.rows, digest)
    return part


def store(session: Session, intake: Intake, rows: pl.DataFrame, digest: RowDigest) -> set[str]:
    """Create the rows' new subjects and insert the rows; return their subjects."""
    if rows.is_empty():
        return set()
    subjects = set(rows["subject"].unique().to_list())
    ensure_subjects(session, subjects, now=intake.now)
    write(session, prepare(rows, postgres=session.get_bind().dialect.name == "postgresql"), digest)
    return subjects


def write(session: Session, prepared: Prepared, digest: RowDigest) -> None:
    """Insert encoded rows (``COPY`` on PostgreSQL) and add their audit lines to ``digest``."""
    if not prepared.count:
        return
    connection = session.connection()
    if prepared.copy is not None:
        statement = f"COPY records ({', '.join(BINARY)}) FROM STDIN (FORMAT binary)"
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            copy.write(prepared.copy)
    else:
        session.execute(insert(TABLE), prepared.rows.select(COLUMNS).to_dicts())
    digest.add_lines(prepared.lines, prepared.count)
