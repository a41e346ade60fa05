"""The notice a subject receives when a check denies them a service (pure): reasons, legal basis, recourse."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from socialcredit.platform.checks.decision import CheckDecision
from socialcredit.platform.checks.snapshot import Applied, Membership
from socialcredit.policy.model import Policy


def how_to_object(working_days: int) -> str:
    return (
        "If a record behind this decision is wrong, object to it: POST /api/v1/objections with "
        '{"source", "record", "reason"}, or ask a credit office clerk to do it for you. The record is then '
        f"contested, and its source must uphold, correct or withdraw it within {working_days} working days; "
        "if it misses that deadline the record is suspended until it decides. Once the minimum publicity "
        "period has passed and you have corrected the conduct, you may apply for repair (POST /api/v1/repairs)."
    )


def notice_body(
    decision: CheckDecision, policy: Policy, *, party: str, purpose: str, checked_at: datetime
) -> dict[str, Any]:
    """The notice for a ``deny``: who asked and why, each denying measure with the lists and records behind it."""
    memberships = {member.list_id: member for member in (decision.state.lists if decision.state else ())}
    denying = [measure for measure in decision.verdict.measures if measure.effect == "deny"]
    return {
        "service": decision.service,
        "decision": decision.decision,
        "party": party,
        "purpose": purpose,
        "checked_at": checked_at.isoformat(),
        "list_version": decision.list_version,
        "reasons": [_reason(measure, memberships, policy) for measure in denying],
        "legal_basis": list(dict.fromkeys(measure.legal_basis for measure in denying)),
        "how_to_object": how_to_object(policy.policy.objection_working_days),
    }


def _reason(measure: Applied, memberships: dict[str, Membership], policy: Policy) -> dict[str, Any]:
    titles = {definition.id: definition for definition in policy.lists}
    rules = policy.rules_by_id
    lists = []
    for name in measure.lists:
        member = memberships.get(name, Membership(name))
        definition = titles.get(name)
        lists.append(
            {
                "id": name,
                "title": definition.title if definition else name,
                "legal_basis": definition.legal_basis if definition else None,
                "since": member.since.isoformat() if member.since else None,
                "until": member.until.isoformat() if member.until else None,
                "records": [
                    {
                        "source": behind.source,
                        "record": behind.record,
                        "rule": behind.rule,
                        "rule_title": rules[behind.rule].title if behind.rule in rules else None,
                        "legal_basis": rules[behind.rule].legal_basis if behind.rule in rules else None,
                    }
                    for behind in member.records
                ],
            }
        )
    return {
        "measure": measure.id,
        "title": measure.title,
        "legal_basis": measure.legal_basis,
        "lists": lists,
        "grade": measure.grade,
    }
