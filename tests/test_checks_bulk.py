"""``POST /api/v1/checks:bulk``: a CSV or Parquet file of identifiers in, one decision per identifier out (in
order, JSON Lines or CSV), every screened identifier logged, a notice for every denial."""

from __future__ import annotations

import io
import json

import polars as pl
import pytest
from fastapi.testclient import TestClient

from platform_support import Setup
from socialcredit.platform.checks.screen import screen
from socialcredit.platform.checks.snapshot import Membership, SubjectState, build_snapshot
from test_checks_flow import PASSPORT, World

from conftest import ORG, PERSON, PERSON2, make_policy

URL = "/api/v1/checks:bulk?service=air-travel&purpose=passenger-list"


@pytest.fixture
def world(platform: Setup, api: TestClient) -> World:
    return World(platform, api)


def test_a_csv_file_is_screened_in_order_and_logged(world: World) -> None:
    body = f"identifier\n{PERSON2}\n{PASSPORT.lower()}\nnot-an-id\n{ORG}\n{PERSON}\n"
    answer = world.api.post(URL, content=body, headers={**world.airline, "Content-Type": "text/csv"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.text.splitlines()]
    assert [(line["identifier"], line["decision"]) for line in lines] == [
        (PERSON2, "allow"),
        (PASSPORT.lower(), "deny"),
        ("not-an-id", "invalid"),
        (ORG, "allow"),
        (PERSON, "deny"),
    ]
    assert lines[1]["measures"] == ["no-air"] and lines[1]["lists"] == ["defaulters"]
    assert "decision_id" not in lines[2] and all(len(line.get("decision_id", "x" * 32)) == 32 for line in lines)
    assert world.platform.count("check_log") == 4 and world.platform.count("notices") == 2
    inquiries = world.api.get(f"/api/v1/subjects/{PERSON}/inquiries", headers=world.clerk).json()["inquiries"]
    assert {i["purpose"] for i in inquiries} == {"passenger-list"} and len(inquiries) == 2


def test_parquet_in_csv_out(world: World) -> None:
    buffer = io.BytesIO()
    pl.DataFrame({"subject": [PERSON, PERSON2]}).write_parquet(buffer)
    headers = {**world.airline, "Content-Type": "application/vnd.apache.parquet", "Accept": "text/csv"}
    answer = world.api.post(URL, content=buffer.getvalue(), headers=headers)
    assert answer.status_code == 200, answer.text
    rows = list(pl.read_csv(io.StringIO(answer.text)).iter_rows(named=True))
    assert [(r["identifier"], r["decision"], r["measures"]) for r in rows] == [
        (PERSON, "deny", "no-air"),
        (PERSON2, "allow", None),
    ]


def test_bad_files_and_services_are_refused_and_nothing_is_logged(world: World) -> None:
    csv = {**world.airline, "Content-Type": "text/csv"}
    assert world.api.post(URL, content="", headers=csv).status_code == 422
    assert world.api.post(URL, content="a,b\n1,2\n", headers=csv).status_code == 422
    other = URL.replace("air-travel", "bike-rental")
    assert world.api.post(other, content=f"{PERSON}\n", headers=csv).status_code == 403
    assert (
        world.api.post(URL, content=f"{PERSON}\n", headers={**world.clerk, "Content-Type": "text/csv"}).status_code
        == 403
    )
    assert world.platform.count("check_log") == 0


def test_a_headerless_single_column_counts_its_first_line() -> None:
    from socialcredit.platform.checks.bulk import read_identifiers

    assert read_identifiers(f"{PERSON}\n{PERSON2}\n".encode(), "text/csv").to_list() == [PERSON, PERSON2]


def test_screening_without_the_hash_join_gives_the_same_answers() -> None:
    states = [SubjectState(PERSON, "C", (Membership("defaulters"),), (PASSPORT,)), SubjectState(PERSON2, "A")]
    snapshot = build_snapshot(states, make_policy(), list_version=1, built_at=__import__("datetime").datetime.now())
    given = [PERSON, PASSPORT, PERSON2, ORG, "x"]
    hashed = screen(snapshot, given, "air-travel")
    snapshot.cache["hashed"] = False  # as if two keys shared a 64-bit hash
    assert screen(snapshot, given, "air-travel").equals(hashed)
    assert hashed["decision"].to_list() == ["deny", "deny", "allow", "allow", "invalid"]
