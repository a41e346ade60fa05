"""Records load faster on PostgreSQL: identifiers compared byte by byte, a hash index on subject.

``source``, ``record_id`` and ``subject`` get ``COLLATE "C"`` (the same order as the databases' ``C.UTF-8``
for UTF-8 text, compared with ``memcmp``), and ``ix_records_subject`` becomes a hash index (records are
looked up by equal subjects only). SQLite already compares text byte by byte and keeps its B-tree index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

IDENTIFIERS = {"source": 64, "record_id": 128, "subject": 18}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(collation='"C"', using="hash")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(collation='"default"', using=None)


def _rebuild(*, collation: str, using: str | None) -> None:
    """The identifier columns in ``collation``, and the subject index rebuilt (``using``: its access method)."""
    op.drop_index("ix_records_subject", table_name="records")
    changes = ", ".join(
        f"ALTER COLUMN {name} TYPE varchar({length}) COLLATE {collation}" for name, length in IDENTIFIERS.items()
    )
    op.execute(f"ALTER TABLE records {changes}")
    op.create_index("ix_records_subject", "records", ["subject"], postgresql_using=using)
