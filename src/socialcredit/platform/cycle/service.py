"""The monthly cycle: its calendar (from Settings) and ``close``, which publishes the month's standings."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.access import Actor
from socialcredit.db.base import utcnow
from socialcredit.errors import Conflict, InvalidInput, UserError
from socialcredit.platform.audit import service as audit
from socialcredit.platform.cycle.models import CycleClosure
from socialcredit.platform.standings.models import StandingSnapshot
from socialcredit.platform.standings.service import compute_many
from socialcredit.platform.subjects.models import Subject
from socialcredit.policy.model import Policy
from socialcredit.settings import Settings


@dataclass(frozen=True, slots=True)
class Calendar:
    """One month of the cycle: reports collected until, reported on, committee (and publication) on."""

    month: str
    collect_until: date
    report_on: date
    committee_on: date

    def as_json(self) -> dict[str, str]:
        return {
            "month": self.month,
            "collect_until": self.collect_until.isoformat(),
            "report_on": self.report_on.isoformat(),
            "committee_on": self.committee_on.isoformat(),
        }


def parse_month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(f"--month: {text!r} is not a month (YYYY-MM)", details=[{"field": "month"}])
    return int(match.group(1)), int(match.group(2))


def calendar(settings: Settings, month: str) -> Calendar:
    """The dates of ``month`` (YYYY-MM) under the configured calendar (default 18th, 20th, 25th)."""
    year, number = parse_month(month)
    days = (settings.collect_until_day, settings.report_on_day, settings.committee_day)
    if not all(1 <= day <= 28 for day in days):
        raise UserError(f"cycle days must be between 1 and 28; got {days}")
    collect, report, committee = (date(year, number, day) for day in days)
    return Calendar(f"{year:04d}-{number:02d}", collect, report, committee)


@dataclass(frozen=True, slots=True)
class Closure:
    month: str
    as_of: date
    closed_at: datetime
    subjects: int

    def as_json(self) -> dict[str, object]:
        return {
            "month": self.month,
            "as_of": self.as_of.isoformat(),
            "closed_at": self.closed_at.isoformat(),
            "subjects": self.subjects,
        }


def close(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    policy: Policy,
    month: str,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Closure:
    """Publish every subject's standing as of the committee day of ``month``, as known now (once per month)."""
    dates = calendar(settings, month)
    moment = now or utcnow()
    if moment.astimezone(ZoneInfo(policy.policy.timezone)).date() < dates.committee_on:
        raise UserError(f"the committee of {dates.month} meets on {dates.committee_on}; close the month after it")
    if session.get(CycleClosure, dates.month) is not None:
        raise Conflict(f"month {dates.month} is already published", details={"month": dates.month})
    subjects = list(session.execute(select(Subject.national_id).order_by(Subject.national_id)).scalars())
    seq = audit.next_seq(session)
    rows = []
    for standing in compute_many(session, subjects=subjects, policy=policy, as_of=dates.committee_on, known_at=moment):
        rows.append(
            {
                "month": dates.month,
                "subject": standing.subject,
                "as_of": standing.as_of,
                "known_at": standing.known_at,
                "points": standing.points,
                "grade": standing.grade,
                "policy_hash": policy.hash,
                "audit_seq": seq,
                "body": json.dumps(standing.as_json(), separators=(",", ":"), ensure_ascii=False),
            }
        )
        if progress and len(rows) % 1000 == 0:
            progress(len(rows), len(subjects))
    snapshots = audit.add_rows(session, StandingSnapshot, rows)
    closure = {
        "month": dates.month,
        "as_of": dates.committee_on,
        "closed_at": moment,
        "actor": actor.id,
        "subjects": len(rows),
        "audit_seq": seq,
    }
    closures = audit.add_rows(session, CycleClosure, [closure])
    audit.append(
        session,
        seq=seq,
        actor=actor.id,
        action="cycle.close",
        object=f"month:{dates.month}",
        at=moment,
        payload={"as_of": dates.committee_on.isoformat(), "subjects": len(rows), "policy": policy.ref()},
        covered={"standing_snapshots": snapshots, "cycle_closures": closures},
    )
    if progress:
        progress(len(rows), len(subjects))
    return Closure(dates.month, dates.committee_on, moment, len(rows))


def snapshot(session: Session, *, month: str, national_id: str) -> StandingSnapshot | None:
    query = select(StandingSnapshot).where(StandingSnapshot.month == month, StandingSnapshot.subject == national_id)
    return session.execute(query).scalar_one_or_none()
