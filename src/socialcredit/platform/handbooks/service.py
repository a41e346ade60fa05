"""Handbook services: activate a version (audited), and the active handbook as a :class:`Policy`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import utcnow
from socialcredit.errors import UserError
from socialcredit.platform.audit import service as audit
from socialcredit.platform.handbooks.models import HandbookActivation, HandbookVersion
from socialcredit.platform.sources.service import refresh_rules
from socialcredit.policy import parse_policy
from socialcredit.policy.model import Policy


class NoActiveHandbook(UserError):
    """Nothing can be validated or scored before a handbook is active."""

    status = 409
    code = "no-active-handbook"


@dataclass(frozen=True, slots=True)
class Activation:
    """The outcome of :func:`activate`: the version, and whether anything changed."""

    version: HandbookVersion
    changed: bool


@lru_cache(maxsize=16)
def _parsed(digest: str, text: str) -> Policy:
    return parse_policy(text)


def policy_of(version: HandbookVersion) -> Policy:
    """The parsed handbook of a stored version (parsed once per process)."""
    return _parsed(version.hash, version.text)


def activate(session: Session, *, actor: Actor, text: str, origin: str = "<policy>") -> Activation:
    """Load handbook text (PolicyError when invalid), store it, and make it the active one."""
    policy = parse_policy(text, source=origin)
    version = session.execute(select(HandbookVersion).where(HandbookVersion.hash == policy.hash)).scalar_one_or_none()
    if version is None:
        version = HandbookVersion(
            policy_id=policy.id, version=policy.version, hash=policy.hash, text=text, added_at=utcnow()
        )
        session.add(version)
        session.flush()
    current = active_version(session)
    if current is not None and current.pk == version.pk:
        return Activation(version, False)
    seq, now = audit.next_seq(session), utcnow()
    row = {"handbook": version.pk, "activated_at": now, "actor": actor.id, "audit_seq": seq}
    digest = audit.add_rows(session, HandbookActivation, [row])
    rules = refresh_rules(session, policy)
    payload = {"id": policy.id, "version": policy.version, "hash": policy.hash, "source_rules": rules}
    audit.append(
        session,
        seq=seq,
        actor=actor.id,
        action="handbook.activate",
        object=f"handbook:{policy.hash}",
        payload=payload,
        covered={"handbook_activations": digest},
        at=now,
    )
    return Activation(version, True)


def active_version(session: Session) -> HandbookVersion | None:
    """The handbook of the latest activation, or None before the first."""
    query = (
        select(HandbookVersion)
        .join(HandbookActivation, HandbookActivation.handbook == HandbookVersion.pk)
        .order_by(HandbookActivation.activated_at.desc(), HandbookActivation.pk.desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def active_policy(session: Session) -> Policy:
    """The active handbook; NoActiveHandbook before ``socialcredit policy activate``."""
    version = active_version(session)
    if version is None:
        raise NoActiveHandbook("no handbook is active yet: run `socialcredit policy activate PATH`")
    return policy_of(version)
