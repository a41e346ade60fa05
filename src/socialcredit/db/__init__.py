"""The platform database: SQLAlchemy 2 declarative base, engines and sessions, Alembic migrations.

Tables live with their domain (``socialcredit.platform.<domain>.models``); :mod:`socialcredit.db.tables`
imports them all so the metadata is complete. Migrations ship in ``db/migrations`` and run through
:func:`socialcredit.db.migrate.upgrade` (``socialcredit init``), the same on SQLite and PostgreSQL.
"""
