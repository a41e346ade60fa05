"""The check decision: a pure function of the snapshot, the identifier and the service, with its explanation.

``allow`` or ``deny`` (deny when any applicable measure denies the service), the measures and lists behind
it, their legal basis and the list version of the snapshot. A relying party learns nothing else: no
points, no grade, no national identifier behind a passport number.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

from socialcredit.errors import IdentifierError
from socialcredit.identity import normalize, parse_subject, validate_passport
from socialcredit.platform.checks.snapshot import DENY, Applied, CheckSnapshot, SubjectState, Verdict
from socialcredit.policy.model import Policy


@dataclass(frozen=True, slots=True)
class Identifier:
    """A checked identifier, normalised: a national id (RIC or USCC) or a passport number (an alias)."""

    value: str
    kind: Literal["national-id", "passport"]


def classify(raw: str) -> Identifier:
    """The identifier a relying party sent; IdentifierError saying what is wrong when it is neither kind."""
    return _classified(raw) if isinstance(raw, str) else _classify("")


@functools.lru_cache(maxsize=1 << 16)
def _classified(raw: str) -> Identifier:
    """:func:`_classify`, remembered: the same people are checked again and again (errors are not kept)."""
    return _classify(raw)


def _classify(raw: str) -> Identifier:
    value = normalize(raw)
    try:
        return Identifier(parse_subject(value).id, "national-id")
    except IdentifierError as error:
        try:
            return Identifier(validate_passport(value), "passport")
        except IdentifierError:
            raise IdentifierError(
                f"subject: {raw!r} is neither a national identifier ({error.message}) nor a passport number",
                details=[{"field": "subject", "reason": error.message}],
            ) from None


@dataclass(frozen=True, slots=True)
class CheckDecision:
    """A decision and why: the verdict for ``service`` on ``subject`` (None: nothing held) at ``list_version``."""

    identifier: Identifier
    subject: str | None
    service: str
    verdict: Verdict
    list_version: int
    explanation: str
    state: SubjectState | None = None

    @property
    def decision(self) -> str:
        return self.verdict.decision

    def as_json(self, policy: Policy) -> dict[str, Any]:
        """The answer's decision fields (the log adds ``decision_id`` and ``checked_at``)."""
        definitions = {definition.id: definition for definition in policy.lists}
        return {
            "decision": self.verdict.decision,
            "service": self.service,
            "measures": [_measure_json(measure) for measure in self.verdict.measures],
            "lists": [
                {"id": name, "kind": definitions[name].kind, "title": definitions[name].title}
                for name in self.verdict.lists
                if name in definitions
            ],
            "legal_basis": list(self.verdict.legal_basis),
            "list_version": self.list_version,
            "explanation": self.explanation,
        }


def _measure_json(measure: Applied) -> dict[str, str]:
    return {"id": measure.id, "title": measure.title, "effect": measure.effect, "legal_basis": measure.legal_basis}


def decide(
    snapshot: CheckSnapshot, identifier: Identifier, service: str, *, subject: str | None = None
) -> CheckDecision:
    """Decide ``service`` for ``identifier`` from ``snapshot``; ``subject`` when an alias was resolved elsewhere."""
    key = subject or identifier.value
    found = snapshot.find(key, service)
    holder = found.subject or subject or (identifier.value if identifier.kind == "national-id" else None)
    return CheckDecision(
        identifier, holder, service, found.verdict, snapshot.list_version, explain(found.verdict, service), found.state
    )


def explain(verdict: Verdict, service: str) -> str:
    """Why: each applicable measure, what triggered it and its legal basis; or that none applies."""
    if not verdict.measures:
        return f"allow {service}: no measure for this service applies to the subject"
    parts = []
    for measure in verdict.measures:
        cause = (
            f"the subject is on {_names('list', measure.lists)}"
            if measure.lists
            else f"the subject's grade is {measure.grade}"
        )
        parts.append(
            f"{measure.effect} by measure {measure.id} ({measure.title}) because {cause}; "
            f"legal basis: {measure.legal_basis}"
        )
    head = "deny" if verdict.decision == DENY else "allow"
    return f"{head} {service}: " + " | ".join(parts)


def _names(noun: str, names: tuple[str, ...]) -> str:
    return f"{noun} {names[0]}" if len(names) == 1 else f"{noun}s {', '.join(names)}"
