"""Fixtures and builders of the platform tests (loaded by ``conftest.py`` through ``pytest_plugins``).

- ``platform_database``: a migrated platform database, once on SQLite and once on PostgreSQL (its own schema per
  test module, so parallel workers never collide; skipped when PostgreSQL is unreachable unless ``CI=true``).
- ``platform_db``: that database, emptied before the test; ``platform_settings``: Settings on it (evidence
  in a temp dir).
- ``platform``: a :class:`Setup` on ``platform_db`` with the test handbook (``PLATFORM_TOML``) active: builders for
  sources, keys and users, a row counter and a unit of work.
- ``api``: an in-process HTTP client (``TestClient``) on an app over ``platform_db``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conftest import POLICY_TOML, postgres_url

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy.orm import Session

    from socialcredit.access import Actor
    from socialcredit.db.connect import Database
    from socialcredit.settings import Settings

# The test handbook plus a reviewed rule with an evidence requirement, reported by a village's assessors.
PLATFORM_TOML = (
    POLICY_TOML
    + """
[[rules]]
id = "good-deed"
title = "Good deed (reviewed, two photos or a video)"
category = "community"
severity = "minor"
points = 2
legal_basis = "Test law 9"
review = true
evidence = { photos = 2, or_video = true }
sources = ["village"]
"""
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _postgres_available(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def platform_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    from socialcredit.db.connect import open_database
    from socialcredit.settings import Settings

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'platform.db'}"
        db = open_database(Settings(database_url=url), migrate=True)
        yield db
        db.dispose()
        return
    with postgres_schema("test") as url:
        db = open_database(Settings(database_url=url), migrate=True)
        try:
            yield db
        finally:
            db.dispose()


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """The URL of a new, empty schema of the test PostgreSQL (dropped after); skips the test when the server is
    not reachable, and fails it when CI=true."""
    import psycopg

    base = postgres_url()
    if not _postgres_available(base):
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {base} is required when CI=true")
        pytest.skip(f"PostgreSQL at {base} is not reachable")
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def empty(db: Database) -> None:
    """Delete every row (keeping the schema) and reset the chain head."""
    from sqlalchemy import text

    from socialcredit.db.tables import metadata

    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :genesis)"), {"genesis": "0" * 64}
        )


@pytest.fixture
def platform_db(platform_database: Database) -> Database:
    empty(platform_database)
    return platform_database


@pytest.fixture
def platform_settings(platform_db: Database, tmp_path: Path) -> Settings:
    from socialcredit.settings import Settings

    return Settings(
        database_url=platform_db.engine.url.render_as_string(hide_password=False),
        evidence_dir=tmp_path / "evidence",
        secret_key="test-secret",
    )


class Setup:
    """Builders over a platform database, acting as the operator at the command line."""

    def __init__(self, db: Database) -> None:
        from socialcredit.access import Actor

        self.db = db
        self.admin: Actor = Actor("cli", "tester", "admin")

    @contextmanager
    def unit(self) -> Iterator[Session]:
        from socialcredit.db.engine import transaction

        with transaction(self.db.sessions) as session:
            yield session

    def activate(self, text: str = PLATFORM_TOML) -> None:
        from socialcredit.platform.handbooks import service as handbooks

        with self.unit() as session:
            handbooks.activate(session, actor=self.admin, text=text)

    def source(self, source_id: str) -> str:
        """Register a source; return its API key."""
        from socialcredit.platform.handbooks.service import active_policy
        from socialcredit.platform.sources import service as sources
        from socialcredit.platform.users import service as users

        with self.unit() as session:
            sources.add(session, actor=self.admin, source_id=source_id, policy=active_policy(session))
            return users.create_key(
                session, actor=self.admin, name=f"source:{source_id}", role="source", source=source_id
            ).token

    def key(self, name: str, role: str, **options: Any) -> str:
        from socialcredit.platform.users import service as users

        with self.unit() as session:
            return users.create_key(session, actor=self.admin, name=name, role=role, **options).token

    def user(self, name: str, role: str, password: str = "password-1", **options: Any) -> None:
        from socialcredit.platform.users import service as users

        with self.unit() as session:
            users.create_user(session, actor=self.admin, name=name, role=role, password=password, **options)

    def count(self, table: str) -> int:
        from sqlalchemy import text

        with self.db.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    def sql(self, statement: str, **params: Any) -> None:
        """Raw SQL behind the platform's back (tampering tests)."""
        from sqlalchemy import text

        with self.db.engine.begin() as connection:
            connection.execute(text(statement), params)


@pytest.fixture
def platform(platform_db: Database) -> Setup:
    built = Setup(platform_db)
    built.activate()
    return built


@pytest.fixture
def api(platform_db: Database, platform_settings: Settings) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    from socialcredit.api.app import create_app

    with TestClient(create_app(platform_settings, database=platform_db)) as test_client:
        yield test_client
