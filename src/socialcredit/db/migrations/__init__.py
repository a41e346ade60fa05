"""Alembic migrations of the platform database."""
