"""The shipped sample and ``socialcredit demo``: the sample is what its script writes, and shows every status;
``demo --offline`` scores it; ``demo --no-serve`` builds a (small) county on a fresh platform."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from socialcredit.policy import load_policy
from socialcredit.scoring.batch_io import evaluate_all
from socialcredit.scoring.standing import Standing

ROOT = Path(__file__).resolve().parents[1]
HANDBOOK = ROOT / "policies" / "rongcheng.toml"
SAMPLE = ROOT / "examples" / "rongcheng-sample.jsonl"
AS_OF = date(2025, 6, 30)


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "socialcredit", *args], capture_output=True, text=True, check=False, cwd=cwd
    )


@pytest.fixture(scope="module")
def standings() -> dict[str, Standing]:
    return {s.subject: s for s in evaluate_all(SAMPLE, load_policy(HANDBOOK), AS_OF)}


def test_the_sample_is_what_make_sample_writes(tmp_path: Path) -> None:
    out = tmp_path / "sample.jsonl"
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "make_sample.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == SAMPLE.read_bytes(), "run: python examples/make_sample.py"


def test_the_sample_covers_people_organisations_and_every_status(standings: dict[str, Standing]) -> None:
    kinds = {subject[0] for subject in standings}
    assert len([s for s in standings if s.startswith("371082") and len(s) == 18]) == 100
    assert len([s for s in standings if s[2:8] == "371082"]) == 10 and kinds >= {"3", "9", "5"}
    statuses = {c.status for s in standings.values() for c in s.contributions}
    expected = {"counted", "capped", "pending-notice", "cured", "expired", "repaired", "withdrawn"}
    assert statuses >= expected | {"not-yet-known", "not-confirmed"}
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert 200 <= len(lines) <= 600
    kinds_of_record = {json.loads(line).get("kind", "fact") for line in lines}
    assert kinds_of_record == {"fact", "correct", "withdraw", "cure", "repair"}


def test_the_scripted_cases(standings: dict[str, Standing]) -> None:
    clerk = standings["371082197104136369"]
    assert (clerk.points, clerk.grade) == (101500, "A")
    defaulter = standings["371082194805262655"]
    assert defaulter.decision("air-travel") == "deny" and defaulter.decision("g-train") == "deny"
    assert defaulter.grade == "B" and [entry.id for entry in defaulter.lists] == ["court-defaulters"]
    paid = standings["371082194005314138"]
    assert paid.decision("air-travel") == "allow" and [c.status for c in paid.contributions] == ["repaired"]
    assert standings["371082195412305129"].grade == "C"
    assert standings["371082194703141342"].grade == "AAA"
    assert standings["371082196506123494"].next_change_on == date(2025, 7, 2)


def test_demo_prints_the_distribution_lists_and_three_explanations(standings: dict[str, Standing]) -> None:
    result = cli("demo", "--offline")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Grade distribution" in out and "110 subjects" in out
    rows = dict(re.findall(r"^\s*(AAA|AA|A|B|C|D)\s.*?(\d+)\s+[\d.]+%\s*$", out, re.MULTILINE))
    assert rows == {g: str(sum(s.grade == g for s in standings.values())) for g in ("AAA", "AA", "A", "B", "C", "D")}
    assert "court-defaulters" in out and "3 standings explained" in out
    assert out.count("as known at 2025-06-30 23:59") == 3
    assert "denied: air-travel" in out


def test_demo_finds_the_shipped_files_from_another_directory(tmp_path: Path) -> None:
    result = cli("demo", "--offline", "--explained", "0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "110 subjects" in result.stdout and "standings explained" not in result.stdout


def test_demo_with_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = cli("demo", "--offline", "--records", str(tmp_path / "none.jsonl"))
    assert result.returncode == 2 and result.stdout == ""
    assert "no such file" in result.stderr and "Traceback" not in result.stderr


def test_demo_builds_a_small_county_with_a_login_for_every_role(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    folder = tmp_path / "county"
    result = cli("demo", "--no-serve", "--people", "300", "--orgs", "20", "--months", "3", "--dir", str(folder))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Open http://127.0.0.1:8000/" in out and "password for all: demo-2025" in out
    for role in ("admin", "clerk", "assessor", "reviewer", "auditor", "relying-party", "subject"):
        assert re.search(rf"^  {re.escape(role)}\s+\S+", out, re.MULTILINE), role
    engine = create_engine(f"sqlite:///{folder / 'demo.db'}")
    with engine.connect() as connection:
        named = connection.execute(text("SELECT count(*) FROM subjects WHERE name IS NOT NULL")).scalar_one()
        pending = connection.execute(text("SELECT count(*) FROM records WHERE status = 'pending'")).scalar_one()
        standings = connection.execute(text("SELECT count(*) FROM standings")).scalar_one()
    engine.dispose()
    assert named == 320 and pending > 0 and standings > 0
    assert (folder / "keys").is_dir() and not (folder / "work").exists()
    again = cli("demo", "--no-serve", "--people", "300", "--orgs", "20", "--months", "3", "--dir", str(folder))
    assert again.returncode == 0, again.stderr


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me", encoding="utf-8")
    result = cli("demo", "--no-serve", "--dir", str(tmp_path))
    assert result.returncode == 2 and "not made by the demo" in result.stderr
    assert (tmp_path / "precious.txt").exists()


def test_demo_serves_the_web_app_once_ready(tmp_path: Path) -> None:
    import socket

    import httpx2

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ["--people", "200", "--orgs", "10", "--months", "2", "--dir", str(tmp_path / "c"), "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-m", "socialcredit", "demo", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None
        lines = []
        for line in server.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        assert any(line.startswith("Demo county ready in") for line in lines), lines
        page = httpx2.get(f"http://127.0.0.1:{port}/login", timeout=10)
        assert page.status_code == 200 and 'name="csrf_token"' in page.text
    finally:
        server.terminate()
        server.wait(timeout=30)
