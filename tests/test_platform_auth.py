"""People log in with a form (argon2, CSRF-protected); unsafe requests made with the session cookie must
echo its CSRF token; machines use bearer keys, which can be revoked."""

from __future__ import annotations

from fastapi.testclient import TestClient

from platform_support import Setup, bearer

from conftest import PERSON


def form_token(api: TestClient) -> str:
    page = api.get("/login")
    assert page.status_code == 200 and "<form" in page.text
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def test_login_then_the_session_acts_as_the_user(platform: Setup, api: TestClient) -> None:
    platform.user("alice", "clerk", password="correct horse")
    done = api.post(
        "/login",
        data={"name": "alice", "password": "correct horse", "csrf_token": form_token(api), "next": "/api/v1/me"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/api/v1/me"
    me = api.get("/api/v1/me").json()
    assert (me["kind"], me["name"], me["role"]) == ("user", "alice", "clerk") and me["csrf_token"]
    assert api.get(f"/api/v1/subjects/{PERSON}/standing").status_code == 200


def test_a_wrong_password_or_missing_token_does_not_log_in(platform: Setup, api: TestClient) -> None:
    platform.user("alice", "clerk", password="correct horse")
    wrong = api.post("/login", data={"name": "alice", "password": "wrong", "csrf_token": form_token(api)})
    assert wrong.status_code == 401 and "Wrong name or password" in wrong.text
    forged = api.post("/login", data={"name": "alice", "password": "correct horse", "csrf_token": "guess"})
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "forbidden"
    assert api.get("/api/v1/me").status_code == 401


def test_unsafe_session_requests_need_the_csrf_header(platform: Setup, api: TestClient) -> None:
    platform.user("alice", "clerk", password="correct horse")
    api.post("/login", data={"name": "alice", "password": "correct horse", "csrf_token": form_token(api)})
    token = api.get("/api/v1/me").json()["csrf_token"]
    url = f"/api/v1/subjects/{PERSON}"
    refused = api.put(url, json={"name": "Zhang San"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    assert platform.count("subjects") == 0
    accepted = api.put(url, json={"name": "Zhang San"}, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200 and accepted.json()["name"] == "Zhang San"


def test_logout_ends_the_session(platform: Setup, api: TestClient) -> None:
    platform.user("alice", "clerk", password="correct horse")
    api.post("/login", data={"name": "alice", "password": "correct horse", "csrf_token": form_token(api)})
    token = api.get("/api/v1/me").json()["csrf_token"]
    assert api.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert api.get("/api/v1/me").status_code == 401


def test_redirects_stay_on_the_site(platform: Setup, api: TestClient) -> None:
    platform.user("alice", "clerk", password="correct horse")
    done = api.post(
        "/login",
        data={
            "name": "alice",
            "password": "correct horse",
            "csrf_token": form_token(api),
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == "/api/v1/me"


def test_a_revoked_key_stops_working(platform: Setup, api: TestClient) -> None:
    token = platform.key("airline", "relying-party", services=("air-travel",))
    me = api.get("/api/v1/me", headers=bearer(token)).json()
    assert (me["role"], me["services"]) == ("relying-party", ["air-travel"])
    with platform.unit() as session:
        from socialcredit.platform.users.service import revoke_key

        revoke_key(session, actor=platform.admin, name="airline")
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 401
