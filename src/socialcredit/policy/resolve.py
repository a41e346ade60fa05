"""Phase two of loading: references, uniqueness, bands and the refusals of DESIGN §2 and §5.3."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from socialcredit.policy.categories import ALLOWED_CATEGORIES, refusal_reason
from socialcredit.policy.model import Policy


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a handbook, at a path."""

    path: str
    reason: str
    refused: bool = False

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def resolve_problems(policy: Policy) -> list[Problem]:
    """Every reference and consistency problem of a shape-valid handbook."""
    checks = (_header, _scale, _grades, _rules, _lists, _measures, _synth, _unique_ids)
    return [problem for check in checks for problem in check(policy)]


def _header(policy: Policy) -> Iterator[Problem]:
    try:
        ZoneInfo(policy.policy.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        yield Problem("policy.timezone", f"unknown time zone {policy.policy.timezone!r}")


def _scale(policy: Policy) -> Iterator[Problem]:
    low, high, start = policy.scale.min, policy.scale.max, policy.scale.start
    if low is not None and high is not None and low >= high:
        yield Problem("scale", "min must be below max")
    if (low is not None and start < low) or (high is not None and start > high):
        yield Problem("scale.start", "must lie within [min, max]")


def _grades(policy: Policy) -> Iterator[Problem]:
    grades = policy.grades
    for index, grade in enumerate(grades[:-1]):
        if grade.min is None:
            yield Problem(f"grades[{index}].min", "required on every grade but the last")
    if grades[-1].min is not None:
        yield Problem(f"grades[{len(grades) - 1}].min", "the last grade takes everything below: it has no min")
    mins = [(index, grade.min) for index, grade in enumerate(grades) if grade.min is not None]
    for (_, previous), (index, current) in pairwise(mins):
        if current >= previous:
            yield Problem(f"grades[{index}].min", "grade bands must be strictly decreasing, best first")
    yield from _duplicates("grades", [grade.name for grade in grades], "grade name")


def _rules(policy: Policy) -> Iterator[Problem]:
    grade_names = {grade.name for grade in policy.grades}
    for index, rule in enumerate(policy.rules):
        where = f"rules[{index}]"
        reason = refusal_reason(rule.category)
        if reason:
            yield Problem(f"{where}.category", f"category {rule.category!r} is refused by design: {reason}", True)
        elif rule.category not in ALLOWED_CATEGORIES:
            allowed = ", ".join(sorted(ALLOWED_CATEGORIES))
            yield Problem(f"{where}.category", f"unknown category {rule.category!r}; allowed: {allowed}")
        if rule.grade_ceiling is not None and rule.grade_ceiling not in grade_names:
            yield Problem(f"{where}.grade_ceiling", f"no grade named {rule.grade_ceiling!r}")
        if rule.subjects and not set(rule.subjects) <= set(policy.policy.subjects):
            yield Problem(f"{where}.subjects", "must be among the handbook's policy.subjects")
        if rule.sources is not None and not rule.sources:
            yield Problem(f"{where}.sources", "name at least one source, or leave the key out")
        if not rule.discretionary and rule.points == 0:
            yield Problem(f"{where}.points", "a rule must move points (use a list for a flag without points)")


def _lists(policy: Policy) -> Iterator[Problem]:
    rule_ids = {rule.id for rule in policy.rules}
    grade_names = {grade.name for grade in policy.grades}
    for index, entry in enumerate(policy.lists):
        where = f"lists[{index}].members"
        for rule_id in entry.members.rules:
            if rule_id not in rule_ids:
                yield Problem(f"{where}.rules", f"no rule with id {rule_id!r}")
        for grade in entry.members.grades:
            if grade not in grade_names:
                yield Problem(f"{where}.grades", f"no grade named {grade!r}")
        if entry.public and entry.members.grades:
            yield Problem(
                f"lists[{index}].public",
                "refused by design: a grade-based list would publish individuals' scores; "
                "only legally public listings (court defaulters, serious dishonesty) may be public",
                True,
            )


def _measures(policy: Policy) -> Iterator[Problem]:
    list_ids = {entry.id for entry in policy.lists}
    grade_names = {grade.name for grade in policy.grades}
    for index, measure in enumerate(policy.measures):
        for list_id in measure.when.lists:
            if list_id not in list_ids:
                yield Problem(f"measures[{index}].when.lists", f"no list with id {list_id!r}")
        for grade in measure.when.grades:
            if grade not in grade_names:
                yield Problem(f"measures[{index}].when.grades", f"no grade named {grade!r}")


def _synth(policy: Policy) -> Iterator[Problem]:
    known = ALLOWED_CATEGORIES | {rule.id for rule in policy.rules}
    for key in policy.synth.rates:
        if key not in known:
            yield Problem(f"synth.rates.{key}", "not a category or rule id of this handbook")


def _unique_ids(policy: Policy) -> Iterator[Problem]:
    yield from _duplicates("rules", [rule.id for rule in policy.rules], "rule id")
    yield from _duplicates("lists", [entry.id for entry in policy.lists], "list id")
    yield from _duplicates("measures", [measure.id for measure in policy.measures], "measure id")


def _duplicates(section: str, names: list[str], what: str) -> Iterator[Problem]:
    counts = Counter(names)
    for index, name in enumerate(names):
        if counts[name] > 1 and names.index(name) != index:
            yield Problem(
                f"{section}[{index}].{'name' if what == 'grade name' else 'id'}", f"duplicate {what} {name!r}"
            )
