"""Shared test builders.

- ``policy_text`` / ``make_policy(extra_toml)``: a small handbook (start 1000, grades A ≥ 1000, B ≥ 900, C)
  with rules covering every feature of DESIGN §7; ``extra_toml`` is appended, ``replace`` swaps text.
- ``rec(...)``: a :class:`Record` with sensible defaults (source "s", subject PERSON, confirmed, known on
  its ``occurred_on``); dates may be given as strings.
- ``PERSON``, ``PERSON2``, ``ORG``: valid national identifiers (GB 11643 and GB 32100 test vectors).
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from socialcredit.policy import parse_policy
from socialcredit.policy.model import Policy
from socialcredit.policy.money import to_cents
from socialcredit.records.schema import Record

pytest_plugins = ["platform_support", "web_support"]  # platform fixtures (platform_db, platform, api, …), web pages

PERSON = "360426199101010071"
PERSON2 = "11010519491231002X"
ORG = "91110000600037341L"
TZ = ZoneInfo("Asia/Shanghai")

POLICY_TOML = """
[policy]
id = "test"
version = "1"
title = "Test handbook"
effective_from = 2020-01-01
timezone = "Asia/Shanghai"
subjects = ["person", "organisation"]
default_counts_for = "P1Y"

[scale]
start = 1000

[[grades]]
name = "A"
min = 1000
[[grades]]
name = "B"
min = 900
[[grades]]
name = "C"

[[rules]]
id = "minus5"
title = "Minus five"
category = "traffic"
severity = "minor"
points = -5
legal_basis = "Test law 1"

[[rules]]
id = "plus1.capped"
title = "Plus one, two a month"
category = "community"
severity = "minor"
points = 1
legal_basis = "Test law 2"
cap = { count = 2, per = "month" }

[[rules]]
id = "plus4.points-cap"
title = "Plus four, at most 10 a year"
category = "community"
severity = "minor"
points = 4
legal_basis = "Test law 3"
cap = { points = 10, per = "year" }

[[rules]]
id = "litter"
title = "Littering, three days to clear it"
category = "environment"
severity = "minor"
points = -3
legal_basis = "Test law 4"
notice = { cure_within = "P3D" }

[[rules]]
id = "drunk"
title = "Drunk driving"
category = "traffic"
severity = "serious"
points = -20
legal_basis = "Test law 5"
grade_ceiling = "B"
counts_for = "P2Y"

[[rules]]
id = "defaulter"
title = "Judgment defaulter"
category = "judicial"
severity = "serious"
points = -50
legal_basis = "SPC"
counts_for = "P2Y"
sources = ["court"]
requires_document = true

[[rules]]
id = "other"
title = "Other commercial untrustworthiness"
category = "contract-performance"
severity = "general"
points = [-50, -5]
legal_basis = "Test law 6"

[[rules]]
id = "deed"
title = "Half a point"
category = "community"
severity = "minor"
points = 0.5
legal_basis = "Test law 7"

[[rules]]
id = "heroic"
title = "Heroic act"
category = "honours"
severity = "minor"
points = 30
legal_basis = "Test law 8"

[[lists]]
id = "defaulters"
kind = "black"
title = "Defaulters"
public = true
members = { rules = ["defaulter"] }

[[lists]]
id = "low"
kind = "black"
title = "Low grades"
members = { grades = ["C"] }

[[measures]]
id = "no-air"
service = "air-travel"
effect = "deny"
when = { lists = ["defaulters"] }
legal_basis = "SPC art. 3(1)"
title = "No flights"

[[measures]]
id = "bike"
service = "bike-rental"
effect = "benefit"
when = { grades = ["A"] }
legal_basis = "Local measure"
title = "Deposit-free bikes"
"""


def make_policy(extra_toml: str = "", replace: dict[str, str] | None = None) -> Policy:
    text = POLICY_TOML
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return parse_policy(text + extra_toml)


@pytest.fixture
def policy() -> Policy:
    return make_policy()


def day(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def rec(
    id: str,
    rule: str | None = "minus5",
    occurred_on: str | date = "2024-01-10",
    *,
    source: str = "s",
    subject: str = PERSON,
    kind: str = "fact",
    ref: str | None = None,
    recorded_at: str | datetime | None = None,
    points: str | None = None,
    status: str = "confirmed",
    document: str | None = None,
) -> Record:
    occurred = day(occurred_on)
    if isinstance(recorded_at, str):
        recorded = datetime.fromisoformat(recorded_at)
        recorded = recorded if recorded.tzinfo else recorded.replace(tzinfo=TZ)
    else:
        recorded = recorded_at or datetime.combine(occurred, time.min, TZ)
    return Record(
        source=source,
        id=id,
        subject=subject,
        kind=kind,
        ref=ref,
        rule=rule,
        occurred_on=occurred,
        recorded_at=recorded,
        points=to_cents(points) if points is not None else None,
        reason="reason" if points is not None else None,
        document=document,
        status=status,
    )


def postgres_url() -> str:
    return os.environ.get("SOCIALCREDIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
