"""The web application in a real browser (Debian's Chromium through Playwright) against a real server
(uvicorn in a thread, on a free port) over a fresh SQLite platform:

- an assessor reports a deed with photos from a phone → a reviewer approves it → the subject's points change;
- an airline's check is denied → the subject sees the inquiry and the notice and objects → the court's
  desk withdraws the record → the same check is allowed;
- public list search; a certificate issued by a clerk and verified on the public page (and a tampered one not).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx2
import pytest

from platform_support import Setup, bearer
from web_support import PASSWORD

from conftest import PERSON

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Browser, Page

    from socialcredit.settings import Settings

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PHONE = {"width": 390, "height": 844}
TIMEOUT = 15_000


def today(days: int = 0) -> str:
    return (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is required when CI=true")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(web_app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


def open_as(browser: Browser, base: str, name: str, *, phone: bool = False) -> Page:
    """A new browser context (English) logged in as ``name`` through the login form."""
    context = browser.new_context(viewport=PHONE if phone else None, locale="en-US", base_url=base)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")
    return page


def photo(number: int) -> dict[str, Any]:
    from socialcredit.cli.demo_county import photo_bytes

    return {"name": f"deed-{number}.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(number)}


def test_deed_reported_from_a_phone_approved_and_counted(browser: Browser, server: str) -> None:
    assessor = open_as(browser, server, "assessor", phone=True)
    assert assessor.url.endswith("/assessor")
    assessor.fill("input[name=subject]", PERSON)
    assessor.select_option("select[name=rule]", "good-deed")
    assessor.fill("input[name=occurred_on]", today(-1))
    assessor.set_input_files("input[name=photos]", [photo(0), photo(1)])
    assessor.click("form[enctype] button[type=submit]")
    assessor.wait_for_selector("[data-testid=report-done]")
    assert "pending review" in assessor.inner_text("[data-testid=my-reports]")

    reviewer = open_as(browser, server, "reviewer")
    item = reviewer.wait_for_selector("[data-testid=queue-item]")
    thumbs = item.query_selector_all(".thumbs img")
    assert len(thumbs) == 2
    reviewer.wait_for_function("() => [...document.querySelectorAll('.thumbs img')].every(i => i.naturalWidth > 0)")
    item.query_selector("button[value=approve]").click()
    assert "Approved" in reviewer.wait_for_selector("[data-testid=review-outcome]").inner_text()

    subject = open_as(browser, server, "subject", phone=True)
    assert subject.inner_text("[data-testid=points]") == "1002"
    explanation = subject.inner_text("[data-testid=explanation]")
    assert "Good deed" in explanation and "counted" in explanation


@pytest.fixture
def listed(web_platform: Setup, server: str) -> dict[str, str]:
    """A court record puts PERSON (named) on the public defaulters list; an airline key checks air travel."""
    from socialcredit.platform.subjects import service as subjects

    with web_platform.unit() as session:
        subjects.update(session, actor=web_platform.admin, identifier=PERSON, name="张三", village="东山村")
    court = web_platform.source("court")
    web_platform.user("airline", "relying-party", password=PASSWORD)
    web_platform.user("courtdesk", "source", password=PASSWORD, source="court")
    keys = {
        "court": court,
        "airline": web_platform.key("airline", "relying-party", services=("air-travel",)),
        "clerk": web_platform.key("clerk-key", "clerk"),
    }
    record = {
        "id": "J-1",
        "subject": PERSON,
        "rule": "defaulter",
        "occurred_on": today(-30),
        "document": "(2025)鲁1082执1号",
    }
    sent = httpx2.post(f"{server}/api/v1/records:batch", json=[record], headers=bearer(court))
    assert sent.status_code == 200, sent.text
    wait_for(lambda: PERSON in httpx2.get(f"{server}/api/v1/lists/defaulters", headers=bearer(keys["clerk"])).text)
    return keys


def wait_for(condition: Any, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def airline_checks(page: Page, key: str | None = None) -> str:
    page.goto("/checks")
    if key is not None:
        page.fill("input[name=key]", key)
        page.click("form[action='/checks/key'] button")
    page.fill("input[name=subject]", PERSON)
    page.select_option("select[name=service]", "air-travel")
    page.fill("input[name=purpose]", "ticket-sale")
    page.click("form[action='/checks'] button[type=submit]")
    return page.wait_for_selector("[data-testid=decision]").inner_text()


def test_denied_check_notice_objection_withdrawal_allowed(
    browser: Browser, server: str, listed: dict[str, str]
) -> None:
    airline = open_as(browser, server, "airline")
    assert airline_checks(airline, listed["airline"]) == "denied"

    subject = open_as(browser, server, "subject", phone=True)
    assert "key:airline" in subject.inner_text("[data-testid=inquiries]")
    notice = subject.inner_text("[data-testid=notice]")
    assert "air-travel" in notice and "Defaulters" in notice and "object" in notice
    subject.click("[data-testid=object-J-1]")
    subject.fill("textarea[name=reason]", "I paid the judgment debt in full last month.")
    subject.click("form[action='/me/objections'] button[type=submit]")
    assert subject.wait_for_selector("[data-testid=objection-state]").inner_text() == "open"

    court = open_as(browser, server, "courtdesk")
    objection = court.wait_for_selector("[data-testid=source-objection]")
    assert "I paid the judgment debt" in objection.inner_text()
    objection.query_selector("input[name=reason]").fill("Paid in full; listing withdrawn.")
    objection.query_selector("button[value=withdraw]").click()
    court.wait_for_selector("[data-testid=source-objection] >> text=withdraw")
    assert airline_checks(airline) == "allowed"
    subject.reload()
    assert subject.inner_text("[data-testid=objection-state]") == "withdrawn"


def test_public_list_search(browser: Browser, server: str, listed: dict[str, str]) -> None:
    page = browser.new_page(base_url=server, locale="zh-CN")
    page.goto("/public/lists")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.fill("input[name=q]", "张三")
    page.wait_for_selector("[data-testid=public-entries] >> text=张三")
    row = page.inner_text("[data-testid=public-entries] tbody")
    assert "3604261991****0071" in row and "1000" not in row  # masked number, and never points
    page.fill("input[name=q]", "李四")
    page.wait_for_selector("#entries >> text=没有匹配的条目")
    page.close()


def test_certificate_issued_by_a_clerk_verifies_and_a_tampered_one_does_not(
    browser: Browser, server: str, web_settings: Settings
) -> None:
    from socialcredit.reports.certificate_pdf import read_certificate_payload
    from socialcredit.reports.signing import init_key

    init_key(web_settings.keys_dir)

    clerk = open_as(browser, server, "clerk")
    clerk.fill("input[name=q]", PERSON)
    clerk.click("form[role=search] button[type=submit]")
    clerk.wait_for_selector("[data-testid=grade]")
    with clerk.expect_download() as download:
        clerk.click("form[action$='/certificate'] button")
    pdf = Path(download.value.path())
    payload = read_certificate_payload(pdf)
    assert payload.startswith("SC1.")

    public = browser.new_page(base_url=server, locale="en-US")
    public.goto("/verify")
    public.fill("textarea[name=payload]", payload)
    public.click("button[type=submit]")
    assert "Genuine" in public.wait_for_selector("[data-testid=verify-valid]").inner_text()
    assert PERSON in public.inner_text("dl.facts")
    body, signature = payload.rsplit(".", 1)
    tampered = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + signature
    public.fill("textarea[name=payload]", tampered)
    public.click("button[type=submit]")
    assert re.search(r"Not valid", public.wait_for_selector("[data-testid=verify-invalid]").inner_text())
    public.close()
