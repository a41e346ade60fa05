"""Source services: register a source, and keep the rules it may report in step with the active handbook."""

from __future__ import annotations

import re

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import utcnow
from socialcredit.errors import Conflict, InvalidInput, NotFound
from socialcredit.platform.audit import service as audit
from socialcredit.platform.sources.models import Source, SourceRule
from socialcredit.policy.model import Policy

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def allowed_rules(policy: Policy, source: str) -> list[str]:
    """Rules ``source`` may report under ``policy``: those that list it, and those open to every source."""
    return [rule.id for rule in policy.rules if rule.sources is None or source in rule.sources]


def add(session: Session, *, actor: Actor, source_id: str, name: str | None = None, policy: Policy | None) -> Source:
    """Register a source (ids: lower-case letters, digits, ``.``, ``_``, ``-``); Conflict if it exists."""
    if not SOURCE_ID.match(source_id):
        raise InvalidInput(
            f"source id {source_id!r}: use lower-case letters, digits, '.', '_' or '-' (at most 64)",
            details=[{"field": "id", "reason": "invalid source id"}],
        )
    if session.get(Source, source_id) is not None:
        raise Conflict(f"source {source_id!r} already exists", details={"source": source_id})
    source = Source(id=source_id, name=name, created_at=utcnow())
    session.add(source)
    session.flush()
    rules = refresh_rules(session, policy, only=source_id)
    audit.log(
        session,
        actor=actor.id,
        action="source.add",
        object=f"source:{source_id}",
        payload={"name": name, "rules": rules.get(source_id, [])},
    )
    return source


def refresh_rules(session: Session, policy: Policy | None, *, only: str | None = None) -> dict[str, list[str]]:
    """Rewrite ``source_rules`` from ``policy`` (derived data; the handbook is the authority)."""
    ids = [only] if only else list(session.execute(select(Source.id)).scalars())
    session.execute(delete(SourceRule).where(SourceRule.source.in_(ids)))
    result = {source: allowed_rules(policy, source) if policy else [] for source in ids}
    rows = [{"source": source, "rule": rule} for source, rules in result.items() for rule in rules]
    if rows:
        session.execute(insert(SourceRule), rows)
    return result


def get(session: Session, *, source_id: str) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"no source {source_id!r}; register it with `socialcredit sources add {source_id}`")
    return source


def list_sources(session: Session) -> list[tuple[Source, list[str]]]:
    """Every source with the rules it may report."""
    rules: dict[str, list[str]] = {}
    for row in session.execute(select(SourceRule).order_by(SourceRule.source, SourceRule.rule)).scalars():
        rules.setdefault(row.source, []).append(row.rule)
    sources = session.execute(select(Source).order_by(Source.id)).scalars()
    return [(source, rules.get(source.id, [])) for source in sources]
