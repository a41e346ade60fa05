"""The set-up CLI end to end, as an operator runs it (subprocess, temporary SQLite file):
init, policy activate, sources/keys/users add, import (atomic, listed problems), cycle close, audit verify."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from platform_support import PLATFORM_TOML

from conftest import PERSON, PERSON2

COURT = [
    {"id": "c1", "subject": PERSON, "rule": "defaulter", "occurred_on": "2024-03-01", "document": "(2024)1"},
    {"id": "c2", "subject": PERSON2, "rule": "minus5", "occurred_on": "2024-03-02"},
    {"id": "c3", "kind": "withdraw", "ref": "c2", "occurred_on": "2024-04-01"},
]


class Operator:
    """Runs ``socialcredit`` against one database and evidence directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.database = directory / "platform.db"
        self.env = {
            "SOCIALCREDIT_DATABASE_URL": f"sqlite:///{self.database}",
            "SOCIALCREDIT_EVIDENCE_DIR": str(directory / "evidence"),
            "PATH": "/usr/bin:/bin",
        }

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "socialcredit", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.directory,
            check=False,
        )

    def json(self, *args: str, stdin: str = "") -> dict[str, object]:
        done = self(*args, "--format", "json", stdin=stdin)
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql).fetchall()


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


@pytest.fixture
def operator(tmp_path: Path) -> Operator:
    run = Operator(tmp_path)
    (tmp_path / "handbook.toml").write_text(PLATFORM_TOML, encoding="utf-8")
    assert run("init").returncode == 0
    activated = run.json("policy", "activate", "handbook.toml")
    assert activated["changed"] is True
    return run


def test_init_creates_then_reports_up_to_date(tmp_path: Path) -> None:
    run = Operator(tmp_path)
    first, second = run("init"), run("init")
    assert first.returncode == 0 and "created" in first.stdout
    assert second.returncode == 0 and "up to date" in second.stdout
    assert (tmp_path / "evidence").is_dir()


def test_commands_before_init_say_so(tmp_path: Path) -> None:
    done = Operator(tmp_path)("sources", "add", "court")
    assert done.returncode == 2
    assert "socialcredit init" in done.stderr and "Traceback" not in done.stderr


def test_activate_twice_is_a_no_op_and_a_bad_handbook_exits_2(operator: Operator) -> None:
    assert operator.json("policy", "activate", "handbook.toml")["changed"] is False
    (operator.directory / "bad.toml").write_text(
        PLATFORM_TOML.replace('legal_basis = "Test law 1"', ""), encoding="utf-8"
    )
    done = operator("policy", "activate", "bad.toml")
    assert done.returncode == 2 and "legal_basis" in done.stderr
    assert operator.rows("SELECT count(*) FROM handbook_activations") == [(1,)]


def test_sources_and_keys_print_the_key_once_and_store_only_its_hash(operator: Operator) -> None:
    added = operator.json("sources", "add", "court")
    key = str(added["api_key"])
    assert key.startswith("sck_") and "defaulter" in added["rules"]  # type: ignore[operator]
    plain = operator("keys", "add", "committee", "--role", "reviewer")
    assert plain.returncode == 0 and plain.stdout.strip().startswith("sck_")
    hashes = [row[0] for row in operator.rows("SELECT key_hash FROM api_keys")]
    assert len(hashes) == 2 and key not in hashes and plain.stdout.strip() not in hashes
    again = operator("sources", "add", "court")
    assert again.returncode == 2 and "already exists" in again.stderr
    unknown = operator("keys", "add", "x", "--role", "emperor")
    assert unknown.returncode == 2 and "role" in unknown.stderr


def test_users_take_the_password_from_stdin_or_generate_one(operator: Operator) -> None:
    given = operator.json("users", "add", "alice", "--role", "clerk", stdin="a long password\n")
    generated = operator.json("users", "add", "bob", "--role", "reviewer")
    subject = operator.json("users", "add", "zhang", "--role", "subject", "--subject", PERSON.lower()[:-1] + "1")
    assert given["password"] is None
    assert isinstance(generated["password"], str) and len(generated["password"]) >= 16
    assert subject["subject"] == PERSON
    stored = dict(operator.rows("SELECT name, password_hash FROM users"))
    assert stored["alice"].startswith("$argon2id$")  # type: ignore[union-attr]
    missing = operator("users", "add", "li", "--role", "subject")
    assert missing.returncode == 2 and "--subject" in missing.stderr


def test_import_loads_a_file_and_reimport_counts_duplicates(operator: Operator) -> None:
    operator.json("sources", "add", "court")
    path = write_jsonl(operator.directory / "court.jsonl", COURT)
    first = operator.json("import", str(path), "--source", "court")
    second = operator.json("import", str(path), "--source", "court")
    assert (first["accepted"], first["duplicates"], first["subjects"]) == (3, 0, 2)
    assert (second["accepted"], second["duplicates"]) == (0, 3)
    rows = operator.rows("SELECT record_id, subject, status FROM records ORDER BY record_id")
    assert rows == [("c1", PERSON, "confirmed"), ("c2", PERSON2, "confirmed"), ("c3", PERSON2, "confirmed")]
    assert operator.rows("SELECT count(*) FROM standings") == [(2,)]


def test_import_of_a_bad_file_lists_every_problem_and_writes_nothing(operator: Operator) -> None:
    operator.json("sources", "add", "court")
    bad = [
        *COURT,
        {"id": "c4", "subject": "36042619910101007", "rule": "minus5", "occurred_on": "2024-03-01"},
        {"id": "c5", "subject": PERSON, "rule": "no-such-rule", "occurred_on": "2024-03-01"},
        {"id": "c6", "kind": "withdraw", "ref": "zz", "occurred_on": "2024-04-01"},
    ]
    path = write_jsonl(operator.directory / "bad.jsonl", bad)
    done = operator("import", str(path), "--source", "court", "--chunk-size", "2")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{path}:4", f"{path}:5", f"{path}:6"]
    assert "subject" in lines[0] and "no-such-rule" in lines[1] and "'zz'" in lines[2]
    assert operator.rows("SELECT count(*) FROM records") == [(0,)]
    assert operator.rows("SELECT count(*) FROM audit_log WHERE action = 'records.import'") == [(0,)]


def test_import_of_csv_keeping_recorded_at_is_audited(operator: Operator) -> None:
    operator.json("sources", "add", "court")
    path = operator.directory / "history.csv"
    path.write_text(
        f"id,subject,rule,occurred_on,recorded_at\nh1,{PERSON},minus5,2020-01-05,2020-01-06T09:00:00+08:00\n"
    )
    assert operator.json("import", str(path), "--source", "court", "--keep-recorded-at")["accepted"] == 1
    assert operator.rows("SELECT recorded_at FROM records") == [("2020-01-06 01:00:00.000000",)]
    payload = operator.rows("SELECT payload FROM audit_log WHERE action = 'records.import'")[0][0]
    assert json.loads(str(payload))["keep_recorded_at"] is True


def test_cycle_close_publishes_once(operator: Operator) -> None:
    operator.json("sources", "add", "court")
    operator.json("import", str(write_jsonl(operator.directory / "c.jsonl", COURT)), "--source", "court")
    closed = operator.json("cycle", "close", "--month", "2025-06")
    assert closed["subjects"] == 2 and closed["as_of"] == "2025-06-25"
    assert operator.rows("SELECT subject, grade FROM standing_snapshots ORDER BY subject") == [
        (PERSON2, "A"),
        (PERSON, "B"),
    ]
    again = operator("cycle", "close", "--month", "2025-06")
    assert again.returncode == 2 and "already published" in again.stderr
    future = operator("cycle", "close", "--month", "2999-01")
    assert future.returncode == 2 and "committee" in future.stderr


def test_audit_verify_passes_then_names_the_tampered_entry(operator: Operator) -> None:
    operator.json("sources", "add", "court")
    operator.json("import", str(write_jsonl(operator.directory / "c.jsonl", COURT)), "--source", "court")
    intact = operator("audit", "verify")
    assert intact.returncode == 0 and "intact" in intact.stdout
    entry = operator.rows("SELECT seq FROM audit_log WHERE action = 'records.import'")[0][0]
    with sqlite3.connect(operator.database) as connection:
        connection.execute("UPDATE records SET rule = 'deed' WHERE record_id = 'c2'")
    broken = operator("audit", "verify")
    assert broken.returncode == 1
    assert f"entry {entry}" in broken.stderr
    verdict = operator("audit", "verify", "--format", "json")
    assert verdict.returncode == 1 and json.loads(verdict.stdout)["broken_entry"] == entry


def test_serve_on_a_fresh_database_takes_records_and_its_worker_refreshes_standings(tmp_path: Path) -> None:
    import socket
    import time

    import httpx2

    run = Operator(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "socialcredit", "serve", "--port", str(port)],
        env=run.env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    root = f"http://127.0.0.1:{port}/api/v1"
    try:
        with httpx2.Client(timeout=30) as client:
            for _ in range(300):
                try:
                    if client.get(f"{root}/handbook").json() == {"active": None}:
                        break
                except httpx2.HTTPError:
                    time.sleep(0.1)
            (tmp_path / "handbook.toml").write_text(PLATFORM_TOML, encoding="utf-8")
            run.json("policy", "activate", "handbook.toml")
            key = str(run.json("sources", "add", "court")["api_key"])
            answer = client.post(f"{root}/records:batch", json=COURT, headers={"Authorization": f"Bearer {key}"})
            assert answer.json() == {"accepted": 3, "duplicates": 0}
            for _ in range(100):
                if run.rows("SELECT count(*) FROM standings") == [(2,)]:
                    break
                time.sleep(0.2)
            assert run.rows("SELECT count(*) FROM standings_stale") == [(0,)]
            assert run.rows("SELECT count(*) FROM standings") == [(2,)]
        assert run("audit", "verify").returncode == 0
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_revoked_key_is_refused(operator: Operator) -> None:
    operator.json("keys", "add", "airline", "--role", "relying-party")
    assert operator.json("keys", "revoke", "airline")["name"] == "airline"
    assert operator.rows("SELECT revoked_at IS NOT NULL FROM api_keys WHERE name = 'airline'") == [(1,)]
    missing = operator("keys", "revoke", "nobody")
    assert missing.returncode == 2 and "no key" in missing.stderr
