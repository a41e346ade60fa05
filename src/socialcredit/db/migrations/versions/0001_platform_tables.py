"""Platform tables: subjects, sources, users and keys, handbooks, records, evidence, standings, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIGKEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _fk(column: str, table: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], name=f"fk_{table}_{column}_{target.split('.')[0]}")


def _audit_seq() -> sa.Column:
    return sa.Column("audit_seq", sa.BigInteger(), nullable=False)


def upgrade() -> None:
    _audit_tables()
    _people_tables()
    _handbook_tables()
    _record_tables()
    _standing_tables()


def _audit_tables() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        _at("at"),
        _str("actor", 200),
        _str("action", 64),
        _str("object", 300),
        sa.Column("payload", sa.Text(), nullable=True),
        _str("payload_hash", 64),
        _str("prev_hash", 64),
        _str("hash", 64),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        _str("hash", 64),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    head = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])


def _people_tables() -> None:
    op.create_table(
        "subjects",
        sa.Column("pk", sa.Integer(), nullable=False),
        _str("national_id", 18),
        _str("kind", 12),
        _str("name", 200, True),
        _str("region", 6, True),
        _str("village", 200, True),
        _at("created_at"),
        sa.PrimaryKeyConstraint("pk", name="pk_subjects"),
        sa.UniqueConstraint("national_id", name="uq_subjects_national_id"),
    )
    op.create_table(
        "subject_aliases",
        sa.Column("pk", sa.Integer(), nullable=False),
        _str("subject", 18),
        _str("kind", 20),
        _str("value", 40),
        _at("created_at"),
        _fk("subject", "subject_aliases", "subjects.national_id"),
        sa.PrimaryKeyConstraint("pk", name="pk_subject_aliases"),
        sa.UniqueConstraint("kind", "value", name="uq_subject_aliases_kind_value"),
    )
    op.create_index("ix_subject_aliases_subject", "subject_aliases", ["subject"])
    op.create_table(
        "subject_consents",
        sa.Column("pk", sa.Integer(), nullable=False),
        _str("subject", 18),
        sa.Column("given", sa.Boolean(), nullable=False),
        _at("at"),
        _str("actor", 200),
        _audit_seq(),
        _fk("subject", "subject_consents", "subjects.national_id"),
        sa.PrimaryKeyConstraint("pk", name="pk_subject_consents"),
    )
    op.create_index("ix_subject_consents_subject", "subject_consents", ["subject"])
    op.create_table(
        "sources",
        _str("id", 64),
        _str("name", 200, True),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
    )
    op.create_table(
        "source_rules",
        _str("source", 64),
        _str("rule", 128),
        _fk("source", "source_rules", "sources.id"),
        sa.PrimaryKeyConstraint("source", "rule", name="pk_source_rules"),
    )
    _credential_tables()


def _credential_tables() -> None:
    op.create_table(
        "users",
        sa.Column("pk", sa.Integer(), nullable=False),
        _str("name", 100),
        _str("role", 20),
        _str("password_hash", 200),
        _str("subject", 18, True),
        _str("source", 64, True),
        _at("created_at"),
        _at("disabled_at", True),
        _fk("subject", "users", "subjects.national_id"),
        _fk("source", "users", "sources.id"),
        sa.PrimaryKeyConstraint("pk", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "api_keys",
        sa.Column("pk", sa.Integer(), nullable=False),
        _str("name", 100),
        _str("role", 20),
        _str("key_hash", 64),
        _str("prefix", 16),
        sa.Column("services", sa.Text(), nullable=True),
        _str("source", 64, True),
        _at("created_at"),
        _at("revoked_at", True),
        _fk("source", "api_keys", "sources.id"),
        sa.PrimaryKeyConstraint("pk", name="pk_api_keys"),
        sa.UniqueConstraint("name", name="uq_api_keys_name"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )


def _handbook_tables() -> None:
    op.create_table(
        "handbook_versions",
        sa.Column("pk", sa.Integer(), nullable=False),
        _str("policy_id", 100),
        _str("version", 100),
        _str("hash", 64),
        sa.Column("text", sa.Text(), nullable=False),
        _at("added_at"),
        sa.PrimaryKeyConstraint("pk", name="pk_handbook_versions"),
        sa.UniqueConstraint("hash", name="uq_handbook_versions_hash"),
    )
    op.create_table(
        "handbook_activations",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("handbook", sa.Integer(), nullable=False),
        _at("activated_at"),
        _str("actor", 200),
        _audit_seq(),
        _fk("handbook", "handbook_activations", "handbook_versions.pk"),
        sa.PrimaryKeyConstraint("pk", name="pk_handbook_activations"),
    )


def _record_tables() -> None:
    op.create_table(
        "records",
        sa.Column("pk", BIGKEY, nullable=False),
        _str("source", 64),
        _str("record_id", 128),
        _str("subject", 18),
        _str("kind", 10),
        _str("ref", 128, True),
        _str("rule", 128, True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        _at("recorded_at"),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        _str("document", 200, True),
        sa.Column("evidence", sa.Text(), nullable=True),
        _str("status", 10),
        _str("reported_by", 200),
        _str("content_hash", 64),
        _audit_seq(),
        sa.PrimaryKeyConstraint("pk", name="pk_records"),
        sa.UniqueConstraint("source", "record_id", name="uq_records_source_record_id"),
    )
    # No foreign keys and no index beyond the two the reads need: bulk loads run at COPY speed. The
    # ingestion service creates subjects and checks sources first; ``audit verify`` covers every row.
    op.create_index("ix_records_subject", "records", ["subject"])
    op.create_table(
        "record_status",
        sa.Column("pk", BIGKEY, nullable=False),
        sa.Column("record", BIGKEY, nullable=False),
        _str("status", 10),
        _str("cause", 20),
        sa.Column("reason", sa.Text(), nullable=True),
        _str("actor", 200),
        _at("changed_at"),
        _audit_seq(),
        _fk("record", "record_status", "records.pk"),
        sa.PrimaryKeyConstraint("pk", name="pk_record_status"),
    )
    op.create_index("ix_record_status_record", "record_status", ["record"])
    op.create_table(
        "evidence",
        _str("sha256", 64),
        _str("media_type", 50),
        sa.Column("size", sa.BigInteger(), nullable=False),
        _at("uploaded_at"),
        _str("uploaded_by", 200),
        _audit_seq(),
        sa.PrimaryKeyConstraint("sha256", name="pk_evidence"),
    )


def _standing_tables() -> None:
    op.create_table(
        "standings",
        _str("subject", 18),
        sa.Column("as_of", sa.Date(), nullable=False),
        _at("known_at"),
        sa.Column("points", sa.Integer(), nullable=True),
        _str("grade", 20, True),
        _str("policy_hash", 64),
        sa.Column("body", sa.Text(), nullable=False),
        _fk("subject", "standings", "subjects.national_id"),
        sa.PrimaryKeyConstraint("subject", name="pk_standings"),
    )
    op.create_table(
        "standings_stale",
        _str("subject", 18),
        _at("since"),
        sa.PrimaryKeyConstraint("subject", name="pk_standings_stale"),
    )
    op.create_table(
        "standing_snapshots",
        sa.Column("pk", BIGKEY, nullable=False),
        _str("month", 7),
        _str("subject", 18),
        sa.Column("as_of", sa.Date(), nullable=False),
        _at("known_at"),
        sa.Column("points", sa.Integer(), nullable=True),
        _str("grade", 20, True),
        _str("policy_hash", 64),
        sa.Column("body", sa.Text(), nullable=False),
        _audit_seq(),
        _fk("subject", "standing_snapshots", "subjects.national_id"),
        sa.PrimaryKeyConstraint("pk", name="pk_standing_snapshots"),
        sa.UniqueConstraint("month", "subject", name="uq_standing_snapshots_month_subject"),
    )
    op.create_index("ix_standing_snapshots_subject", "standing_snapshots", ["subject"])
    op.create_table(
        "cycle_closures",
        _str("month", 7),
        sa.Column("as_of", sa.Date(), nullable=False),
        _at("closed_at"),
        _str("actor", 200),
        sa.Column("subjects", sa.Integer(), nullable=False),
        _audit_seq(),
        sa.PrimaryKeyConstraint("month", name="pk_cycle_closures"),
    )


def downgrade() -> None:
    for table in (
        "cycle_closures",
        "standing_snapshots",
        "standings",
        "evidence",
        "record_status",
        "records",
        "handbook_activations",
        "handbook_versions",
        "api_keys",
        "users",
        "source_rules",
        "sources",
        "subject_consents",
        "subject_aliases",
        "subjects",
        "audit_head",
        "audit_log",
    ):
        op.drop_table(table)
