"""Open the platform database named by the settings, checking that it is migrated."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from socialcredit.db.engine import SessionFactory, make_engine, session_factory
from socialcredit.db.migrate import current_revision, head_revision, upgrade
from socialcredit.errors import UserError
from socialcredit.settings import Settings


@dataclass(frozen=True, slots=True)
class Database:
    """An engine and its session factories: ``sessions`` for units that write, ``readers`` for reads."""

    engine: Engine
    sessions: SessionFactory
    readers: SessionFactory

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings, *, migrate: bool = False) -> Database:
    """The database at ``settings.database_url``; migrated first when ``migrate``, else it must be current."""
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    else:
        revision = current_revision(engine)
        if revision != head_revision():
            engine.dispose()
            state = "not initialised" if revision is None else f"at revision {revision}, not {head_revision()}"
            raise UserError(f"the database {settings.database_url} is {state}: run `socialcredit init`")
    return Database(engine, session_factory(engine), session_factory(engine, read_only=True))
