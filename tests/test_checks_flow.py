"""The point of service, end to end on SQLite and PostgreSQL: a judgment defaulter is denied air travel (by
national id and by passport), the check is logged and visible to the subject with a notice, the subject
objects, the court withdraws the record, and the next check allows. The log is in the audit chain."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from platform_support import Setup, bearer
from socialcredit.platform.audit.verify import verify
from test_platform_access import login

from conftest import PERSON, PERSON2

PASSPORT = "E12345678"
LISTED_ON = (date.today() - timedelta(days=60)).isoformat()
DEFAULTER = {"id": "J-1", "subject": PERSON, "rule": "defaulter", "occurred_on": LISTED_ON, "document": "(2026)1"}


class World:
    """A court that lists PERSON, an airline that checks air travel, a clerk, and PERSON as a user."""

    def __init__(self, platform: Setup, api: TestClient) -> None:
        self.platform, self.api = platform, api
        self.court = bearer(platform.source("court"))
        self.airline = bearer(platform.key("airline", "relying-party", services=("air-travel",)))
        self.clerk = bearer(platform.key("clerk", "clerk"))
        platform.user("zhang", "subject", subject=PERSON)
        answer = api.post("/api/v1/records:batch", json=[DEFAULTER], headers=self.court)
        assert answer.status_code == 200, answer.text
        assert (
            api.post(f"/api/v1/subjects/{PERSON}/aliases", json={"passport": PASSPORT}, headers=self.clerk).status_code
            == 200
        )

    def check(self, subject: str, service: str = "air-travel", purpose: str = "ticket-sale") -> Any:
        return self.api.post(
            "/api/v1/checks", json={"subject": subject, "service": service, "purpose": purpose}, headers=self.airline
        )


@pytest.fixture
def world(platform: Setup, api: TestClient) -> World:
    return World(platform, api)


def test_a_defaulter_is_denied_by_id_and_by_passport_and_others_are_allowed(world: World) -> None:
    for identifier in (PERSON, PASSPORT, "e1234 5678"):
        answer = world.check(identifier)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["decision"] == "deny"
        assert [m["id"] for m in body["measures"]] == ["no-air"]
        assert body["lists"] == [{"id": "defaulters", "kind": "black", "title": "Defaulters"}]
        assert body["legal_basis"] == ["SPC art. 3(1)"]
        assert body["list_version"] >= 1 and len(body["decision_id"]) == 32 and body["checked_at"]
        assert "points" not in body and "grade" not in body
    other = world.check(PERSON2).json()
    assert (other["decision"], other["measures"], other["lists"]) == ("allow", [], [])


def test_a_key_checks_only_its_services_and_bad_input_is_named(world: World) -> None:
    refused = world.check(PERSON, service="bike-rental")
    assert refused.status_code == 403 and "air-travel" in refused.json()["error"]["message"]
    bad = world.check("360426199101010072")
    assert bad.status_code == 422 and "check digit" in bad.json()["error"]["message"]
    assert world.check(PERSON, purpose=" ").status_code == 422
    assert world.platform.count("check_log") == 0  # nothing refused was logged


def test_the_subject_sees_who_checked_and_why_and_gets_a_notice(world: World) -> None:
    decision_id = world.check(PASSPORT, purpose="ticket-sale PEK-SHA").json()["decision_id"]
    world.check(PERSON2)
    login(world.api, "zhang")
    inquiries = world.api.get(f"/api/v1/subjects/{PERSON}/inquiries").json()["inquiries"]
    assert [(i["party"], i["purpose"], i["service"], i["decision"], i["identifier"]) for i in inquiries] == [
        ("key:airline", "ticket-sale PEK-SHA", "air-travel", "deny", PASSPORT)
    ]
    assert world.api.get(f"/api/v1/subjects/{PERSON2}/inquiries").status_code == 403
    [notice] = world.api.get(f"/api/v1/subjects/{PERSON}/notices").json()["notices"]
    assert notice["decision_id"] == decision_id and notice["service"] == "air-travel"
    [reason] = notice["reasons"]
    assert reason["lists"][0]["records"][0]["record"] == "J-1"
    assert notice["legal_basis"] == ["SPC art. 3(1)"] and "/api/v1/objections" in notice["how_to_object"]
    world.api.cookies.clear()
    clerk_view = world.api.get(f"/api/v1/subjects/{PERSON}/inquiries", headers=world.clerk).json()
    assert len(clerk_view["inquiries"]) == 1


def test_objection_then_withdrawal_lets_the_subject_fly(world: World) -> None:
    assert world.check(PERSON).json()["decision"] == "deny"
    csrf = login(world.api, "zhang")
    raised = world.api.post(
        "/api/v1/objections",
        json={"source": "court", "record": "J-1", "reason": "I paid in full"},
        headers={"X-CSRF-Token": csrf},
    )
    assert raised.status_code == 201, raised.text
    objection = raised.json()
    assert objection["state"] == "open" and objection["due_at"] > objection["raised_at"]
    record = world.api.get("/api/v1/records/court/J-1", headers=world.clerk)
    assert record.json()["status"] == "contested"
    world.api.cookies.clear()
    assert world.check(PERSON).json()["decision"] == "deny"  # contested records count under this handbook
    decided = world.api.post(
        f"/api/v1/objections/{objection['id']}/decision",
        json={"outcome": "withdraw", "reason": "paid on enforcement"},
        headers=world.court,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "withdraw"
    after = world.check(PERSON).json()
    assert after["decision"] == "allow" and after["list_version"] > objection_version(world)
    standing = world.api.get(f"/api/v1/subjects/{PERSON}/standing", headers=world.clerk).json()
    assert standing["lists"] == [] and standing["contributions"][0]["status"] == "withdrawn"
    with world.platform.unit() as session:
        assert verify(session).ok


def objection_version(world: World) -> int:
    changes = world.api.get("/api/v1/lists/defaulters/changes", headers=world.clerk).json()["changes"]
    return min(change["version"] for change in changes)


def test_a_write_not_yet_followed_into_the_lists_is_seen_by_the_next_check(world: World) -> None:
    from socialcredit.access import Actor
    from socialcredit.platform import flows

    assert world.check(PERSON).json()["decision"] == "deny"
    court = Actor("key", "source:court", "source", source="court")
    withdraw = {"id": "J-1.w", "kind": "withdraw", "ref": "J-1", "occurred_on": date.today().isoformat()}
    with world.platform.unit() as session:  # queued for a standings refresh, not refreshed
        flows.ingest(session, actor=court, items=[(0, withdraw)], source="court")
    assert world.platform.count("standings_stale") == 1
    assert world.check(PASSPORT).json()["decision"] == "allow"
    screened = world.api.post(
        "/api/v1/checks:bulk?service=air-travel&purpose=p",
        content=f"{PERSON}\n",
        headers={**world.airline, "Content-Type": "text/csv"},
    )
    assert screened.json()["decision"] == "allow"
