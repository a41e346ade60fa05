"""Reading a standing in its JSON shape (DESIGN §7) and the handbook notes that explain it.

Reports and certificates take the standing as the plain JSON dict every engine prints, validated here
with messages that name the field, so they do not depend on the engine's classes. Rule, measure and list
titles and legal bases come as :class:`PolicyNotes` (plain mappings), built from a loaded handbook with
:func:`notes_from_policy` or by hand.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from socialcredit.errors import InvalidInput

Points = Annotated[str, StringConstraints(pattern=r"^-?[0-9]+(\.[0-9]{1,2})?$")]
Text = Annotated[str, Field(min_length=1)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PolicyRef(_Doc):
    id: Text
    version: Text
    hash: Text


class ListDoc(_Doc):
    id: Text
    since: date | None = None
    until: date | None = None


class MeasureDoc(_Doc):
    id: Text
    service: Text
    effect: Literal["deny", "benefit"]


class ContributionDoc(_Doc):
    source: Text
    record: Text
    rule: Text
    points: Points
    status: Text


class StandingDoc(_Doc):
    """A standing as JSON (DESIGN §7), validated."""

    subject: Text
    as_of: date
    known_at: datetime
    policy: PolicyRef
    points: Points | None
    grade: str | None
    lists: list[ListDoc] = Field(default_factory=list)
    measures: list[MeasureDoc] = Field(default_factory=list)
    contributions: list[ContributionDoc] = Field(default_factory=list)
    next_change_on: date | None = None


def parse_standing(data: Any, *, where: str = "standing") -> StandingDoc:
    """Validate a standing dict; :class:`InvalidInput` lists every ``field: reason`` problem."""
    if isinstance(data, StandingDoc):
        return data
    try:
        return StandingDoc.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{where}.{'.'.join(str(p) for p in item['loc'])}: {item['msg']}"
            if item["loc"]
            else f"{where}: {item['msg']}"
            for item in error.errors()
        ]
        raise InvalidInput(f"{where} is not a standing: {problems[0]}", details=problems) from None


def load_standing_file(path: Path, *, subject: str | None = None) -> dict[str, Any]:
    """One standing from a JSON file or JSON Lines (as ``evaluate --format json`` prints); ``-`` is stdin.

    A JSON array works too; with several standings in the file, ``subject`` picks one.
    """
    text = _read_text(path)
    try:
        whole = json.loads(text)
        standings = whole if isinstance(whole, list) else [whole]
    except ValueError:
        lines = enumerate(text.splitlines(), start=1)
        standings = [_json_line(line, path, number) for number, line in lines if line.strip()]
    if subject is not None:
        standings = [s for s in standings if isinstance(s, dict) and s.get("subject") == subject]
        if not standings:
            raise InvalidInput(f"{path}: no standing for subject {subject}")
    if len(standings) != 1:
        raise InvalidInput(f"{path}: holds {len(standings)} standings; pick one with --subject ID")
    if not isinstance(standings[0], dict):
        raise InvalidInput(f"{path}: a standing must be a JSON object")
    return standings[0]


def _read_text(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path}: cannot read ({error})") from None


def _json_line(line: str, path: Path, number: int) -> Any:
    try:
        return json.loads(line)
    except ValueError as error:
        raise InvalidInput(f"{path}: line {number}: not JSON ({error})") from None


@dataclass(frozen=True, slots=True)
class PolicyNotes:
    """Titles and legal bases by id, ``{"rule-id": {"title": ..., "legal_basis": ...}}``; same for measures, lists."""

    rules: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    measures: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    lists: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    title: str | None = None


def notes_from_policy(policy: Any) -> PolicyNotes:
    """Notes from a loaded handbook (anything with ``rules``, ``measures``, ``lists`` of objects with ids)."""

    def index(items: Any) -> dict[str, dict[str, str]]:
        return {
            item.id: {"title": item.title or "", "legal_basis": getattr(item, "legal_basis", None) or ""}
            for item in items
        }

    header = getattr(policy, "policy", None)
    return PolicyNotes(
        rules=index(policy.rules),
        measures=index(policy.measures),
        lists=index(policy.lists),
        title=getattr(header, "title", None),
    )
