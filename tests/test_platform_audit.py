"""The audit log: every write is chained; any row of the log or of the append-only tables changed, added or
deleted behind the platform's back (raw SQL) is found, naming the first broken entry."""

from __future__ import annotations

from itertools import pairwise

from fastapi.testclient import TestClient

from platform_support import PNG, Setup, bearer
from socialcredit.platform.audit.verify import Verdict, verify

from conftest import PERSON, PERSON2

RECORDS = [
    {"id": "t1", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01"},
    {"id": "t2", "subject": PERSON2, "rule": "deed", "occurred_on": "2024-03-02"},
]


def check(platform: Setup) -> Verdict:
    with platform.unit() as session:
        return verify(session)


def populated(platform: Setup, api: TestClient) -> dict[str, int]:
    """A platform with records, evidence and a review decision; returns the entry of each kind of write."""
    police, village = platform.source("police"), platform.source("village")
    api.post("/api/v1/records:batch", json=RECORDS, headers=bearer(police))
    sha = api.post("/api/v1/evidence", files={"file": ("p.png", PNG)}, headers=bearer(village)).json()["sha256"]
    deed = {
        "id": "d1",
        "subject": PERSON,
        "rule": "good-deed",
        "occurred_on": "2024-03-01",
        "evidence": [{"sha256": sha, "media_type": "image/png"}],
    }
    api.post("/api/v1/records:batch", json=[deed], headers=bearer(village))
    reviewer = bearer(platform.key("committee", "reviewer"))
    assert (
        api.post(
            "/api/v1/review-queue/village/d1", json={"decision": "reject", "reason": "blurred"}, headers=reviewer
        ).status_code
        == 200
    )
    with platform.unit() as session:
        from sqlalchemy import select

        from socialcredit.platform.audit.models import AuditEntry

        rows = session.execute(select(AuditEntry.action, AuditEntry.seq).order_by(AuditEntry.seq)).all()
    return {action: seq for action, seq in rows}  # the last entry of each action


def test_an_untouched_log_verifies(platform: Setup, api: TestClient) -> None:
    entries = populated(platform, api)
    verdict = check(platform)
    assert verdict.ok and verdict.entries == max(entries.values())
    answer = api.get("/api/v1/audit/verify", headers=bearer(platform.key("auditor", "auditor")))
    assert answer.json()["ok"] is True


def test_every_write_is_an_entry_chained_to_the_previous(platform: Setup, api: TestClient) -> None:
    entries = populated(platform, api)
    assert {
        "handbook.activate",
        "source.add",
        "key.create",
        "records.ingest",
        "evidence.upload",
        "review.rejected",
    } <= set(entries)
    log = api.get("/api/v1/audit/log", headers=bearer(platform.key("auditor", "auditor"))).json()
    assert [entry["seq"] for entry in log] == list(range(1, len(log) + 1))
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in pairwise(log))


def test_a_changed_record_breaks_its_entry(platform: Setup, api: TestClient) -> None:
    populated(platform, api)
    platform.sql("UPDATE records SET rule = 'deed' WHERE record_id = 't1'")
    verdict = check(platform)
    assert (verdict.ok, verdict.broken_seq) == (False, _first(platform, "records.ingest"))


def test_a_deleted_record_breaks_its_entry(platform: Setup, api: TestClient) -> None:
    populated(platform, api)
    first_ingest = _first(platform, "records.ingest")
    platform.sql("DELETE FROM standings")
    platform.sql("DELETE FROM records WHERE record_id = 't2'")
    verdict = check(platform)
    assert (verdict.ok, verdict.broken_seq) == (False, first_ingest)
    assert "records" in (verdict.reason or "")


def test_a_changed_review_decision_breaks_its_entry(platform: Setup, api: TestClient) -> None:
    populated(platform, api)
    platform.sql("UPDATE record_status SET status = 'confirmed'")
    assert (check(platform).ok, check(platform).broken_seq) == (False, _first(platform, "review.rejected"))


def test_a_changed_entry_breaks_the_chain_there(platform: Setup, api: TestClient) -> None:
    populated(platform, api)
    platform.sql("UPDATE audit_log SET actor = 'key:someone-else' WHERE seq = 3")
    assert (check(platform).ok, check(platform).broken_seq) == (False, 3)


def test_a_deleted_entry_is_named(platform: Setup, api: TestClient) -> None:
    populated(platform, api)
    platform.sql("DELETE FROM audit_log WHERE seq = 2")
    verdict = check(platform)
    assert (verdict.ok, verdict.broken_seq) == (False, 2)
    assert "missing" in (verdict.reason or "")


def test_a_truncated_tail_is_found(platform: Setup, api: TestClient) -> None:
    populated(platform, api)
    last = _first(platform, "review.rejected")
    platform.sql("DELETE FROM record_status")
    platform.sql("DELETE FROM audit_log WHERE seq = :seq", seq=last)
    verdict = check(platform)
    assert not verdict.ok and verdict.broken_seq == last


def test_a_row_added_behind_the_platforms_back_is_found(platform: Setup, api: TestClient) -> None:
    populated(platform, api)
    entry = _first(platform, "records.ingest")
    platform.sql(
        "INSERT INTO records (source, record_id, subject, kind, occurred_on, recorded_at, status, reported_by, "
        "content_hash, audit_seq, rule) SELECT source, 'forged', subject, kind, occurred_on, recorded_at, status, "
        "reported_by, content_hash, audit_seq, rule FROM records WHERE record_id = 't1'"
    )
    assert (check(platform).ok, check(platform).broken_seq) == (False, entry)


def _first(platform: Setup, action: str) -> int:
    with platform.unit() as session:
        from sqlalchemy import select

        from socialcredit.platform.audit.models import AuditEntry

        query = select(AuditEntry.seq).where(AuditEntry.action == action).order_by(AuditEntry.seq).limit(1)
        return int(session.execute(query).scalar_one())


def test_the_record_digest_covers_every_column() -> None:
    from socialcredit.db.base import table_of
    from socialcredit.platform.audit.service import hashed_columns
    from socialcredit.platform.records.canonical import CONTENT, PLATFORM
    from socialcredit.platform.records.models import RecordRow

    assert sorted(CONTENT + PLATFORM) == sorted(hashed_columns(table_of(RecordRow)))


def test_a_changed_content_hash_alone_is_found(platform: Setup, api: TestClient) -> None:
    populated(platform, api)
    platform.sql("UPDATE records SET content_hash = :other WHERE record_id = 't1'", other="0" * 64)
    assert (check(platform).ok, check(platform).broken_seq) == (False, _first(platform, "records.ingest"))
