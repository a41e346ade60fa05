"""Builders of the web tests: a platform on SQLite with the web pages installed, and logged-in clients.

- ``web_platform``: a :class:`platform_support.Setup` on a fresh SQLite database with the test handbook
  active, a ``village`` source, and one user per role (password ``password-1``): ``admin``, ``clerk``,
  ``assessor`` (reports for ``village``), ``reviewer``, ``auditor``, ``subject`` (tied to ``PERSON``).
- ``web_app``: the platform's app with the web installed (settings with evidence and keys in tmp).
- ``login(client, name)``: log a TestClient in through the form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from platform_support import Setup

from conftest import PERSON

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from socialcredit.settings import Settings

PASSWORD = "password-1"
ROLES = ("admin", "clerk", "assessor", "reviewer", "auditor", "subject")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    from socialcredit.settings import Settings

    return Settings(
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        evidence_dir=tmp_path / "evidence",
        keys_dir=tmp_path / "keys",
        secret_key="web-test-secret",
    )


@pytest.fixture
def web_platform(web_settings: Settings) -> Iterator[Setup]:
    from socialcredit.db.connect import open_database

    db = open_database(web_settings, migrate=True)
    setup = Setup(db)
    setup.activate()
    setup.source("village")
    for role in ROLES:
        options = {"subject": PERSON} if role == "subject" else {"source": "village"} if role == "assessor" else {}
        setup.user(role, role, password=PASSWORD, **options)
    yield setup
    db.dispose()


@pytest.fixture
def web_app(web_platform: Setup, web_settings: Settings) -> FastAPI:
    from socialcredit import web
    from socialcredit.api.app import create_app

    return web.install(create_app(web_settings, database=web_platform.db))


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    token = csrf_of(client.get("/login").text)
    done = client.post(
        "/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    return client
