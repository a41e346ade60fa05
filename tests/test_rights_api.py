"""Subject rights on SQLite and PostgreSQL: an objection the source leaves undecided past its deadline
suspends the record; corrections and upholds; repair after the minimum publicity period; share codes; the
data copy; the public keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from platform_support import Setup, bearer
from socialcredit.access import Actor
from socialcredit.db.connect import Database
from socialcredit.platform.rights import objections
from socialcredit.platform.rights.flows import run_duties
from socialcredit.settings import Settings
from test_checks_flow import PASSPORT, World
from test_platform_access import login

from conftest import PERSON, PERSON2

ZHANG = Actor("user", "zhang", "subject", subject=PERSON)


@pytest.fixture
def world(platform: Setup, api: TestClient) -> World:
    return World(platform, api)


def standing(world: World) -> dict:  # type: ignore[type-arg]
    return world.api.get(f"/api/v1/subjects/{PERSON}/standing", headers=world.clerk).json()


def test_a_missed_deadline_suspends_the_record_until_the_source_decides(world: World, platform_db: Database) -> None:
    raised_at = datetime.now(UTC) - timedelta(days=15)  # 3 working days are long gone
    with world.platform.unit() as session:
        policy = __import__("socialcredit.platform.handbooks.service", fromlist=["x"]).active_policy(session)
        objection = objections.raise_objection(
            session, actor=ZHANG, policy=policy, source="court", record_id="J-1", reason="paid", now=raised_at
        )
        code = objection.code
    assert run_duties(platform_db)["suspended"] == 1
    assert run_duties(platform_db)["suspended"] == 0  # once
    record = world.api.get("/api/v1/records/court/J-1", headers=world.clerk).json()
    assert record["status"] == "suspended" and record["history"][-1]["cause"] == "objection-overdue"
    assert standing(world)["contributions"][0]["status"] == "suspended-contested" and standing(world)["lists"] == []
    assert world.check(PASSPORT).json()["decision"] == "allow"
    view = world.api.get(f"/api/v1/objections/{code}", headers=world.court).json()
    assert view["state"] == "overdue" and view["outcomes"][0]["outcome"] == "overdue"
    upheld = world.api.post(
        f"/api/v1/objections/{code}/decision", json={"outcome": "uphold", "reason": "not paid"}, headers=world.court
    )
    assert upheld.status_code == 200 and upheld.json()["state"] == "uphold"
    assert world.check(PASSPORT).json()["decision"] == "deny"  # decided: it counts again


def test_objections_are_checked(world: World) -> None:
    csrf = login(world.api, "zhang")
    mine = {"source": "court", "record": "J-1", "reason": "wrong person"}
    headers = {"X-CSRF-Token": csrf}
    assert world.api.post("/api/v1/objections", json={**mine, "record": "nope"}, headers=headers).status_code == 404
    assert world.api.post("/api/v1/objections", json={**mine, "reason": " "}, headers=headers).status_code == 422
    code = world.api.post("/api/v1/objections", json=mine, headers=headers).json()["id"]
    assert world.api.post("/api/v1/objections", json=mine, headers=headers).status_code == 409
    world.api.cookies.clear()
    other = bearer(world.platform.source("police"))
    decision = {"outcome": "withdraw", "reason": "x"}
    assert world.api.post(f"/api/v1/objections/{code}/decision", json=decision, headers=other).status_code == 403
    bad = world.api.post(
        f"/api/v1/objections/{code}/decision", json={"outcome": "shrug", "reason": "x"}, headers=world.court
    )
    assert bad.status_code == 422
    assert world.api.get("/api/v1/objections?state=open", headers=world.court).json()["objections"][0]["id"] == code
    assert world.api.get("/api/v1/objections", headers=other).json()["objections"] == []


def test_a_correction_replaces_the_record_and_closes_the_objection(world: World) -> None:
    code = world.api.post(
        "/api/v1/objections", json={"source": "court", "record": "J-1", "reason": "wrong date"}, headers=world.clerk
    ).json()["id"]
    earlier = (date.today() - timedelta(days=800)).isoformat()  # beyond the two years the rule counts for
    answer = world.api.post(
        f"/api/v1/objections/{code}/decision",
        json={"outcome": "correct", "reason": "date corrected", "correction": {"occurred_on": earlier}},
        headers=world.court,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcomes"][0]["record_written"] == f"J-1.correct.{code}"
    assert world.api.get("/api/v1/records/court/J-1", headers=world.clerk).json()["status"] == "confirmed"
    [fact] = standing(world)["contributions"]  # the corrected fact occurred long ago: expired
    assert (fact["record"], fact["status"]) == ("J-1", "expired")
    assert world.check(PERSON).json()["decision"] == "allow"


def test_repair_after_the_minimum_publicity_period(world: World) -> None:
    csrf = login(world.api, "zhang")
    early = world.api.post(
        "/api/v1/repairs", json={"source": "court", "record": "J-1", "proof": "paid"}, headers={"X-CSRF-Token": csrf}
    )
    assert early.status_code == 409 and early.json()["error"]["details"]["severity"] == "serious"
    world.api.cookies.clear()
    old = {
        "id": "J-0",
        "subject": PERSON,
        "rule": "defaulter",
        "document": "(2025)9",
        "occurred_on": (date.today() - timedelta(days=400)).isoformat(),
    }
    assert world.api.post("/api/v1/records:batch", json=[old], headers=world.court).status_code == 200
    csrf = login(world.api, "zhang")
    applied = world.api.post(
        "/api/v1/repairs",
        json={"source": "court", "record": "J-0", "proof": "paid in full"},
        headers={"X-CSRF-Token": csrf},
    )
    assert applied.status_code == 201, applied.text
    code = applied.json()["id"]
    world.api.cookies.clear()
    refused = world.api.post(f"/api/v1/repairs/{code}/decision", json={"decision": "reject"}, headers=world.court)
    assert refused.status_code == 422  # a rejection needs a reason
    approved = world.api.post(f"/api/v1/repairs/{code}/decision", json={"decision": "approve"}, headers=world.court)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    statuses = {c["record"]: c["status"] for c in standing(world)["contributions"]}
    assert statuses == {"J-0": "repaired", "J-1": "counted"}


def test_share_codes_show_what_their_scope_allows_until_revoked(world: World) -> None:
    csrf = {"X-CSRF-Token": login(world.api, "zhang")}
    too_long = world.api.post("/api/v1/share-codes", json={"scope": "grade-only", "expires_in_days": 91}, headers=csrf)
    assert too_long.status_code == 422
    grade = world.api.post(
        "/api/v1/share-codes", json={"scope": "grade-only", "label": "employer"}, headers=csrf
    ).json()
    full = world.api.post(
        "/api/v1/share-codes", json={"scope": "full-report", "expires_in_days": 7}, headers=csrf
    ).json()
    world.api.cookies.clear()
    seen = world.api.post("/api/v1/shared", json={"code": grade["code"]}).json()["standing"]
    assert set(seen) == {"subject", "as_of", "grade", "policy"}
    assert "contributions" in world.api.post("/api/v1/shared", json={"code": full["code"]}).json()["standing"]
    assert world.api.post("/api/v1/shared", json={"code": "shr_guess"}).status_code == 404
    csrf = {"X-CSRF-Token": login(world.api, "zhang")}
    assert world.api.delete(f"/api/v1/share-codes/{grade['id']}", headers=csrf).json()["state"] == "revoked"
    codes = world.api.get("/api/v1/share-codes").json()["share_codes"]
    assert [(c["state"], c["views"]) for c in codes] == [("revoked", 1), ("active", 1)]
    assert "code" not in codes[0]  # never shown again
    views = [
        i
        for i in world.api.get(f"/api/v1/subjects/{PERSON}/inquiries").json()["inquiries"]
        if i["kind"] == "share-code"
    ]
    assert len(views) == 2
    world.api.cookies.clear()
    assert world.api.post("/api/v1/shared", json={"code": grade["code"]}).status_code == 404


def test_the_data_copy_holds_everything_as_json_and_html(world: World) -> None:
    world.check(PERSON)
    world.api.put(f"/api/v1/subjects/{PERSON}", json={"name": "<b>张三</b>"}, headers=world.clerk)
    login(world.api, "zhang")
    data = world.api.get("/api/v1/me/export").json()
    assert data["subject"]["national_id"] == PERSON and data["subject"]["aliases"] == [PASSPORT]
    assert [r["id"] for r in data["records"]] == ["J-1"] and data["records"][0]["status"] == "confirmed"
    assert data["standing"]["lists"][0]["id"] == "defaulters" and data["lists"][0]["records"][0]["record"] == "J-1"
    assert len(data["inquiries"]) == 1 and len(data["notices"]) == 1
    page = world.api.get("/api/v1/me/export?format=html")
    assert page.headers["content-type"].startswith("text/html")
    assert "Who checked you, and why" in page.text and "&lt;b&gt;张三&lt;/b&gt;" in page.text
    world.api.cookies.clear()
    assert world.api.get("/api/v1/me/export", headers=world.clerk).status_code == 403
    assert world.api.get(f"/api/v1/subjects/{PERSON2}/notices", headers=world.clerk).json()["notices"] == []


def test_the_public_keys_are_published_and_verify_payloads(platform_db: Database, tmp_path: Path) -> None:
    from socialcredit.api.app import create_app
    from socialcredit.reports import init_key, issue_certificate

    settings = Settings(database_url=str(platform_db.engine.url), keys_dir=tmp_path / "keys", secret_key="x")
    with TestClient(create_app(settings, database=platform_db)) as api:
        assert api.get("/api/v1/keys").json() == {"keys": []}
        info = init_key(settings.keys_dir)
        [key] = api.get("/api/v1/keys").json()["keys"]
        assert key["kid"] == info.key_id and key["algorithm"] == "Ed25519" and "PUBLIC KEY" in key["pem"]
        standing = {
            "subject": PERSON,
            "as_of": "2026-01-01",
            "known_at": "2026-01-01T00:00:00+08:00",
            "policy": {"id": "t", "version": "1", "hash": "a" * 64},
            "points": "1000",
            "grade": "A",
            "lists": [],
            "measures": [],
            "contributions": [],
            "next_change_on": None,
        }
        _, payload = issue_certificate(standing, subject_name=None, keys_dir=settings.keys_dir, out=tmp_path / "c.pdf")
        assert api.post("/api/v1/certificates:verify", json={"payload": payload}).json()["valid"] is True
        forged = api.post("/api/v1/certificates:verify", json={"payload": payload[:-3] + "AAA"}).json()
        assert forged["valid"] is False and forged["reason"] in ("bad-signature", "malformed-certificate")
