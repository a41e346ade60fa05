"""Lists: ``GET /api/v1/lists/{id}?version=V``, ``…/changes?since=V`` and the public lists."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from socialcredit.api.deps import Allowed, guard, reading
from socialcredit.errors import NotFound
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.platform.lists import public
from socialcredit.platform.lists import service as lists
from socialcredit.platform.standings.service import today
from socialcredit.platform.subjects.models import Subject
from socialcredit.policy.model import ListDef, Policy

router = APIRouter(tags=["lists"])


def _definition(policy: Policy, list_id: str) -> ListDef:
    found = next((d for d in policy.lists if d.id == list_id), None)
    if found is None:
        raise NotFound(f"no list {list_id!r} in handbook {policy.id} {policy.version}")
    return found


def _about(definition: ListDef) -> dict[str, Any]:
    return {
        "id": definition.id,
        "kind": definition.kind,
        "title": definition.title,
        "public": definition.public,
        "legal_basis": definition.legal_basis,
    }


@router.get("/lists", **guard("lists.read"))
def index(request: Request, actor: Allowed) -> dict[str, Any]:
    """The lists of the active handbook, with the current list version."""
    with reading(request) as session:
        policy = active_policy(session)
        version = lists.heads(session)[1]
    return {"version": version, "lists": [_about(definition) for definition in policy.lists]}


@router.get("/lists/{list_id}", **guard("lists.read"))
def read_list(
    request: Request,
    actor: Allowed,
    list_id: str,
    version: int | None = Query(None, ge=0, description="The list version to answer at (default: now)."),
) -> dict[str, Any]:
    """The members of a list at a version: subject, name, since, until and the version that added them."""
    with reading(request) as session:
        definition = _definition(active_policy(session), list_id)
        answered, members = lists.members_at(session, list_id=list_id, version=version)
        names = _names(session, [member.subject for member in members])
    return {
        "list": _about(definition),
        "version": answered,
        "count": len(members),
        "members": [{**member.as_json(), "name": names.get(member.subject)} for member in members],
    }


def _names(session: Any, subjects: list[str]) -> dict[str, str | None]:
    from sqlalchemy import select

    found: dict[str, str | None] = {}
    for start in range(0, len(subjects), 2000):
        query = select(Subject.national_id, Subject.name).where(Subject.national_id.in_(subjects[start : start + 2000]))
        found.update(session.execute(query).all())
    return found


@router.get("/lists/{list_id}/changes", **guard("lists.read"))
def list_changes(
    request: Request,
    actor: Allowed,
    list_id: str,
    since: int = Query(0, ge=0, description="Changes after this version."),
    limit: int = Query(1000, ge=1, le=100_000),
) -> dict[str, Any]:
    """Who was added and removed after version ``since``, oldest first."""
    with reading(request) as session:
        _definition(active_policy(session), list_id)
        head, changes = lists.changes_since(session, list_id=list_id, since=since, limit=limit)
        times = lists.version_times(session, [change.version for change in changes])
    return {
        "list": list_id,
        "since": since,
        "version": head,
        "changes": [
            {
                "version": change.version,
                "at": times[change.version].isoformat() if change.version in times else None,
                "subject": change.subject,
                "change": change.change,
                "since": change.since.isoformat() if change.since else None,
                "until": change.until.isoformat() if change.until else None,
            }
            for change in changes
        ],
    }


@router.get("/public/lists", **guard("lists.public"))
def public_index(request: Request, actor: Allowed) -> dict[str, Any]:
    """The lists whose entries are legally public."""
    with reading(request) as session:
        policy = active_policy(session)
    return {"lists": [_about(definition) for definition in public.public_lists(policy)]}


@router.get("/public/lists/{list_id}", **guard("lists.public"))
def public_list(request: Request, actor: Allowed, list_id: str) -> dict[str, Any]:
    """A public list: organisations by name and code; persons only with what the court list publishes."""
    with reading(request) as session:
        policy = active_policy(session)
        definition = public.definition_of(policy, list_id)
        entries = public.entries(session, policy=policy, list_id=list_id, today=today(policy))
        version = lists.heads(session)[1]
    return {"list": _about(definition), "version": version, "count": len(entries), "entries": entries}
