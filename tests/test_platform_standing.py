"""``GET /api/v1/subjects/{id}/standing``: the JSON of DESIGN §7 from the platform's records (as of a day,
as known at a moment), aliases and consent; current standings and the monthly snapshot of ``cycle close``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from platform_support import PLATFORM_TOML, Setup, bearer
from socialcredit.errors import Conflict, UserError
from socialcredit.platform.cycle import service as cycle
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.settings import Settings

from conftest import PERSON, PERSON2

RECORDS = [
    {"id": "c1", "subject": PERSON, "rule": "defaulter", "occurred_on": "2024-03-01", "document": "(2024)1"},
    {"id": "c2", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-02"},
    {"id": "c3", "subject": PERSON2, "rule": "heroic", "occurred_on": "2024-03-03"},
]


@pytest.fixture
def loaded(platform: Setup, api: TestClient) -> dict[str, str]:
    court = platform.source("court")
    assert api.post("/api/v1/records:batch", json=RECORDS, headers=bearer(court)).json()["accepted"] == 3
    return bearer(platform.key("clerk", "clerk"))


def test_the_standing_has_the_shape_of_the_design(api: TestClient, loaded: dict[str, str]) -> None:
    body = api.get(f"/api/v1/subjects/{PERSON}/standing", params={"as_of": "2024-06-30"}, headers=loaded).json()
    assert set(body) == {
        "subject",
        "as_of",
        "known_at",
        "policy",
        "points",
        "grade",
        "lists",
        "measures",
        "contributions",
        "next_change_on",
    }
    assert (body["subject"], body["as_of"], body["points"], body["grade"]) == (PERSON, "2024-06-30", "945", "B")
    assert body["lists"] == [{"id": "defaulters", "since": "2024-03-01", "until": "2026-03-01"}]
    assert {"id": "no-air", "service": "air-travel", "effect": "deny"} in body["measures"]
    assert [(c["record"], c["points"], c["status"]) for c in body["contributions"]] == [
        ("c1", "-50", "counted"),
        ("c2", "-5", "counted"),
    ]
    assert body["policy"]["id"] == "test" and len(body["policy"]["hash"]) == 64


def test_known_at_before_ingestion_sees_nothing(api: TestClient, loaded: dict[str, str]) -> None:
    url = f"/api/v1/subjects/{PERSON}/standing"
    early = api.get(url, params={"as_of": "2024-06-30", "known_at": "2024-06-30"}, headers=loaded).json()
    assert early["points"] == "1000"
    assert {c["status"] for c in early["contributions"]} == {"not-yet-known"}
    assert early["known_at"].startswith("2024-06-30T23:59:59.999999")


def test_bad_dates_are_named(api: TestClient, loaded: dict[str, str]) -> None:
    answer = api.get(f"/api/v1/subjects/{PERSON}/standing", params={"known_at": "soon"}, headers=loaded)
    assert answer.status_code == 422 and answer.json()["error"]["details"] == [{"field": "known_at"}]


def test_a_passport_alias_finds_the_person(platform: Setup, api: TestClient, loaded: dict[str, str]) -> None:
    token = api.post(f"/api/v1/subjects/{PERSON}/aliases", json={"passport": "e 1234 5678"}, headers=loaded)
    assert token.status_code == 200 and token.json()["aliases"] == ["E12345678"]
    by_alias = api.get("/api/v1/subjects/E12345678/standing", params={"as_of": "2024-06-30"}, headers=loaded).json()
    assert by_alias["subject"] == PERSON and by_alias["points"] == "945"
    taken = api.post(f"/api/v1/subjects/{PERSON2}/aliases", json={"passport": "E12345678"}, headers=loaded)
    assert taken.status_code == 409
    unknown = api.get("/api/v1/subjects/G87654321/standing", headers=loaded)
    assert unknown.status_code == 404


def test_consent_is_history_too(platform: Setup, api: TestClient) -> None:
    platform.activate(
        PLATFORM_TOML.replace(
            'default_counts_for = "P1Y"', 'default_counts_for = "P1Y"\nscoring_requires_consent = true'
        )
    )
    court, clerk = platform.source("court"), bearer(platform.key("clerk", "clerk"))
    api.post("/api/v1/records:batch", json=RECORDS[2:], headers=bearer(court))
    url = f"/api/v1/subjects/{PERSON2}/standing"
    assert api.get(url, params={"as_of": "2024-06-30"}, headers=clerk).json()["points"] is None
    given = api.post(f"/api/v1/subjects/{PERSON2}/consent", json={"consent": True}, headers=clerk).json()
    assert api.get(url, params={"as_of": "2024-06-30"}, headers=clerk).json()["points"] == "1030"
    before = datetime.fromisoformat(given["at"]).replace(microsecond=0).isoformat()
    assert api.get(url, params={"as_of": "2024-06-30", "known_at": before}, headers=clerk).json()["points"] is None


def test_current_standings_follow_every_change(platform: Setup, api: TestClient, loaded: dict[str, str]) -> None:
    with platform.unit() as session:
        from socialcredit.platform.standings.service import current

        stored = current(session, national_id=PERSON)
        assert stored is not None
        today = api.get(f"/api/v1/subjects/{PERSON}/standing", headers=loaded).json()
        assert json.loads(stored.body)["contributions"] == today["contributions"]


def test_cycle_close_publishes_each_subject_once(
    platform: Setup, loaded: dict[str, str], platform_settings: Settings
) -> None:
    early = datetime(2024, 6, 20, tzinfo=UTC)
    with platform.unit() as session, pytest.raises(UserError, match="committee of 2024-06 meets on 2024-06-25"):
        cycle.close(
            session,
            actor=platform.admin,
            settings=platform_settings,
            policy=active_policy(session),
            month="2024-06",
            now=early,
        )
    with platform.unit() as session:
        closure = cycle.close(
            session,
            actor=platform.admin,
            settings=platform_settings,
            policy=active_policy(session),
            month="2024-06",
            now=datetime.now(UTC),
        )
    assert (closure.subjects, closure.as_of.isoformat()) == (2, "2024-06-25")
    with platform.unit() as session:
        snapshot = cycle.snapshot(session, month="2024-06", national_id=PERSON)
        assert snapshot is not None and snapshot.points == 94500 and snapshot.grade == "B"
        with pytest.raises(Conflict):
            cycle.close(
                session,
                actor=platform.admin,
                settings=platform_settings,
                policy=active_policy(session),
                month="2024-06",
            )


def test_the_calendar_comes_from_the_settings() -> None:
    dates = cycle.calendar(Settings(collect_until_day=10, report_on_day=12, committee_day=15), "2025-02")
    assert dates.as_json() == {
        "month": "2025-02",
        "collect_until": "2025-02-10",
        "report_on": "2025-02-12",
        "committee_on": "2025-02-15",
    }
    with pytest.raises(UserError):
        cycle.calendar(Settings(), "2025-13")
