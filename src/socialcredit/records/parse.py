"""Turn a raw record (dict of JSON/CSV/Parquet values) into a typed :class:`Record`, or field errors."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from socialcredit.errors import IdentifierError
from socialcredit.identity import parse_subject
from socialcredit.policy.money import to_cents
from socialcredit.records.schema import FIELDS, KINDS, STATUSES, EvidenceRef, Record

FieldError = tuple[str, str]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


# Days and moments of records lie in these years, so that every handbook window and every time zone stays
# within the calendar (Python's dates run from the year 1 to 9999).
YEARS = (1000, 9000)


class RecordInvalid(Exception):
    """Raised inside parsing with the list of ``(field, reason)`` problems of one record."""

    def __init__(self, problems: list[FieldError]) -> None:
        super().__init__(problems)
        self.problems = problems


def parse_record(data: dict[str, Any], tz: ZoneInfo, *, allowed_kinds: tuple[str, ...] | None = None) -> Record:
    """Validate the shape of one record; raise :class:`RecordInvalid` with every field problem.

    Without ``recorded_at`` a record is known from the start of its ``occurred_on`` (in ``tz``).
    """
    problems: list[FieldError] = []
    if "__error__" in data:
        raise RecordInvalid([("record", str(data["__error__"]))])
    problems += [(key, "unknown field") for key in data if key not in FIELDS]
    get = _Getter(data, problems)
    kind = get.choice("kind", KINDS, "fact")
    status = get.choice("status", STATUSES, "confirmed")
    subject = get.subject(allowed_kinds, required=kind == "fact")
    occurred_on = get.day("occurred_on", required=kind != "withdraw")
    recorded_at = get.moment("recorded_at", tz)
    record_id, source = get.text("id", required=True), get.text("source", required=True)
    ref = get.text("ref", required=kind != "fact")
    if kind == "fact" and ref is not None:
        problems.append(("ref", "only corrections, withdrawals, cures and repairs reference a record"))
    rule = get.text("rule", required=kind in ("fact", "correct"))
    points = get.points("points")
    evidence = get.evidence("evidence")
    if recorded_at is None and occurred_on is None and kind == "withdraw" and not data.get("occurred_on"):
        problems.append(("recorded_at", "required for a withdrawal without occurred_on"))
    if problems:
        raise RecordInvalid(problems)
    assert source is not None and record_id is not None  # guaranteed by required=True
    day = occurred_on or recorded_at.astimezone(tz).date()  # type: ignore[union-attr]
    return Record(
        source=source,
        id=record_id,
        subject=subject or "",
        kind=kind,
        ref=ref,
        rule=rule,
        occurred_on=day,
        recorded_at=recorded_at or datetime.combine(day, time.min, tz),
        points=points,
        reason=get.text("reason"),
        document=get.text("document"),
        evidence=evidence,
        status=status,
    )


def parse_moment(value: Any, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """An ISO date or datetime as an aware datetime; naive values are in ``tz``.

    A bare date means its first instant, or its last with ``end_of_day`` (``known_at`` = "as known on K").
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.max if end_of_day else time.min)
    else:
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment = datetime.combine(date.fromisoformat(text), time.max if end_of_day else time.min)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


class _Getter:
    """Reads typed fields from a raw record, collecting ``(field, reason)`` problems."""

    def __init__(self, data: dict[str, Any], problems: list[FieldError]) -> None:
        self.data, self.problems = data, problems

    def _missing(self, name: str, required: bool) -> bool:
        if self.data.get(name) is None:
            if required:
                self.problems.append((name, "required"))
            return True
        return False

    def text(self, name: str, *, required: bool = False) -> str | None:
        if self._missing(name, required):
            return None
        value = str(self.data[name]).strip()
        if not value:
            if required:
                self.problems.append((name, "required"))
            return None
        return value

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(name) or default
        if value not in options:
            self.problems.append((name, f"must be one of {', '.join(options)}; got {value!r}"))
        return value

    def subject(self, allowed_kinds: tuple[str, ...] | None, *, required: bool) -> str | None:
        value = self.text("subject", required=required)
        if value is None:
            return None
        try:
            return parse_subject(value, allowed_kinds).id
        except IdentifierError as error:
            self.problems.append(("subject", error.message))
            return None

    def day(self, name: str, *, required: bool) -> date | None:
        if self._missing(name, required):
            return None
        value = self.data[name]
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value).strip())
            except ValueError:
                self.problems.append((name, f"not a valid ISO date (YYYY-MM-DD): {value!r}"))
                return None
        if not YEARS[0] <= day.year <= YEARS[1]:
            self.problems.append((name, f"{day} is not within the years {YEARS[0]} to {YEARS[1]}"))
            return None
        return day

    def moment(self, name: str, tz: ZoneInfo) -> datetime | None:
        if self._missing(name, False):
            return None
        try:
            moment = parse_moment(self.data[name], tz)
        except ValueError:
            self.problems.append((name, f"not a valid ISO date-time: {self.data[name]!r}"))
            return None
        if not YEARS[0] <= moment.year <= YEARS[1]:
            self.problems.append((name, f"{moment.isoformat()} is not within the years {YEARS[0]} to {YEARS[1]}"))
            return None
        return moment

    def points(self, name: str) -> int | None:
        if self._missing(name, False):
            return None
        try:
            return to_cents(self.data[name])
        except ValueError as error:
            self.problems.append((name, str(error)))
            return None

    def evidence(self, name: str) -> tuple[EvidenceRef, ...]:
        if self._missing(name, False):
            return ()
        value = self.data[name]
        try:
            items = json.loads(value) if isinstance(value, str) else value
            refs = tuple(EvidenceRef(str(item["sha256"]).lower(), str(item["media_type"])) for item in items)
        except (ValueError, TypeError, KeyError):
            self.problems.append((name, "must be a list of {sha256, media_type} objects"))
            return ()
        for ref in refs:
            if not _SHA256.match(ref.sha256):
                self.problems.append((name, f"sha256 {ref.sha256!r} is not 64 hex digits"))
        return refs
