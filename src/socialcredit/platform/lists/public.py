"""Public lists: only lists the handbook marks ``public`` (legally public listings, e.g. court judgment
defaulters). Organisations appear with name and code; persons only with what the court list publishes
(name, sex, age, identity number with the month and day of birth masked, the conduct, the case number, the
court). Points and grades never appear. An entry leaves the public list when its publication period ends
(the maximum publicity of its records' severity)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from socialcredit.errors import NotFound
from socialcredit.identity import age_on, person_facts
from socialcredit.platform.lists.models import ListMember
from socialcredit.platform.lists.service import membership
from socialcredit.platform.records.models import RecordRow
from socialcredit.platform.rights.periods import publicity
from socialcredit.platform.subjects.models import Subject
from socialcredit.policy.model import ListDef, Policy


def public_lists(policy: Policy) -> list[ListDef]:
    return [definition for definition in policy.lists if definition.public]


def definition_of(policy: Policy, list_id: str) -> ListDef:
    found = next((d for d in public_lists(policy) if d.id == list_id), None)
    if found is None:
        raise NotFound(f"no public list {list_id!r}; public lists: {', '.join(d.id for d in public_lists(policy))}")
    return found


def mask(national_id: str) -> str:
    """A resident identity number with the month and day of birth hidden: ``3604261991****0071``."""
    return national_id[:10] + "****" + national_id[14:]


def entries(session: Session, *, policy: Policy, list_id: str, today: date) -> list[dict[str, Any]]:
    """The public entries of a public list on ``today``, oldest listing first."""
    definition_of(policy, list_id)
    rows = list(session.execute(select(ListMember).where(ListMember.list_id == list_id)).scalars())
    members = [(row.subject, membership(row)) for row in rows]
    facts = _facts(session, [(b.source, b.record) for _, member in members for b in member.records])
    subjects = _subjects(session, [subject for subject, _ in members])
    found = []
    for subject, member in members:
        shown = [facts[(b.source, b.record)] for b in member.records if (b.source, b.record) in facts]
        shown = [fact for fact in shown if _publication_ends(policy, fact) > today >= fact.occurred_on]
        if shown and subject in subjects:
            found.append(_entry(subjects[subject], shown, policy, today))
    return sorted(found, key=lambda entry: (entry["listed_since"], entry["name"] or ""))


def _facts(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], RecordRow]:
    found: dict[tuple[str, str], RecordRow] = {}
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        query = select(RecordRow).where(tuple_(RecordRow.source, RecordRow.record_id).in_(part))
        found.update(((row.source, row.record_id), row) for row in session.execute(query).scalars())
    return found


def _subjects(session: Session, national_ids: list[str]) -> dict[str, Subject]:
    found: dict[str, Subject] = {}
    for start in range(0, len(national_ids), 2000):
        query = select(Subject).where(Subject.national_id.in_(national_ids[start : start + 2000]))
        found.update((row.national_id, row) for row in session.execute(query).scalars())
    return found


def _publication_ends(policy: Policy, fact: RecordRow) -> date:
    rule = policy.rule(fact.rule or "")
    return publicity(rule.severity if rule else "serious", fact.occurred_on).ends_on


def _entry(subject: Subject, facts: list[RecordRow], policy: Policy, today: date) -> dict[str, Any]:
    rules = policy.rules_by_id
    shared = {
        "name": subject.name,
        "conduct": sorted({rules[f.rule].title if f.rule in rules else str(f.rule) for f in facts}),
        "documents": sorted({f.document for f in facts if f.document}),
        "sources": sorted({f.source for f in facts}),
        "listed_since": min(f.occurred_on for f in facts).isoformat(),
        "publication_ends_on": max(_publication_ends(policy, f) for f in facts).isoformat(),
    }
    if subject.kind == "organisation":
        return {"kind": "organisation", "code": subject.national_id, **shared}
    facts_of = person_facts(subject.national_id)
    return {
        "kind": "person",
        "sex": facts_of.sex,
        "age": age_on(facts_of.birth_date, today),
        "id_number": mask(subject.national_id),
        **shared,
    }
