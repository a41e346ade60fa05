"""User and key services: create, authenticate, revoke; each write audited, never the secret itself."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.access import ROLES, Actor
from socialcredit.db.base import utcnow
from socialcredit.errors import Conflict, InvalidInput, NotFound, Unauthorized
from socialcredit.identity import parse_subject
from socialcredit.platform.audit import service as audit
from socialcredit.platform.sources import service as sources
from socialcredit.platform.subjects.service import ensure_subjects
from socialcredit.platform.users import credentials
from socialcredit.platform.users.models import ApiKey, User

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$")
MIN_PASSWORD = 8


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just created: the row, and the token to show once."""

    key: ApiKey
    token: str


def _check_name(name: str) -> None:
    if not NAME.match(name):
        raise InvalidInput(
            f"name {name!r}: letters, digits and . _ : @ - only (at most 100)",
            details=[{"field": "name", "reason": "invalid name"}],
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(
            f"role {role!r} is not one of {', '.join(ROLES)}", details=[{"field": "role", "reason": "unknown role"}]
        )


def create_user(
    session: Session,
    *,
    actor: Actor,
    name: str,
    role: str,
    password: str,
    subject: str | None = None,
    source: str | None = None,
) -> User:
    """A person's account; a ``subject`` user is tied to its national identifier (and only it is)."""
    _check_name(name)
    _check_role(role)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password: at least {MIN_PASSWORD} characters", details=[{"field": "password"}])
    if (role == "subject") != (subject is not None):
        raise InvalidInput(
            "a subject user needs --subject ID, and only a subject user has one",
            details=[{"field": "subject", "reason": "required exactly for role subject"}],
        )
    national_id = parse_subject(subject).id if subject else None
    if national_id:
        ensure_subjects(session, [national_id])
    if source:
        sources.get(session, source_id=source)
    if session.execute(select(User).where(User.name == name)).scalar_one_or_none() is not None:
        raise Conflict(f"user {name!r} already exists", details={"name": name})
    user = User(
        name=name,
        role=role,
        password_hash=credentials.hash_password(password),
        subject=national_id,
        source=source,
        created_at=utcnow(),
    )
    session.add(user)
    audit.log(
        session,
        actor=actor.id,
        action="user.create",
        object=f"user:{name}",
        payload={"role": role, "subject": national_id, "source": source},
    )
    return user


def authenticate(session: Session, *, name: str, password: str) -> User:
    """The user with this name and password; Unauthorized otherwise (the same message either way)."""
    user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    if user is None or user.disabled_at is not None or not credentials.check_password(user.password_hash, password):
        raise Unauthorized("wrong name or password")
    return user


def user_actor(user: User) -> Actor:
    return Actor("user", user.name, user.role, subject=user.subject, source=user.source)


def get_user(session: Session, *, pk: int) -> User | None:
    user = session.get(User, pk)
    return user if user is not None and user.disabled_at is None else None


def create_key(
    session: Session, *, actor: Actor, name: str, role: str, services: tuple[str, ...] = (), source: str | None = None
) -> NewKey:
    """A machine key; a ``source`` key is bound to its source (default: the source named ``name``)."""
    _check_name(name)
    _check_role(role)
    if role == "subject":
        raise InvalidInput("subjects log in as users; keys are for machines", details=[{"field": "role"}])
    if role == "source":
        source = source or name
    if source:
        sources.get(session, source_id=source)
    if session.execute(select(ApiKey).where(ApiKey.name == name)).scalar_one_or_none() is not None:
        raise Conflict(f"key {name!r} already exists", details={"name": name})
    token = credentials.new_key()
    key = ApiKey(
        name=name,
        role=role,
        key_hash=credentials.key_hash(token),
        prefix=token[:12],
        services=json.dumps(list(services)) if services else None,
        source=source,
        created_at=utcnow(),
    )
    session.add(key)
    audit.log(
        session,
        actor=actor.id,
        action="key.create",
        object=f"key:{name}",
        payload={"role": role, "services": list(services), "source": source, "prefix": key.prefix},
    )
    return NewKey(key, token)


def key_actor(session: Session, *, token: str) -> Actor | None:
    """The actor of a bearer token, or None when no live key has this hash."""
    key = session.execute(select(ApiKey).where(ApiKey.key_hash == credentials.key_hash(token))).scalar_one_or_none()
    if key is None or key.revoked_at is not None:
        return None
    services = tuple(json.loads(key.services)) if key.services else ()
    return Actor("key", key.name, key.role, source=key.source, services=services)


def revoke_key(session: Session, *, actor: Actor, name: str) -> ApiKey:
    key = session.execute(select(ApiKey).where(ApiKey.name == name)).scalar_one_or_none()
    if key is None:
        raise NotFound(f"no key {name!r}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.log(session, actor=actor.id, action="key.revoke", object=f"key:{name}")
    return key
