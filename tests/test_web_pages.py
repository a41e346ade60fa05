"""The web pages in-process: login, the language switch, every role's main page, and the deed cycle
(assessor reports with photos → reviewer approves → the subject's points change), on a real SQLite database."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from platform_support import JPEG, PNG, Setup
from web_support import csrf_of, login

from conftest import PERSON

if TYPE_CHECKING:
    from fastapi import FastAPI


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


@pytest.fixture
def client(web_app: FastAPI):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(web_app, headers={"Accept-Language": "en"}) as test_client:
        yield test_client


def test_landing_login_and_language(client) -> None:  # type: ignore[no-untyped-def]
    landing = client.get("/")
    assert landing.status_code == 200 and "Credit information platform" in landing.text
    assert '<html lang="en">' in landing.text and "/static/htmx.min.js" in landing.text
    switched = client.get("/lang?set=zh&next=/login", follow_redirects=True)
    assert '<html lang="zh-CN">' in switched.text and "用户名" in switched.text
    wrong = client.post("/login", data={"name": "clerk", "password": "nope", "csrf_token": csrf_of(switched.text)})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    assert client.get("/static/htmx.min.js").headers["content-type"].startswith("text/javascript")


def test_pages_need_a_login_and_the_right_role(client) -> None:  # type: ignore[no-untyped-def]
    away = client.get("/review", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/login?next=/review"
    login(client, "assessor")
    refused = client.get("/review")
    assert refused.status_code == 403 and "role assessor may not review.read" in refused.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/assessor"


def test_clerk_finds_a_subject_by_identifier(client, web_platform: Setup) -> None:  # type: ignore[no-untyped-def]
    login(client, "clerk")
    found = client.get(f"/clerk?q={PERSON}", follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == f"/subjects/{PERSON}"
    standing = client.get(f"/subjects/{PERSON}")
    assert standing.status_code == 200 and 'data-testid="points">1000<' in standing.text
    bad = client.get("/clerk?q=371082196410233391")
    assert "check digit" in bad.text or "checksum" in bad.text.lower()


def test_deed_cycle_assessor_reviewer_subject(client, web_app: FastAPI) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    login(client, "assessor")
    form = client.get("/assessor")
    assert 'capture="environment"' in form.text and "good-deed" in form.text
    files = [("photos", ("a.jpg", JPEG, "image/jpeg")), ("photos", ("b.png", PNG, "image/png"))]
    data = {"csrf_token": csrf_of(form.text), "subject": PERSON, "rule": "good-deed", "occurred_on": today()}
    sent = client.post("/assessor", data=data, files=files, follow_redirects=True)
    assert sent.status_code == 200 and 'data-testid="report-done"' in sent.text, sent.text
    assert "pending review" in sent.text

    with TestClient(web_app, headers={"Accept-Language": "en"}) as reviewer:
        login(reviewer, "reviewer")
        queue = reviewer.get("/review")
        assert queue.text.count('data-testid="queue-item"') == 1 and "/evidence/" in queue.text
        action = queue.text.split('action="/review/')[1].split('"')[0]
        decided = reviewer.post(
            f"/review/{action}", data={"decision": "approve", "csrf_token": csrf_of(queue.text), "position": "1"},
            headers={"HX-Request": "true"},
        )  # fmt: skip
        assert decided.status_code == 200 and "Approved" in decided.text
        assert decided.headers["HX-Retarget"] == "#item-1"

    with TestClient(web_app, headers={"Accept-Language": "en"}) as subject:
        login(subject, "subject")
        mine = subject.get("/me")
        assert 'data-testid="points">1002<' in mine.text and "Good deed" in mine.text
        thumb = mine.text.split('<img src="')[1].split('"')[0]
        assert subject.get(thumb).status_code == 200


def test_a_form_post_without_the_csrf_token_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    login(client, "reviewer")
    refused = client.post("/review/village/x", data={"decision": "approve"})
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("role", "path", "text"),
    [
        ("admin", "/dashboard", "Grade distribution"),
        ("admin", "/admin", "Handbook versions"),
        ("auditor", "/audit", "The audit chain is intact"),
        ("clerk", "/clerk", "Look up a subject"),
        ("reviewer", "/review", "Nothing is waiting for review"),
        ("subject", "/me", "Who checked me"),
        ("relying-party", "/checks", "API key of the relying party"),
    ],
)
def test_every_role_main_page(client, web_platform: Setup, role: str, path: str, text: str) -> None:  # type: ignore[no-untyped-def]
    if role == "relying-party":
        web_platform.user("airline", "relying-party", password="password-1")
    login(client, "airline" if role == "relying-party" else role)
    shown = client.get(path)
    assert shown.status_code == 200 and text in shown.text, shown.text[:2000]
    assert "<svg" in shown.text if path == "/dashboard" else True


def test_public_pages_and_certificate_verification(client) -> None:  # type: ignore[no-untyped-def]
    lists = client.get("/public/lists")
    assert lists.status_code == 200 and "Defaulters" in lists.text
    bad = client.post("/verify", data={"payload": "SC1.not.valid"})
    assert bad.status_code == 200 and 'data-testid="verify-invalid"' in bad.text


PAGES = [
    ("/clerk", "subject.read", None),
    (f"/subjects/{PERSON}", "standing.read", PERSON),
    ("/assessor", "records.ingest", None),
    ("/review", "review.read", None),
    ("/checks", "checks.run", None),
    ("/dashboard", "dashboard.read", None),
    ("/admin", "admin.read", None),
    ("/audit", "audit.read", None),
    ("/public/lists", "lists.public", None),
    ("/verify", "certificates.verify", None),
    ("/source", "objections.decide", None),
]


def test_every_page_answers_every_role_as_the_matrix_says(client, web_platform: Setup) -> None:  # type: ignore[no-untyped-def]
    from socialcredit.access import Actor, decide

    web_platform.user("relying-party", "relying-party", password="password-1")
    web_platform.user("source", "source", password="password-1", source="village")
    mismatches = []
    for role in (None, "admin", "clerk", "assessor", "reviewer", "auditor", "subject", "relying-party", "source"):
        client.cookies.clear()
        if role is not None:
            login(client, role)
        actor = Actor("user", role, role, subject=PERSON if role == "subject" else None) if role else None
        for path, action, about in PAGES:
            expected = decide(actor, action, subject=about)
            status = client.get(path, follow_redirects=False).status_code
            wanted = 200 if expected.allowed else (303 if role is None else 403)
            if status != wanted:
                mismatches.append(f"{path} as {role}: {status}, expected {wanted} ({expected.reason})")
        me = client.get("/me", follow_redirects=False).status_code
        if me != {None: 303, "subject": 200}.get(role, 403):
            mismatches.append(f"/me as {role}: {me}")
    assert mismatches == []


def test_admin_compares_and_simulates_a_candidate_handbook(client, web_platform: Setup) -> None:  # type: ignore[no-untyped-def]
    from platform_support import PLATFORM_TOML

    source = web_platform.source("police")
    record = {"id": "p-1", "subject": PERSON, "rule": "minus5", "occurred_on": today()}
    sent = client.post("/api/v1/records:batch", json=[record], headers={"Authorization": f"Bearer {source}"})
    assert sent.status_code == 200, sent.text
    login(client, "admin")
    form = client.get("/admin/handbooks/compare")
    candidate = PLATFORM_TOML.replace("points = -5\n", "points = -10\n", 1).replace('version = "1"', 'version = "2"', 1)
    done = client.post(
        "/admin/handbooks/compare",
        data={"csrf_token": csrf_of(form.text), "run": "1"},
        files={"file": ("candidate.toml", candidate.encode(), "application/toml")},
    )
    assert done.status_code == 200, done.text[:3000]
    assert 'data-testid="diff-rules"' in done.text and "minus5" in done.text and "-10" in done.text
    assert 'data-testid="simulation"' in done.text
    bad = client.post(
        "/admin/handbooks/compare",
        data={"csrf_token": csrf_of(form.text)},
        files={"file": ("bad.toml", b'[policy]\nid = "x"\n', "application/toml")},
    )
    assert bad.status_code == 422 and "alert error" in bad.text


def defaulter(web_platform: Setup, client) -> str:  # type: ignore[no-untyped-def]
    """PERSON listed as a defaulter by the court (through the API); returns the court's key."""
    court = web_platform.source("court")
    record = {"id": "J-1", "subject": PERSON, "rule": "defaulter", "occurred_on": today(), "document": "(2025)1号"}
    sent = client.post("/api/v1/records:batch", json=[record], headers={"Authorization": f"Bearer {court}"})
    assert sent.status_code == 200, sent.text
    return court


def test_relying_party_checks_one_and_screens_a_file(client, web_platform: Setup) -> None:  # type: ignore[no-untyped-def]
    defaulter(web_platform, client)
    key = web_platform.key("airline", "relying-party", services=("air-travel",))
    web_platform.user("counter", "relying-party", password="password-1")
    login(client, "counter")
    page = client.get("/checks")
    wrong = client.post("/checks/key", data={"key": "sck_nope", "csrf_token": csrf_of(page.text)})
    assert wrong.status_code == 401 and "not a live relying-party key" in wrong.text
    bound = client.post("/checks/key", data={"key": key, "csrf_token": csrf_of(page.text)}, follow_redirects=True)
    assert "Checking as airline" in bound.text
    token = csrf_of(bound.text)
    form = {"subject": PERSON, "service": "air-travel", "purpose": "ticket-sale", "csrf_token": token}
    answer = client.post("/checks", data=form)
    assert answer.status_code == 200 and 'data-testid="decision">denied<' in answer.text
    other = client.post("/checks", data={**form, "service": "bike-rental"})
    assert other.status_code == 403 and "air-travel" in other.text
    csv = f"identifier\n{PERSON}\n11010519491231002X\n".encode()
    screened = client.post(
        "/checks/bulk",
        data={"service": "air-travel", "purpose": "passenger-list", "csrf_token": token},
        files={"file": ("list.csv", csv, "text/csv")},
    )
    assert screened.status_code == 200 and "2 identifiers screened, 1 denied" in screened.text


def test_subject_share_codes_and_a_repair_too_early(client, web_platform: Setup) -> None:  # type: ignore[no-untyped-def]
    defaulter(web_platform, client)
    login(client, "subject")
    portal = client.get("/me")
    assert "Judgment defaulter" in portal.text or "Defaulters" in portal.text
    issued = client.post(
        "/me/share-codes", data={"scope": "grade-only", "days": "30", "csrf_token": csrf_of(portal.text)}
    )
    code = issued.text.split('data-testid="new-code">')[1].split("<")[0]
    assert issued.status_code == 200 and code.startswith("shr_")
    again = client.get("/me")
    assert code not in again.text and code[:8] in again.text  # shown once, then only its hint
    too_long = client.post(
        "/me/share-codes", data={"scope": "grade-only", "days": "365", "csrf_token": csrf_of(portal.text)}
    )
    assert too_long.status_code == 422 and "expires_in_days" in too_long.text
    repair = client.post(
        "/me/repairs", data={"source": "court", "record": "J-1", "proof": "paid", "csrf_token": csrf_of(portal.text)}
    )
    assert repair.status_code in (409, 422) and "alert error" in repair.text


def test_search_dashboards_and_administration_on_sqlite_and_postgresql(platform: Setup, platform_settings) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from socialcredit.api.app import create_app
    from socialcredit.platform.subjects import service as subjects

    with platform.unit() as session:
        subjects.update(session, actor=platform.admin, identifier=PERSON, name="王_芳%", village="东山村")
    police = platform.source("police")
    for role in ("admin", "clerk"):
        platform.user(role, role, password="password-1")
    app = create_app(platform_settings, database=platform.db)
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        record = {"id": "p-1", "subject": PERSON, "rule": "minus5", "occurred_on": today()}
        assert (
            client.post(
                "/api/v1/records:batch", json=[record], headers={"Authorization": f"Bearer {police}"}
            ).status_code
            == 200
        )
        login(client, "clerk")
        found = client.get("/clerk", params={"q": "_芳%"})
        assert PERSON in found.text and "东山村" in found.text
        assert PERSON not in client.get("/clerk", params={"q": "芳_"}).text  # LIKE wildcards are literal
        client.cookies.clear()
        login(client, "admin")
        dashboard = client.get("/dashboard")
        assert dashboard.status_code == 200 and "Minus five" in dashboard.text and "东山村" in dashboard.text
        assert client.get("/admin").status_code == 200 and client.get("/audit").status_code == 200


def test_a_missing_page_is_html_for_browsers_and_json_for_the_api(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/nowhere", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.text
    api = client.get("/api/v1/nowhere", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not-found"
    assert client.get("/nowhere").json()["error"]["code"] == "not-found"


def test_clerk_downloads_a_credit_report_and_a_subject_may_not_issue_a_certificate(client, web_settings) -> None:  # type: ignore[no-untyped-def]
    from socialcredit.reports.signing import init_key

    init_key(web_settings.keys_dir)
    login(client, "clerk")
    page = client.get(f"/subjects/{PERSON}")
    report = client.post(f"/subjects/{PERSON}/report", data={"csrf_token": csrf_of(page.text)})
    assert report.status_code == 200 and report.headers["content-type"] == "application/pdf"
    assert report.content.startswith(b"%PDF") and "credit-report-" in report.headers["content-disposition"]
    certificate = client.post(f"/subjects/{PERSON}/certificate", data={"csrf_token": csrf_of(page.text)})
    assert certificate.status_code == 200 and certificate.content.startswith(b"%PDF")
    client.cookies.clear()
    login(client, "subject")
    mine = client.get(f"/subjects/{PERSON}")
    assert mine.status_code == 200 and "/certificate" not in mine.text
    refused = client.post(f"/subjects/{PERSON}/certificate", data={"csrf_token": csrf_of(mine.text)})
    assert refused.status_code == 403


def test_subject_gives_and_withdraws_consent(client, web_platform: Setup) -> None:  # type: ignore[no-untyped-def]
    login(client, "subject")
    portal = client.get("/me")
    assert "No consent to scoring on record" in portal.text
    given = client.post("/me/consent", data={"given": "yes", "csrf_token": csrf_of(portal.text)}, follow_redirects=True)
    assert "You consent to being scored" in given.text
    withdrawn = client.post(
        "/me/consent", data={"given": "no", "csrf_token": csrf_of(portal.text)}, follow_redirects=True
    )
    assert "No consent to scoring on record" in withdrawn.text
    assert web_platform.count("subject_consents") == 2
