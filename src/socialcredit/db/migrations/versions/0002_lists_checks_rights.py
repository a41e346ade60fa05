"""Lists, checks and rights: list versions and members, the check log and index, notices, objections,
repairs and share codes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_log",
        sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("decision_id", sa.String(length=32), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("party", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("service", sa.String(length=100), nullable=False),
        sa.Column("identifier", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=18), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("lists", sa.Text(), nullable=True),
        sa.Column("list_version", sa.BigInteger(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_check_log")),
    )
    op.create_index("ix_check_log_audit_seq", "check_log", ["audit_seq"], unique=False)
    op.create_index("ix_check_log_decision_id", "check_log", ["decision_id"], unique=True)
    op.create_index("ix_check_log_subject", "check_log", ["subject"], unique=False)

    op.create_table(
        "check_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("gen", sa.BigInteger(), nullable=False),
        sa.Column("list_version", sa.BigInteger(), nullable=False),
        sa.Column("policy_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_state")),
    )
    op.create_table(
        "check_subjects",
        sa.Column("subject", sa.String(length=18), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=True),
        sa.Column("next_change_on", sa.Date(), nullable=True),
        sa.Column("gen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_check_subjects")),
    )
    op.create_index("ix_check_subjects_gen", "check_subjects", ["gen"], unique=False)
    op.create_index("ix_check_subjects_next_change_on", "check_subjects", ["next_change_on"], unique=False)

    op.create_table(
        "list_changes",
        sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("list_id", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=18), nullable=False),
        sa.Column("change", sa.String(length=6), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_list_changes")),
    )
    op.create_index("ix_list_changes_list_version", "list_changes", ["list_id", "version"], unique=False)
    op.create_index("ix_list_changes_subject", "list_changes", ["subject"], unique=False)

    op.create_table(
        "list_members",
        sa.Column("list_id", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=18), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("records", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("list_id", "subject", name=op.f("pk_list_members")),
    )
    op.create_index("ix_list_members_subject", "list_members", ["subject"], unique=False)

    op.create_table(
        "list_versions",
        sa.Column("version", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_list_versions")),
    )
    op.create_table(
        "notices",
        sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject", sa.String(length=18), nullable=False),
        sa.Column("decision_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_notices")),
    )
    op.create_index("ix_notices_audit_seq", "notices", ["audit_seq"], unique=False)
    op.create_index("ix_notices_subject", "notices", ["subject"], unique=False)

    op.create_table(
        "share_codes",
        sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=18), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_share_codes")),
    )
    op.create_index("ix_share_codes_code_hash", "share_codes", ["code_hash"], unique=True)
    op.create_index("ix_share_codes_subject", "share_codes", ["subject"], unique=False)

    op.create_table(
        "share_events",
        sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("share", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["share"], ["share_codes.pk"], name=op.f("fk_share_events_share_share_codes")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_share_events")),
    )
    op.create_index("ix_share_events_share", "share_events", ["share"], unique=False)

    op.create_table(
        "objections",
        sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("record", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=False),
        sa.Column("subject", sa.String(length=18), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raised_by", sa.String(length=200), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["record"], ["records.pk"], name=op.f("fk_objections_record_records")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_objections")),
    )
    op.create_index("ix_objections_code", "objections", ["code"], unique=True)
    op.create_index("ix_objections_subject", "objections", ["subject"], unique=False)

    op.create_table(
        "repair_applications",
        sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("record", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=False),
        sa.Column("subject", sa.String(length=18), nullable=False),
        sa.Column("proof", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("applied_by", sa.String(length=200), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["record"], ["records.pk"], name=op.f("fk_repair_applications_record_records")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_repair_applications")),
    )
    op.create_index("ix_repair_applications_code", "repair_applications", ["code"], unique=True)
    op.create_index("ix_repair_applications_subject", "repair_applications", ["subject"], unique=False)

    op.create_table(
        "objection_outcomes",
        sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("objection", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("written", sa.String(length=128), nullable=True),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["objection"], ["objections.pk"], name=op.f("fk_objection_outcomes_objection_objections")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_objection_outcomes")),
    )
    op.create_index("ix_objection_outcomes_objection", "objection_outcomes", ["objection"], unique=False)

    op.create_table(
        "repair_decisions",
        sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("application", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("written", sa.String(length=128), nullable=True),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application"],
            ["repair_applications.pk"],
            name=op.f("fk_repair_decisions_application_repair_applications"),
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_repair_decisions")),
    )
    op.create_index("ix_repair_decisions_application", "repair_decisions", ["application"], unique=False)
    _seed()


def _seed() -> None:
    state = sa.table("check_state", sa.column("id"), sa.column("gen"), sa.column("list_version"))
    op.bulk_insert(state, [{"id": 1, "gen": 0, "list_version": 0}])


def downgrade() -> None:
    op.drop_index("ix_repair_decisions_application", table_name="repair_decisions")

    op.drop_table("repair_decisions")
    op.drop_index("ix_objection_outcomes_objection", table_name="objection_outcomes")

    op.drop_table("objection_outcomes")
    op.drop_index("ix_repair_applications_subject", table_name="repair_applications")
    op.drop_index("ix_repair_applications_code", table_name="repair_applications")

    op.drop_table("repair_applications")
    op.drop_index("ix_objections_subject", table_name="objections")
    op.drop_index("ix_objections_code", table_name="objections")

    op.drop_table("objections")
    op.drop_index("ix_share_events_share", table_name="share_events")

    op.drop_table("share_events")
    op.drop_index("ix_share_codes_subject", table_name="share_codes")
    op.drop_index("ix_share_codes_code_hash", table_name="share_codes")

    op.drop_table("share_codes")
    op.drop_index("ix_notices_subject", table_name="notices")
    op.drop_index("ix_notices_audit_seq", table_name="notices")

    op.drop_table("notices")
    op.drop_table("list_versions")
    op.drop_index("ix_list_members_subject", table_name="list_members")

    op.drop_table("list_members")
    op.drop_index("ix_list_changes_subject", table_name="list_changes")
    op.drop_index("ix_list_changes_list_version", table_name="list_changes")

    op.drop_table("list_changes")
    op.drop_index("ix_check_subjects_next_change_on", table_name="check_subjects")
    op.drop_index("ix_check_subjects_gen", table_name="check_subjects")

    op.drop_table("check_subjects")
    op.drop_table("check_state")
    op.drop_index("ix_check_log_subject", table_name="check_log")
    op.drop_index("ix_check_log_decision_id", table_name="check_log")
    op.drop_index("ix_check_log_audit_seq", table_name="check_log")

    op.drop_table("check_log")
