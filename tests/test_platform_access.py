"""Access: the role × action matrix is one pure function; every API route names its action, and every route
answers every role (and nobody) exactly as the matrix says. Errors share one body."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from platform_support import PNG, Setup, bearer
from socialcredit.access import MATRIX, ROLES, Actor, decide

from conftest import PERSON, PERSON2

PATH_VALUES = {
    "subject": PERSON,
    "source": "police",
    "record_id": "t1",
    "sha256": "a" * 64,
    # lists, checks and rights
    "list_id": "defaulters",
    "objection_id": "obj_0",
    "repair_id": "rep_0",
    "share_id": "1",
}
BODIES: dict[str, dict[str, Any]] = {
    "records.ingest": {"json": []},
    "evidence.upload": {"files": {"file": ("p.png", PNG)}},
    "review.decide": {"json": {"decision": "reject", "reason": "not seen"}},
    "subject.update": {"json": {"passport": "E12345678", "name": "Zhang"}},
    "subject.consent": {"json": {"consent": True}},
}


def test_decisions_explain_themselves() -> None:
    clerk, subject = Actor("key", "c", "clerk"), Actor("user", "z", "subject", subject=PERSON)
    assert decide(None, "handbook.read").allowed
    assert decide(None, "standing.read").status == 401
    assert decide(clerk, "standing.read").reason == "role clerk may standing.read"
    assert decide(subject, "standing.read", subject=PERSON).allowed
    denied = decide(subject, "standing.read", subject=PERSON2)
    assert not denied.allowed and "only about itself" in denied.reason
    assert "allowed: reviewer" in decide(clerk, "review.decide").reason
    with pytest.raises(ValueError, match="unknown action"):
        decide(clerk, "launch.missiles")


def test_every_action_names_known_roles() -> None:
    assert all(audience for audience in MATRIX.values())
    assert {"records.ingest", "review.decide", "standing.read", "audit.read"} <= set(MATRIX)


def operations(api: TestClient) -> list[tuple[str, str, str]]:
    """Every ``(method, path, action)`` of the API, from its OpenAPI description."""
    spec = api.get("/api/v1/openapi.json").json()
    return [
        (method.upper(), path, operation.get("x-action", ""))
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]


def test_every_route_names_an_action_of_the_matrix(api: TestClient) -> None:
    found = operations(api)
    assert len(found) >= 14
    unknown = [f"{method} {path}" for method, path, action in found if action not in MATRIX]
    assert unknown == []


class Callers:
    """A credential per role: keys for machines and staff, a logged-in session for the subject."""

    def __init__(self, platform: Setup, api: TestClient) -> None:
        self.api = api
        self.tokens = {
            role: platform.key(f"{role}-key", role, **({"source": "police"} if role == "source" else {}))
            for role in ROLES
            if role != "subject"
        }
        platform.user("zhang", "subject", subject=PERSON)

    def call(self, role: str | None, method: str, path: str, extra: dict[str, Any]) -> int:
        headers: dict[str, str] = {}
        self.api.cookies.clear()
        if role == "subject":
            headers["X-CSRF-Token"] = login(self.api, "zhang")
        elif role is not None:
            headers = bearer(self.tokens[role])
        return self.api.request(method, path, headers=headers, **extra).status_code


def login(api: TestClient, name: str, password: str = "password-1") -> str:
    """Log in through the form; return the session's CSRF token."""
    form = api.get("/login").text
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    done = api.post("/login", data={"name": name, "password": password, "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303, done.text
    return str(api.get("/api/v1/me").json()["csrf_token"])


def test_every_route_answers_every_role_as_the_matrix_says(platform: Setup, api: TestClient) -> None:
    platform.source("police")
    callers = Callers(platform, api)
    mismatches = []
    for method, template, action in operations(api):
        path = template.format(**PATH_VALUES)
        about = PERSON if "{subject}" in template else None
        for role in (None, *ROLES):
            actor = Actor("key", "x", role, subject=PERSON) if role else None
            expected = decide(actor, action, subject=about)
            status = callers.call(role, method, path, BODIES.get(action, {}))
            denied = status in (401, 403)
            if denied == expected.allowed or (not expected.allowed and status != expected.status):
                mismatches.append(f"{method} {path} as {role}: {status}, expected {expected}")
    assert mismatches == []


def test_a_subject_sees_only_itself(platform: Setup, api: TestClient) -> None:
    platform.user("zhang", "subject", subject=PERSON)
    login(api, "zhang")
    assert api.get(f"/api/v1/subjects/{PERSON}/standing").status_code == 200
    other = api.get(f"/api/v1/subjects/{PERSON2}/standing")
    assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/nowhere", 404, "not-found"),
        ("DELETE", "/api/v1/review-queue", 405, "method-not-allowed"),
        ("GET", "/api/v1/review-queue", 401, "unauthorized"),
        ("GET", f"/api/v1/subjects/{PERSON}/standing?as_of=yesterday", 422, "invalid"),
        ("GET", "/api/v1/review-queue?limit=0", 422, "invalid"),
    ],
)
def test_every_error_has_one_body(
    platform: Setup, api: TestClient, method: str, path: str, status: int, code: str
) -> None:
    headers = bearer(platform.key("reviewer", "reviewer")) if status == 422 else {}
    if "standing" in path:
        headers = bearer(platform.key("clerk", "clerk"))
    answer = api.request(method, path, headers=headers)
    assert answer.status_code == status
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]


def test_a_wrong_key_is_refused(api: TestClient, platform: Setup) -> None:
    answer = api.get("/api/v1/me", headers=bearer("sck_not-a-key"))
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["error"]["message"] == "unknown or revoked API key"


def test_openapi_is_published(api: TestClient) -> None:
    spec = api.get("/api/v1/openapi.json").json()
    assert "/api/v1/records:batch" in spec["paths"]
    assert spec["paths"]["/api/v1/records:batch"]["post"]["x-action"] == "records.ingest"


def test_the_access_table_of_the_docs_matches_the_matrix_and_the_routes(api: TestClient) -> None:
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "platform.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z.]+)` \| ([^|]+) \| ([^|]+) \|$", text, re.MULTILINE)
    assert len(rows) >= 10
    shape = {(method, re.sub(r"\{[^}]+\}", "{}", path), action) for method, path, action in operations(api)}
    for action, _who, routes in rows:
        assert action in MATRIX, action
        for route in re.findall(r"`([A-Z]+) ([^`]+)`", routes):
            assert (route[0], re.sub(r"\{[^}]+\}", "{}", route[1]), action) in shape, (action, route)
