"""The platform database: migrations match the models on SQLite and PostgreSQL; times stay exact; services
never commit (the caller's unit of work does); handbook activation is audited and one handbook is active."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

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
