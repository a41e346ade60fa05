"""``socialcredit certificate issue ID`` from the platform's records, as a real subprocess on a fresh SQLite
database set up with the platform commands: the PDF verifies offline, a tampered payload does not, a bad
identifier or unknown subject exits 2 with nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from platform_support import PLATFORM_TOML

from conftest import PERSON, PERSON2


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "socialcredit", *args], capture_output=True, text=True, env=env, input=stdin, check=False
    )


@pytest.fixture(scope="module")
def platform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One platform for the module (set up once: each command is a process)."""
    tmp_path = tmp_path_factory.mktemp("platform")
    env = {
        **os.environ,
        "SOCIALCREDIT_DATABASE_URL": f"sqlite:///{tmp_path / 'sc.db'}",
        "SOCIALCREDIT_KEYS_DIR": str(tmp_path / "keys"),
        "SOCIALCREDIT_EVIDENCE_DIR": str(tmp_path / "evidence"),
    }
    handbook = tmp_path / "handbook.toml"
    handbook.write_text(PLATFORM_TOML, encoding="utf-8")
    day = (date.today() - timedelta(days=40)).isoformat()
    records = tmp_path / "records.jsonl"
    records.write_text(
        json.dumps({"id": "h1", "subject": PERSON, "rule": "heroic", "occurred_on": day}) + "\n", encoding="utf-8"
    )
    for args in (
        ("init",),
        ("policy", "activate", str(handbook)),
        ("sources", "add", "village"),
        ("import", str(records), "--source", "village"),
        ("certificate", "init-key"),
    ):
        done = run(env, *args)
        assert done.returncode == 0, (args, done.stderr)
    return env


def test_issue_verify_and_tamper(platform_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "certificate.pdf"
    issued = run(platform_env, "certificate", "issue", PERSON, "--out", str(out), "--format", "json")
    assert issued.returncode == 0, issued.stderr
    body = json.loads(issued.stdout)
    assert body["file"] == str(out) and out.read_bytes().startswith(b"%PDF-")
    verified = run(platform_env, "certificate", "verify", str(out))
    assert verified.returncode == 0, verified.stderr
    contents = json.loads(verified.stdout)
    assert (contents["subject"], contents["grade"], contents["points"]) == (PERSON, "A", "1030")
    assert run(platform_env, "certificate", "verify", body["payload"]).returncode == 0
    head, middle, signature = body["payload"].split(".")
    forged = json.loads(__import__("base64").urlsafe_b64decode(middle + "=" * (-len(middle) % 4)))
    forged["grade"] = "AAA"
    encoded = __import__("base64").urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    tampered = run(platform_env, "certificate", "verify", f"{head}.{encoded}.{signature}")
    assert tampered.returncode == 1 and "bad-signature" in tampered.stderr
    log = run(platform_env, "audit", "verify", "--format", "json")
    assert log.returncode == 0 and json.loads(log.stdout)["ok"] is True


def test_a_bad_or_unknown_subject_writes_nothing(platform_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "nobody.pdf"
    bad = run(platform_env, "certificate", "issue", "360426199101010072", "--out", str(out))
    assert bad.returncode == 2 and "check digit" in bad.stderr
    unknown = run(platform_env, "certificate", "issue", PERSON2, "--out", str(out))
    assert unknown.returncode == 2 and "no subject" in unknown.stderr
    assert not out.exists()
