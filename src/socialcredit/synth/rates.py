"""How often each rule happens: yearly events per subject, by category, overridable in the handbook's ``[synth]``.

``[synth] rates = { community = 4.0, "traffic.fail-to-yield" = 0.5 }``: a rule id sets that rule's rate;
a category sets the total rate of its other rules. Within a category the total is shared by severity
(minor 1, general 0.3, serious 0.1), so serious conduct is rarer than minor.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialcredit.policy.model import Policy, Rule

# Expected events per subject per year: (person, organisation).
DEFAULT_RATES: dict[str, tuple[float, float]] = {
    "registration": (0.02, 0.3),
    "judicial": (0.01, 0.03),
    "administrative-penalty": (0.05, 0.15),
    "licensing": (0.01, 0.1),
    "abnormal-operation": (0.0, 0.08),
    "serious-dishonesty": (0.002, 0.01),
    "contract-performance": (0.05, 0.1),
    "tax": (0.03, 0.2),
    "social-insurance": (0.02, 0.1),
    "commitments": (0.02, 0.1),
    "evaluations": (0.1, 0.2),
    "honours": (0.05, 0.05),
    "intellectual-property": (0.002, 0.02),
    "traffic": (0.8, 0.2),
    "environment": (0.1, 0.05),
    "community": (4.0, 0.2),
}
SEVERITY_WEIGHTS = {"minor": 1.0, "general": 0.3, "serious": 0.1}
KINDS = ("person", "organisation")


@dataclass(frozen=True)
class RuleRate:
    """A rule and its expected events per subject per year, for persons and for organisations."""

    rule: Rule
    person: float
    organisation: float

    def of(self, kind: str) -> float:
        return self.person if kind == "person" else self.organisation


def rule_kinds(rule: Rule, policy: Policy) -> tuple[str, ...]:
    """The kinds of subject a rule may be recorded about."""
    allowed = rule.subjects or policy.policy.subjects
    return tuple(kind for kind in KINDS if kind in allowed)


def rule_rates(policy: Policy) -> list[RuleRate]:
    """Every rule of the handbook with its yearly rates (0 for kinds it does not apply to)."""
    overrides = policy.synth.rates
    rates: dict[str, dict[str, float]] = {rule.id: dict.fromkeys(KINDS, 0.0) for rule in policy.rules}
    for kind in KINDS:
        shared: dict[str, list[Rule]] = {}
        for rule in policy.rules:
            if kind not in rule_kinds(rule, policy):
                continue
            if rule.id in overrides:
                rates[rule.id][kind] = overrides[rule.id]
            else:
                shared.setdefault(rule.category, []).append(rule)
        for category, rules in shared.items():
            total = overrides.get(category, DEFAULT_RATES.get(category, (0.0, 0.0))[KINDS.index(kind)])
            weights = [SEVERITY_WEIGHTS[rule.severity] for rule in rules]
            for rule, weight in zip(rules, weights, strict=True):
                rates[rule.id][kind] = total * weight / sum(weights)
    return [RuleRate(rule, rates[rule.id]["person"], rates[rule.id]["organisation"]) for rule in policy.rules]


def yearly_events(rates: list[RuleRate], kind: str) -> float:
    """Expected facts per subject of ``kind`` per year, over all rules."""
    return sum(rate.of(kind) for rate in rates)
