"""Load a handbook in two phases: parse and validate the shape, then resolve references.

Every problem is reported as ``path: reason`` (``rules[3].cap.per: must be one of month, quarter, year``);
all problems are collected before raising, so one run shows them all.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from socialcredit.errors import PolicyError, RefusedByDesign
from socialcredit.policy.categories import refusal_reason
from socialcredit.policy.model import Policy
from socialcredit.policy.resolve import Problem, resolve_problems

# Keys that would aim measures or scores at people other than the subject, or publish scores.
_REFUSED_KEYS = {
    "applies_to": (
        "measures apply only to the subject; reaching relatives, children or anyone else is refused by design"
    ),
    "publish_scores": "individuals' points and grades are never published",
}


def load_policy(path: str | Path) -> Policy:
    """Read, validate and resolve a handbook file; raise PolicyError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{path}: no such handbook file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path}: cannot read handbook: {error}") from None
    return parse_policy(text, source=str(path))


def parse_policy(text: str, *, source: str = "<policy>") -> Policy:
    """Parse handbook TOML text (see :func:`load_policy`)."""
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{source}: not valid TOML: {error}", details=[f"toml: {error}"]) from None
    return policy_from_dict(raw, source=source)


def policy_from_dict(raw: dict[str, Any], *, source: str = "<policy>") -> Policy:
    """Validate a parsed handbook mapping (phase 1: shape; phase 2: references)."""
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as error:
        _raise(source, [_shape_problem(item) for item in error.errors()] + _refused_categories(raw))
    problems = resolve_problems(policy)
    if problems:
        _raise(source, problems)
    policy._hash = content_hash(policy)
    return policy


def content_hash(policy: Policy) -> str:
    """SHA-256 over the canonical JSON form: comments, order of keys and spacing do not matter."""
    return hashlib.sha256(canonical_json(policy).encode("utf-8")).hexdigest()


def canonical_json(policy: Policy) -> str:
    """The handbook as canonical JSON (sorted keys, no spaces, defaults filled in)."""
    data = policy.model_dump(mode="json")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _refused_categories(raw: dict[str, Any]) -> list[Problem]:
    """Refusals are reported even when the shape is wrong elsewhere: they matter most."""
    rules = raw.get("rules") if isinstance(raw, dict) else None
    problems = []
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        category = rule.get("category") if isinstance(rule, dict) else None
        reason = refusal_reason(category) if isinstance(category, str) else None
        if reason:
            message = f"category {category!r} is refused by design: {reason}"
            problems.append(Problem(f"rules[{index}].category", message, refused=True))
    return problems


def _raise(source: str, problems: list[Problem]) -> None:
    lines = [str(problem) for problem in problems]
    refused = any(problem.refused for problem in problems)
    kind = RefusedByDesign if refused else PolicyError
    noun = "problem" if len(lines) == 1 else "problems"
    raise kind(f"{source}: {len(lines)} {noun} in handbook", details=lines)


def _shape_problem(item: Any) -> Problem:
    path = _path(item["loc"])
    key = item["loc"][-1] if item["loc"] else ""
    kind = item["type"]
    if kind == "extra_forbidden" and key in _REFUSED_KEYS:
        return Problem(path, f"refused by design: {_REFUSED_KEYS[key]}", refused=True)
    return Problem(path, _reason(kind, item))


def _reason(kind: str, item: Any) -> str:
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", item.get("ctx", {}).get("expected", ""))
        return f"must be one of {', '.join(options)}; got {item.get('input')!r}"
    message = str(item["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message[0].lower() + message[1:] if message else kind


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top)"
