"""Evidence uploads (type from the bytes, size limit, content addressing) and the review queue: four eyes,
the evidence requirement before approval, reasons for rejections, and decisions that carry their own time."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from platform_support import JPEG, MP4, PNG, Setup, bearer
from socialcredit.settings import Settings

from conftest import PERSON

DEED = {"id": "d1", "subject": PERSON, "rule": "good-deed", "occurred_on": "2024-03-01"}


def upload(api: TestClient, token: str, data: bytes, name: str = "photo.jpg") -> Any:
    return api.post("/api/v1/evidence", files={"file": (name, data, "image/jpeg")}, headers=bearer(token))


def test_evidence_is_stored_by_its_hash_with_the_type_of_its_bytes(
    platform: Setup, api: TestClient, platform_settings: Settings
) -> None:
    token = platform.source("village")
    answer = upload(api, token, PNG, name="holiday.jpg")
    assert answer.status_code == 200
    sha = hashlib.sha256(PNG).hexdigest()
    assert answer.json() == {"sha256": sha, "media_type": "image/png", "size": len(PNG)}
    stored: Path = platform_settings.evidence_dir / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == PNG
    assert upload(api, token, PNG).json()["sha256"] == sha
    assert platform.count("evidence") == 1
    fetched = api.get(f"/api/v1/evidence/{sha}", headers=bearer(platform.key("clerk", "clerk")))
    assert fetched.content == PNG and fetched.headers["content-type"] == "image/png"


def test_other_types_empty_files_and_large_files_are_refused(
    platform: Setup, api: TestClient, platform_settings: Settings
) -> None:
    token = platform.source("village")
    for data in (b"<html>hello</html>", b"", b"GIF89a" + b"\x00" * 10):
        answer = upload(api, token, data)
        assert answer.status_code == 422 and answer.json()["error"]["details"][0]["field"] == "file"
    too_big = b"%PDF-" + b"\x00" * platform_settings.evidence_max_bytes
    assert upload(api, token, too_big, "big.pdf").status_code == 422
    assert platform.count("evidence") == 0
    assert [path.name for path in platform_settings.evidence_dir.rglob("*") if path.is_file()] == []


def reported(platform: Setup, api: TestClient, *evidence: bytes) -> tuple[str, str]:
    """A good deed reported by the village with ``evidence``; returns (village key, reviewer key)."""
    village = platform.source("village")
    refs = []
    for data in evidence:
        body = upload(api, village, data).json()
        refs.append({"sha256": body["sha256"], "media_type": body["media_type"]})
    answer = api.post("/api/v1/records:batch", json=[{**DEED, "evidence": refs}], headers=bearer(village))
    assert answer.json() == {"accepted": 1, "duplicates": 0}
    return village, platform.key("committee", "reviewer")


def decide(api: TestClient, token: str, decision: str, reason: str | None = None) -> Any:
    body = {"decision": decision, "reason": reason}
    return api.post("/api/v1/review-queue/village/d1", json=body, headers=bearer(token))


def test_the_queue_lists_pending_reports_with_their_evidence_problem(platform: Setup, api: TestClient) -> None:
    _, reviewer = reported(platform, api, PNG)
    queue = api.get("/api/v1/review-queue", headers=bearer(reviewer)).json()
    assert [(item["source"], item["id"], item["reported_by"]) for item in queue] == [
        ("village", "d1", "key:source:village")
    ]
    assert "2 photo(s) or a video" in queue[0]["evidence_problem"]


def test_approval_needs_the_evidence_the_rule_asks_for(platform: Setup, api: TestClient) -> None:
    _, reviewer = reported(platform, api, PNG)
    refused = decide(api, reviewer, "approve")
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "evidence"
    assert platform.count("record_status") == 0


def test_two_photos_or_a_video_suffice(platform: Setup, api: TestClient) -> None:
    _, reviewer = reported(platform, api, MP4)
    assert decide(api, reviewer, "approve").json()["status"] == "confirmed"
    platform.sql("DELETE FROM record_status")  # keep the database for the next check small
    assert api.get("/api/v1/review-queue", headers=bearer(reviewer)).json()[0]["evidence_problem"] is None


def test_nobody_decides_their_own_report(platform: Setup, api: TestClient) -> None:
    from socialcredit.access import Actor
    from socialcredit.errors import Forbidden
    from socialcredit.platform import flows

    village = platform.source("village")
    shas = [upload(api, village, data).json()["sha256"] for data in (PNG, JPEG)]
    evidence = [{"sha256": shas[0], "media_type": "image/png"}, {"sha256": shas[1], "media_type": "image/jpeg"}]
    wang = Actor("user", "wang", "reviewer", source="village")
    with platform.unit() as session:
        flows.ingest(session, actor=wang, items=[(0, {**DEED, "evidence": evidence})], source="village")
    try:
        with platform.unit() as session:
            flows.decide(session, actor=wang, source="village", record_id="d1", decision="approve")
        raise AssertionError("the reporter approved their own report")
    except Forbidden as error:
        assert "four eyes" in error.message
    assert platform.count("record_status") == 0


def test_rejection_needs_a_reason_and_a_decision_is_final(platform: Setup, api: TestClient) -> None:
    _, reviewer = reported(platform, api, PNG)
    assert decide(api, reviewer, "reject").status_code == 422
    assert decide(api, reviewer, "maybe", "why").status_code == 422
    rejected = decide(api, reviewer, "reject", "the photo shows nothing")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    again = decide(api, reviewer, "approve")
    assert again.status_code == 409 and again.json()["error"]["details"] == {"status": "rejected"}
    assert api.get("/api/v1/review-queue", headers=bearer(reviewer)).json() == []


def test_a_standing_known_before_the_approval_does_not_count_it(platform: Setup, api: TestClient) -> None:
    _, reviewer = reported(platform, api, PNG, JPEG)
    clerk = bearer(platform.key("clerk", "clerk"))
    url = f"/api/v1/subjects/{PERSON}/standing"
    pending = api.get(url, params={"as_of": "2024-06-01"}, headers=clerk).json()
    assert pending["points"] == "1000" and pending["contributions"][0]["status"] == "not-confirmed"
    approved = decide(api, reviewer, "approve")
    decided_at = datetime.fromisoformat(approved.json()["decided_at"])
    after = api.get(url, params={"as_of": "2024-06-01"}, headers=clerk).json()
    assert after["points"] == "1002" and after["contributions"][0]["status"] == "counted"
    moment_before = (decided_at - timedelta(microseconds=1)).isoformat()
    before = api.get(url, params={"as_of": "2024-06-01", "known_at": moment_before}, headers=clerk).json()
    assert before["points"] == "1000" and before["contributions"][0]["status"] == "not-confirmed"
    at = api.get(url, params={"as_of": "2024-06-01", "known_at": decided_at.isoformat()}, headers=clerk).json()
    assert at["points"] == "1002"
    with platform.unit() as session:
        from socialcredit.platform.standings.service import current

        cached = current(session, national_id=PERSON)
        assert cached is not None
    today = api.get(url, headers=clerk).json()  # the deed counted for a year: expired by now, but confirmed
    assert (
        json.loads(cached.body)["contributions"]
        == today["contributions"]
        == [{"source": "village", "record": "d1", "rule": "good-deed", "points": "0", "status": "expired"}]
    )
