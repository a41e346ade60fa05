"""What changed between two handbooks: header and scale fields, grade bands, rules, lists and measures.

:func:`diff_policies` is pure and returns a :class:`PolicyDiff`; ``as_json()`` is the structured form the
CLI (``socialcredit policy diff --format json``), the API and the web pages share. Values are shown in the
handbook's canonical JSON form (points as decimal strings, durations as ISO 8601).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from socialcredit.policy.model import Policy

SECTIONS = ("rules", "lists", "measures")


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field that differs: ``field`` is a dotted path inside the item (``cap.count``)."""

    field: str
    old: Any
    new: Any

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class ItemChange:
    """An item present in both handbooks (same id) whose content differs."""

    id: str
    fields: tuple[FieldChange, ...]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "fields": [change.as_json() for change in self.fields]}


@dataclass(frozen=True, slots=True)
class SectionDiff:
    """Items of one section (rules, lists, measures or grades) added, removed and changed, by id."""

    added: tuple[dict[str, Any], ...] = ()
    removed: tuple[dict[str, Any], ...] = ()
    changed: tuple[ItemChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_json(self) -> dict[str, Any]:
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [change.as_json() for change in self.changed],
        }


@dataclass(frozen=True, slots=True)
class PolicyDiff:
    """Everything that differs between an ``old`` and a ``new`` handbook."""

    old: dict[str, str]
    new: dict[str, str]
    header: tuple[FieldChange, ...]
    scale: tuple[FieldChange, ...]
    grades: SectionDiff
    bands: dict[str, list[dict[str, Any]]]
    grade_order_changed: bool
    sections: dict[str, SectionDiff]
    synth: tuple[FieldChange, ...]

    @property
    def identical(self) -> bool:
        """True when the handbooks mean the same (their content hashes are equal)."""
        return self.old["hash"] == self.new["hash"]

    def as_json(self) -> dict[str, Any]:
        return {
            "old": dict(self.old),
            "new": dict(self.new),
            "identical": self.identical,
            "header": [change.as_json() for change in self.header],
            "scale": [change.as_json() for change in self.scale],
            "grades": {**self.grades.as_json(), "order_changed": self.grade_order_changed, "bands": self.bands},
            **{name: section.as_json() for name, section in self.sections.items()},
            "synth": [change.as_json() for change in self.synth],
        }


def diff_policies(old: Policy, new: Policy) -> PolicyDiff:
    """Compare two loaded handbooks field by field; items are matched by id (grades by name)."""
    old_data, new_data = old.model_dump(mode="json"), new.model_dump(mode="json")
    old_names = [grade["name"] for grade in old_data["grades"]]
    new_names = [grade["name"] for grade in new_data["grades"]]
    common = set(old_names) & set(new_names)
    return PolicyDiff(
        old=_ref(old),
        new=_ref(new),
        header=field_changes(old_data["policy"], new_data["policy"]),
        scale=field_changes(old_data["scale"], new_data["scale"]),
        grades=section_diff(old_data["grades"], new_data["grades"], key="name"),
        bands={"old": _bands(old_data["grades"]), "new": _bands(new_data["grades"])},
        grade_order_changed=[n for n in old_names if n in common] != [n for n in new_names if n in common],
        sections={name: section_diff(old_data[name], new_data[name]) for name in SECTIONS},
        synth=field_changes(old_data["synth"], new_data["synth"]),
    )


def section_diff(old: list[dict[str, Any]], new: list[dict[str, Any]], *, key: str = "id") -> SectionDiff:
    """Items added (in ``new`` only), removed (in ``old`` only) and changed, in handbook order."""
    old_by_id = {item[key]: item for item in old}
    new_by_id = {item[key]: item for item in new}
    changed = []
    for item in new:
        before = old_by_id.get(item[key])
        if before is not None:
            fields = field_changes(before, item)
            if fields:
                changed.append(ItemChange(str(item[key]), fields))
    return SectionDiff(
        added=tuple(_compact(item) for item in new if item[key] not in old_by_id),
        removed=tuple(_compact(item) for item in old if item[key] not in new_by_id),
        changed=tuple(changed),
    )


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Leaf fields (dotted paths) whose values differ; a field missing on one side is None there."""
    flat_old, flat_new = _flatten(old), _flatten(new)
    paths = list(flat_old) + [path for path in flat_new if path not in flat_old]
    return tuple(
        FieldChange(path, flat_old.get(path), flat_new.get(path))
        for path in paths
        if flat_old.get(path) != flat_new.get(path)
    )


def _flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings become dotted paths (an empty one has no leaves); lists and scalars are leaves."""
    flat: dict[str, Any] = {}
    for name, item in value.items():
        path = f"{prefix}{name}"
        if isinstance(item, dict):
            flat.update(_flatten(item, path + "."))
        else:
            flat[path] = item
    return flat


def _compact(item: dict[str, Any]) -> dict[str, Any]:
    """An added or removed item without its unset (None) fields."""
    return {name: value for name, value in item.items() if value is not None}


def _bands(grades: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": grade["name"], "min": grade["min"]} for grade in grades]


def _ref(policy: Policy) -> dict[str, str]:
    return {**policy.ref(), "title": policy.policy.title}
