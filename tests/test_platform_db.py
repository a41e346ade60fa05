"""The platform database: migrations match the models on SQLite and PostgreSQL; times stay exact; services
never commit (the caller's unit of work does); handbook activation is audited and one handbook is active."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from platform_support import PLATFORM_TOML, Setup
from socialcredit.db.connect import Database
from socialcredit.db.migrate import current_revision, head_revision, upgrade
from socialcredit.db.tables import metadata
from socialcredit.errors import Conflict, PolicyError
from socialcredit.platform.audit.models import AuditEntry
from socialcredit.platform.handbooks import service as handbooks
from socialcredit.platform.sources import service as sources
from socialcredit.platform.subjects.models import Subject
from socialcredit.platform.subjects.service import ensure_subjects

from conftest import PERSON, POLICY_TOML


def test_migrations_create_exactly_the_models(platform_db: Database) -> None:
    assert current_revision(platform_db.engine) == head_revision()
    with platform_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_upgrade_again_is_a_no_op(platform_db: Database) -> None:
    assert upgrade(platform_db.engine) == (head_revision(), head_revision())


def test_times_are_stored_in_utc_to_the_microsecond(platform: Setup) -> None:
    moment = datetime(2025, 6, 1, 8, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    with platform.unit() as session:
        ensure_subjects(session, [PERSON], now=moment)
    with platform.unit() as session:
        stored = session.execute(select(Subject.created_at).where(Subject.national_id == PERSON)).scalar_one()
    assert stored == moment
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored.astimezone(UTC).hour == 0


def test_a_service_error_leaves_nothing_written(platform: Setup) -> None:
    before = platform.count("audit_log")
    with pytest.raises(Conflict), platform.unit() as session:
        sources.add(session, actor=platform.admin, source_id="court", policy=None)
        sources.add(session, actor=platform.admin, source_id="court", policy=None)
    assert platform.count("sources") == 0
    assert platform.count("audit_log") == before


def test_activation_is_audited_once_and_the_latest_is_active(platform: Setup) -> None:
    with platform.unit() as session:
        first = handbooks.active_policy(session)
        again = handbooks.activate(session, actor=platform.admin, text=PLATFORM_TOML)
        other = handbooks.activate(session, actor=platform.admin, text=POLICY_TOML)
        assert not again.changed and other.changed
        assert handbooks.active_policy(session).hash == other.version.hash != first.hash
        actions = session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
    assert actions.count("handbook.activate") == 2
    assert platform.count("handbook_versions") == 2


def test_an_invalid_handbook_is_refused_and_nothing_changes(platform: Setup) -> None:
    with pytest.raises(PolicyError), platform.unit() as session:
        handbooks.activate(
            session, actor=platform.admin, text=POLICY_TOML.replace('category = "traffic"', 'category = "religion"')
        )
    assert platform.count("handbook_versions") == 1


def test_sources_get_the_rules_the_handbook_lets_them_report(platform: Setup) -> None:
    platform.source("court")
    platform.source("village")
    with platform.unit() as session:
        rules = dict((source.id, allowed) for source, allowed in sources.list_sources(session))
    assert "defaulter" in rules["court"] and "good-deed" not in rules["court"]
    assert "good-deed" in rules["village"] and "defaulter" not in rules["village"]
    assert "minus5" in rules["court"] and "minus5" in rules["village"]


def test_records_identifiers_compare_bytes_and_subject_is_indexed_for_equality(platform_db: Database) -> None:
    """PostgreSQL: ``COLLATE "C"`` and a hash index on ``subject``; SQLite: its BINARY collation, a B-tree."""
    from sqlalchemy import text

    if platform_db.engine.dialect.name == "sqlite":
        with platform_db.engine.connect() as connection:
            unique = {row[1]: row[2] for row in connection.exec_driver_sql("PRAGMA index_list('records')")}
            columns = {
                name: [
                    (row[2], row[4]) for row in connection.exec_driver_sql(f"PRAGMA index_xinfo('{name}')") if row[5]
                ]
                for name in unique
            }
        assert unique["ix_records_subject"] == 0 and columns["ix_records_subject"] == [("subject", "BINARY")]
        assert [("source", "BINARY"), ("record_id", "BINARY")] in [columns[name] for name in unique if unique[name]]
        return
    with platform_db.engine.connect() as connection:
        collations = connection.execute(
            text(
                "SELECT column_name, collation_name FROM information_schema.columns WHERE table_name = 'records' "
                "AND table_schema = current_schema() AND column_name IN ('source', 'record_id', 'subject')"
            )
        ).all()
        method = connection.execute(
            text(
                "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE c.oid = 'ix_records_subject'::regclass"
            )
        ).scalar_one()
    assert sorted(collations) == [("record_id", "C"), ("source", "C"), ("subject", "C")]
    assert method == "hash"


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_records_written_before_revision_0003_survive_it(kind: str, tmp_path: Any) -> None:
    from sqlalchemy import text

    with _fresh_engine(kind, tmp_path) as engine:
        upgrade(engine, "0002")
        row = (
            "INSERT INTO records (source, record_id, subject, kind, occurred_on, recorded_at, status, reported_by, "
            "content_hash, audit_seq) VALUES ('court', :id, :subject, 'fact', '2024-01-01', '2024-01-02T00:00:00Z', "
            "'confirmed', 'tester', :hash, 1)"
        )
        with engine.begin() as connection:
            connection.execute(text(row), {"id": "r1", "subject": PERSON, "hash": "0" * 64})
        upgrade(engine)
        with engine.begin() as connection:
            found = connection.execute(text("SELECT record_id FROM records WHERE subject = :s"), {"s": PERSON}).all()
        assert found == [("r1",)]
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(row), {"id": "r1", "subject": PERSON, "hash": "1" * 64})


@contextmanager
def _fresh_engine(kind: str, tmp_path: Any) -> Iterator[Any]:
    """An empty database of ``kind`` (a temporary SQLite file, or a new PostgreSQL schema dropped after)."""
    from sqlalchemy import create_engine

    from platform_support import postgres_schema

    if kind == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    with postgres_schema("mig") as url:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            yield engine
        finally:
            engine.dispose()
