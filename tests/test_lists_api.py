"""Lists as versioned snapshots on SQLite and PostgreSQL: every change of membership is a new version,
a list can be read at any version, its changes since a version are adds and removes, and public lists show
only what the law publishes."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from platform_support import PLATFORM_TOML, Setup, bearer
from socialcredit.platform.audit.verify import verify

from conftest import ORG, PERSON, PERSON2

BATCH = "/api/v1/records:batch"


def days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def defaulter(record_id: str, subject: str, days: int = 30) -> dict[str, str]:
    return {
        "id": record_id,
        "subject": subject,
        "rule": "defaulter",
        "occurred_on": days_ago(days),
        "document": f"({record_id})",
    }


def test_every_change_of_membership_is_a_new_version(platform: Setup, api: TestClient) -> None:
    court, clerk = bearer(platform.source("court")), bearer(platform.key("clerk", "clerk"))
    assert api.post(BATCH, json=[defaulter("a", PERSON)], headers=court).status_code == 200
    assert api.post(BATCH, json=[defaulter("b", PERSON2)], headers=court).status_code == 200
    assert (
        api.post(
            BATCH, json=[{"id": "b2", "subject": PERSON2, "rule": "minus5", "occurred_on": days_ago(1)}], headers=court
        ).status_code
        == 200
    )
    withdraw = {"id": "a-w", "kind": "withdraw", "ref": "a", "occurred_on": days_ago(0)}
    assert api.post(BATCH, json=[withdraw], headers=court).status_code == 200
    index = api.get("/api/v1/lists", headers=clerk).json()
    assert index["version"] == 3  # the minus5 record changed no list: no new version

    def members(version: int | None = None) -> list[str]:
        query = "" if version is None else f"?version={version}"
        body = api.get(f"/api/v1/lists/defaulters{query}", headers=clerk).json()
        return [member["subject"] for member in body["members"]]

    assert members(0) == [] and members(1) == [PERSON]
    assert members(2) == sorted([PERSON, PERSON2]) and members(3) == members() == [PERSON2]
    changes = api.get("/api/v1/lists/defaulters/changes?since=1", headers=clerk).json()
    assert changes["version"] == 3
    assert [(c["version"], c["subject"], c["change"]) for c in changes["changes"]] == [
        (2, PERSON2, "add"),
        (3, PERSON, "remove"),
    ]
    assert api.get("/api/v1/lists/nope", headers=clerk).status_code == 404
    assert api.get("/api/v1/lists/defaulters").status_code == 401
    with platform.unit() as session:
        assert verify(session).ok


def test_public_lists_publish_only_the_court_fields(platform: Setup, api: TestClient) -> None:
    court, clerk = bearer(platform.source("court")), bearer(platform.key("clerk", "clerk"))
    api.put(f"/api/v1/subjects/{PERSON}", json={"name": "张三"}, headers=clerk)
    assert api.post(BATCH, json=[defaulter("a", PERSON), defaulter("o", ORG)], headers=court).status_code == 200
    api.put(f"/api/v1/subjects/{ORG}", json={"name": "某某有限公司"}, headers=clerk)
    body = api.get("/api/v1/public/lists/defaulters").json()
    assert body["count"] == 2
    person = next(entry for entry in body["entries"] if entry["kind"] == "person")
    assert set(person) == {
        "kind",
        "name",
        "sex",
        "age",
        "id_number",
        "conduct",
        "documents",
        "sources",
        "listed_since",
        "publication_ends_on",
    }
    assert person["name"] == "张三" and person["id_number"] == "3604261991****0071" and person["sex"] == "male"
    assert person["conduct"] == ["Judgment defaulter"] and person["documents"] == ["(a)"]
    organisation = next(entry for entry in body["entries"] if entry["kind"] == "organisation")
    assert (organisation["name"], organisation["code"]) == ("某某有限公司", ORG)
    assert "grade" not in str(body) and "points" not in str(body)
    assert api.get("/api/v1/public/lists/low").status_code == 404  # a grade list is never public
    assert [d["id"] for d in api.get("/api/v1/public/lists").json()["lists"]] == ["defaulters"]


def test_publication_ends_at_the_maximum_period(platform: Setup, api: TestClient) -> None:
    platform.activate(
        PLATFORM_TOML.replace('counts_for = "P2Y"\nsources = ["court"]', 'counts_for = "P5Y"\nsources = ["court"]')
    )
    court, clerk = bearer(platform.source("court")), bearer(platform.key("clerk", "clerk"))
    old = defaulter("old", PERSON, days=3 * 366 + 10)  # serious: published for 3 years at most
    assert api.post(BATCH, json=[old, defaulter("new", PERSON2)], headers=court).status_code == 200
    members = api.get("/api/v1/lists/defaulters", headers=clerk).json()["members"]
    assert {member["subject"] for member in members} == {PERSON, PERSON2}  # still listed, still counts
    entries = api.get("/api/v1/public/lists/defaulters").json()["entries"]
    assert [entry["id_number"] for entry in entries] == ["1101051949****002X"]  # but no longer published


def test_a_new_handbook_recomputes_everyone_and_the_lists_follow(platform: Setup, api: TestClient) -> None:
    from socialcredit.platform.rights.flows import run_duties

    court, clerk = bearer(platform.source("court")), bearer(platform.key("clerk", "clerk"))
    assert api.post(BATCH, json=[defaulter("a", PERSON)], headers=court).status_code == 200
    assert run_duties(platform.db)["queued"] == 0  # nothing is due under the same handbook
    platform.activate(PLATFORM_TOML.replace('members = { rules = ["defaulter"] }', 'members = { rules = ["drunk"] }'))
    done = run_duties(platform.db)
    assert done["queued"] >= 1 and done["recomputed"] >= 1
    assert api.get("/api/v1/lists/defaulters", headers=clerk).json()["members"] == []
    changes = api.get("/api/v1/lists/defaulters/changes", headers=clerk).json()["changes"]
    assert [(c["subject"], c["change"]) for c in changes] == [(PERSON, "add"), (PERSON, "remove")]
