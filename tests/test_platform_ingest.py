"""``POST /api/v1/records:batch``: atomic batches, every bad record listed by index, duplicates, conflicts
(409 with the ids), JSON Lines, partial acceptance, the platform's ``recorded_at`` and review status."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from platform_support import PNG, Setup, bearer

from conftest import ORG, PERSON, PERSON2

BATCH = "/api/v1/records:batch"
GOOD = [
    {"id": "t1", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01"},
    {"id": "t2", "subject": PERSON2, "rule": "deed", "occurred_on": "2024-03-02"},
    {"id": "t3", "subject": ORG, "rule": "other", "occurred_on": "2024-03-03", "points": -7.5, "reason": "late"},
]


def send(api: TestClient, token: str, records: Any, **params: Any) -> Any:
    return api.post(BATCH, json=records, headers=bearer(token), params=params)


def test_a_batch_is_accepted_and_resending_it_is_a_no_op(platform: Setup, api: TestClient) -> None:
    token = platform.source("police")
    first = send(api, token, GOOD)
    assert first.status_code == 200, first.text
    assert first.json() == {"accepted": 3, "duplicates": 0}
    entries = platform.count("audit_log")
    again = send(api, token, GOOD)
    assert again.json() == {"accepted": 0, "duplicates": 3}
    assert platform.count("records") == 3 and platform.count("audit_log") == entries
    assert platform.count("standings") == 3


def test_a_bad_batch_lists_every_bad_record_and_writes_nothing(platform: Setup, api: TestClient) -> None:
    token = platform.source("police")
    before = platform.count("audit_log")
    bad = [
        GOOD[0],
        {"id": "b1", "subject": "36042619910101007", "rule": "minus5", "occurred_on": "2024-03-01"},
        {"id": "b2", "subject": PERSON, "rule": "no-such-rule", "occurred_on": "2024-02-03"},
        {"id": "b5", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-02-30"},
        "not an object",
        {"id": "b3", "subject": PERSON, "rule": "defaulter", "occurred_on": "2024-03-01", "document": "x"},
        {"id": "b4", "subject": PERSON, "rule": "minus5", "occurred_on": "2999-01-01"},
    ]
    answer = send(api, token, bad)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid-records" and "nothing was written" in error["message"]
    found = {(item["index"], item["field"]) for item in error["details"]}
    assert found == {(1, "subject"), (2, "rule"), (3, "occurred_on"), (4, "record"), (5, "source"), (6, "occurred_on")}
    assert platform.count("records") == 0 and platform.count("subjects") == 0
    assert platform.count("audit_log") == before


def test_the_same_id_with_other_content_is_a_conflict_naming_the_ids(platform: Setup, api: TestClient) -> None:
    token = platform.source("police")
    send(api, token, GOOD)
    changed = [
        {**GOOD[0], "occurred_on": "2024-03-05"},
        {**GOOD[1]},
        {"id": "t9", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-09"},
    ]
    answer = send(api, token, changed)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "conflict"
    assert answer.json()["error"]["details"]["ids"] == ["t1"]
    assert platform.count("records") == 3


def test_json_lines_with_a_broken_line(platform: Setup, api: TestClient) -> None:
    token = platform.source("police")
    body = "\n".join([json.dumps(GOOD[0]), "{not json", json.dumps(GOOD[1])]) + "\n"
    headers = {**bearer(token), "Content-Type": "application/x-ndjson"}
    bad = api.post(BATCH, content=body, headers=headers)
    assert bad.status_code == 422
    assert [(item["index"], item["field"]) for item in bad.json()["error"]["details"]] == [(1, "record")]
    good = api.post(BATCH, content=body.replace("{not json\n", ""), headers=headers)
    assert good.json() == {"accepted": 2, "duplicates": 0}


def test_partial_accepts_the_good_and_reports_the_bad(platform: Setup, api: TestClient) -> None:
    token = platform.source("police")
    send(api, token, GOOD[:1])
    mixed = [GOOD[0], {**GOOD[1], "rule": "nope"}, GOOD[2], {**GOOD[0], "id": "t1", "occurred_on": "2024-01-01"}]
    answer = send(api, token, mixed[:3], partial="true")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert [(item["index"], item["field"]) for item in body["rejected"]] == [(1, "rule")]


def test_the_platform_sets_recorded_at_and_status(platform: Setup, api: TestClient) -> None:
    token = platform.source("village")
    sent = {
        "id": "v1",
        "subject": PERSON,
        "rule": "good-deed",
        "occurred_on": "2024-03-01",
        "recorded_at": "2020-01-01T00:00:00+08:00",
        "status": "confirmed",
    }
    before = datetime.now(UTC)
    assert send(api, token, [sent, {**GOOD[0], "id": "v2"}]).json()["accepted"] == 2
    with platform.unit() as session:
        from socialcredit.platform.records.service import get_row

        reviewed, plain = (
            get_row(session, source="village", record_id="v1"),
            get_row(session, source="village", record_id="v2"),
        )
    assert before <= reviewed.recorded_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert (reviewed.status, plain.status) == ("pending", "confirmed")
    assert reviewed.reported_by == "key:source:village"


def test_source_comes_from_the_key(platform: Setup, api: TestClient) -> None:
    token = platform.source("police")
    platform.source("court")
    answer = send(api, token, [{**GOOD[0], "source": "court"}])
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["field"] == "source"


def test_references_resolve_against_stored_facts(platform: Setup, api: TestClient) -> None:
    token = platform.source("police")
    send(api, token, GOOD)
    withdraw = {"id": "w1", "kind": "withdraw", "ref": "t1", "occurred_on": "2024-04-01"}
    dangling = {"id": "w2", "kind": "withdraw", "ref": "nope", "occurred_on": "2024-04-01"}
    assert send(api, token, [withdraw, dangling]).status_code == 422
    assert send(api, token, [withdraw]).json() == {"accepted": 1, "duplicates": 0}
    standing = api.get(
        f"/api/v1/subjects/{PERSON}/standing",
        params={"as_of": "2024-05-01"},
        headers=bearer(platform.key("clerk", "clerk")),
    ).json()
    assert standing["points"] == "1000"
    assert [item["status"] for item in standing["contributions"]] == ["withdrawn"]


def test_evidence_must_be_uploaded_and_of_its_type(platform: Setup, api: TestClient) -> None:
    token = platform.source("village")
    sha = api.post("/api/v1/evidence", files={"file": ("x.bin", PNG)}, headers=bearer(token)).json()["sha256"]
    deed = {"id": "v1", "subject": PERSON, "rule": "good-deed", "occurred_on": "2024-03-01"}
    wrong = send(api, token, [{**deed, "evidence": [{"sha256": sha, "media_type": "image/jpeg"}]}])
    missing = send(api, token, [{**deed, "evidence": [{"sha256": "a" * 64, "media_type": "image/png"}]}])
    assert wrong.status_code == missing.status_code == 422
    assert "image/png" in wrong.json()["error"]["details"][0]["reason"]
    assert "not uploaded" in missing.json()["error"]["details"][0]["reason"]
    right = send(api, token, [{**deed, "evidence": [{"sha256": sha, "media_type": "image/png"}]}])
    assert right.json()["accepted"] == 1


def test_body_must_be_an_array(platform: Setup, api: TestClient) -> None:
    token = platform.source("police")
    assert send(api, token, {"records": GOOD}).status_code == 422
    broken = api.post(BATCH, content="[{", headers={**bearer(token), "Content-Type": "application/json"})
    assert broken.status_code == 422 and broken.json()["error"]["details"][0]["field"] == "body"


def test_points_sent_with_more_than_two_decimals_are_refused_though_a_float_would_round_them(
    platform: Setup, api: TestClient
) -> None:
    """-7.5000000000000001 is -7.5 as a float: the digits sent decide, in JSON arrays and JSON Lines alike."""
    token = platform.source("police")
    fine = json.dumps(GOOD[0])
    exact = json.dumps({**GOOD[2], "points": "POINTS"}).replace('"POINTS"', "-7.5000000000000001")
    for body, kind in ((f"[{fine}, {exact}]", "application/json"), (f"{fine}\n{exact}\n", "application/x-ndjson")):
        answer = api.post(BATCH, content=body, headers={**bearer(token), "Content-Type": kind})
        assert answer.status_code == 422, answer.text
        details = answer.json()["error"]["details"]
        assert [(item["index"], item["field"]) for item in details] == [(1, "points")]
        assert "more than two decimals" in details[0]["reason"]
        assert platform.count("records") == 0


def test_a_number_or_true_sent_for_a_text_field_is_read_as_the_per_record_path_reads_it(
    platform: Setup, api: TestClient
) -> None:
    """Polars would write 7.50 as "7.5" and true as "true"; the record keeps what Python's reading gives."""
    from sqlalchemy import select

    from socialcredit.platform.records.models import RecordRow

    token = platform.source("police")
    first = json.dumps({**GOOD[1], "reason": "helped"})  # text in both columns first: Polars reads them as text
    odd = json.dumps({**GOOD[0], "id": "ID", "reason": "REASON"}).replace('"ID"', "7.50").replace('"REASON"', "true")
    for body, kind in ((f"[{first}, {odd}]", "application/json"), (f"{first}\n{odd}\n", "application/x-ndjson")):
        answer = api.post(BATCH, content=body, headers={**bearer(token), "Content-Type": kind})
        assert answer.status_code == 200, answer.text
    with platform.unit() as session:
        stored = session.execute(select(RecordRow.record_id, RecordRow.reason).order_by(RecordRow.record_id)).all()
    assert [tuple(row) for row in stored] == [("7.50", "True"), ("t2", "helped")]
