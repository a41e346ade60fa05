"""Standing services: compute a subject's standing as of a day, as known at a moment; keep the current ones.

Always the per-subject engine (:func:`socialcredit.scoring.evaluate`) over the subject's records with
each status and the subject's consent as they were known at ``known_at``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from socialcredit.db.base import table_of, utcnow
from socialcredit.db.queries import among, bulk_insert, dialect, insert_keys
from socialcredit.platform.lists.service import follow as follow_lists
from socialcredit.platform.records.service import records_of
from socialcredit.platform.standings.models import CurrentStanding, StaleStanding
from socialcredit.platform.subjects.service import consents_at
from socialcredit.policy.model import Policy
from socialcredit.scoring import Standing, evaluate
from socialcredit.scoring.engine import end_of_day

CHUNK = 2000


def today(policy: Policy, now: datetime | None = None) -> date:
    """The current date in the handbook's time zone."""
    return (now or utcnow()).astimezone(ZoneInfo(policy.policy.timezone)).date()


def compute(
    session: Session, *, national_id: str, policy: Policy, as_of: date | None = None, known_at: datetime | None = None
) -> Standing:
    """The standing on ``as_of`` (default today) as known at ``known_at`` (default the end of ``as_of``)."""
    day = as_of or today(policy)
    known = known_at or end_of_day(day, ZoneInfo(policy.policy.timezone))
    records = records_of(session, [national_id], known_at=known).get(national_id, [])
    consent = consents_at(session, [national_id], known).get(national_id, False)
    return evaluate(records, policy, day, known, consent=consent, subject=national_id)


def compute_many(
    session: Session, *, subjects: Iterable[str], policy: Policy, as_of: date, known_at: datetime
) -> Iterable[Standing]:
    """Standings of many subjects, loading their records a chunk at a time."""
    wanted = sorted(set(subjects))
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        records = records_of(session, part, known_at=known_at)
        consents = consents_at(session, part, known_at)
        for subject in part:
            yield evaluate(
                records.get(subject, []), policy, as_of, known_at, consent=consents.get(subject, False), subject=subject
            )


def recompute(
    session: Session,
    *,
    subjects: Iterable[str],
    policy: Policy,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recompute and store the current standing of ``subjects`` (as of today, as known now)."""
    moment = now or utcnow()
    done = 0
    batch: list[Standing] = []
    for standing in compute_many(
        session, subjects=subjects, policy=policy, as_of=today(policy, moment), known_at=moment
    ):
        batch.append(standing)
        if len(batch) >= CHUNK:
            done += _store(session, batch, policy)
            batch = []
            if progress:
                progress(done)
    done += _store(session, batch, policy)
    if progress:
        progress(done)
    return done


def mark_stale(session: Session, subjects: Iterable[str], *, now: datetime | None = None) -> None:
    """Queue subjects for :func:`drain`, in the transaction of the write that changed them."""
    insert_keys(session, table_of(StaleStanding), "subject", sorted(set(subjects)), since=now or utcnow())


def drain(session: Session, *, policy: Policy, limit: int = CHUNK, now: datetime | None = None) -> int:
    """Recompute up to ``limit`` queued subjects and take them off the queue; return how many.

    On PostgreSQL concurrent drains skip each other's rows; on SQLite writers are serialised anyway.
    """
    query = select(StaleStanding.subject).order_by(StaleStanding.since, StaleStanding.subject).limit(limit)
    if dialect(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    subjects = list(session.execute(query).scalars())
    if not subjects:
        return 0
    recompute(session, subjects=subjects, policy=policy, now=now)
    session.execute(delete(StaleStanding).where(among(session, StaleStanding.subject, subjects)))
    return len(subjects)


def stale_count(session: Session) -> int:
    from sqlalchemy import func

    return int(session.execute(select(func.count()).select_from(StaleStanding)).scalar_one())


def _store(session: Session, standings: list[Standing], policy: Policy) -> int:
    if not standings:
        return 0
    session.execute(
        delete(CurrentStanding).where(among(session, CurrentStanding.subject, [s.subject for s in standings]))
    )
    bulk_insert(session, table_of(CurrentStanding), [_row(standing, policy) for standing in standings])
    follow_lists(session, standings=standings, policy=policy)  # list versions and check data follow
    return len(standings)


def _row(standing: Standing, policy: Policy) -> dict[str, object]:
    return {
        "subject": standing.subject,
        "as_of": standing.as_of,
        "known_at": standing.known_at,
        "points": standing.points,
        "grade": standing.grade,
        "policy_hash": policy.hash,
        "body": json.dumps(standing.as_json(), separators=(",", ":"), ensure_ascii=False),
    }


def current(session: Session, *, national_id: str) -> CurrentStanding | None:
    return session.get(CurrentStanding, national_id)
