"""The rule-category whitelist (DESIGN §5.3) and the categories refused by design, with the reason."""

from __future__ import annotations

ALLOWED_CATEGORIES: frozenset[str] = frozenset(
    {
        "registration",
        "judicial",
        "administrative-penalty",
        "licensing",
        "abnormal-operation",
        "serious-dishonesty",
        "contract-performance",
        "tax",
        "social-insurance",
        "commitments",
        "evaluations",
        "honours",
        "intellectual-property",
        "traffic",
        "environment",
        "community",
    }
)

_BELIEF = "scoring belief or expression punishes conscience, not conduct (documented abuse; Shandong Art 42)"
_IDENTITY = "a protected characteristic is not conduct and must never move a score"
_OTHERS = "a person is scored only on their own conduct, never on other people's"
_SENSITIVE = "sensitive personal data is banned from credit information (Shandong Art 42; CRC Regulation)"

REFUSED_CATEGORIES: dict[str, str] = {
    "political": _BELIEF,
    "expression": _BELIEF,
    "religion": _BELIEF,
    "petition": "petitions and complaints to the authorities are a right, not a breach of trust",
    "association": "membership of associations or parties is not conduct to be scored",
    "ethnicity": _IDENTITY,
    "nationality": _IDENTITY,
    "sex": _IDENTITY,
    "sexuality": _IDENTITY,
    "marital-status": _IDENTITY,
    "health": _SENSITIVE,
    "genetic": _SENSITIVE,
    "biometric": _SENSITIVE,
    "relatives": _OTHERS,
    "relationships": _OTHERS,
}


def refusal_reason(category: str) -> str | None:
    """Why ``category`` is refused, or None when it is not a refused category."""
    return REFUSED_CATEGORIES.get(category)
