"""Several server processes on one SQLite database: ``socialcredit serve --workers 2`` answers and logs every
check, a login made on one process holds on the other, and writers of different processes queue on the
database's lock file (a waiting writer goes on as soon as the first one commits or rolls back)."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from socialcredit.db.engine import QueuedWriterConnection, make_engine, session_factory, transaction
from socialcredit.identity import make_ric

HANDBOOK = Path(__file__).resolve().parent.parent / "policies" / "rongcheng.toml"
PEOPLE = [make_ric("371082", date(1960 + i, 1 + i % 12, 1 + i % 28), i + 1) for i in range(20)]


def run(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "socialcredit", *args], input=stdin, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def set_up(folder: Path) -> tuple[dict[str, str], str]:
    """A platform with the shipped handbook, four court defaulters among twenty people, an airline's key and a
    clerk (password ``correct horse``)."""
    env = {
        "SOCIALCREDIT_DATABASE_URL": f"sqlite:///{folder / 'platform.db'}",
        "SOCIALCREDIT_EVIDENCE_DIR": str(folder / "evidence"),
        "PATH": "/usr/bin:/bin",
    }
    listed_on = (date.today() - timedelta(days=30)).isoformat()
    court = folder / "court.jsonl"
    lines = [
        {"id": f"J-{n}", "subject": person, "rule": "court.judgment-defaulter", "occurred_on": listed_on}
        | {"document": f"(2026)鲁1082执{n}号"}
        for n, person in enumerate(PEOPLE[::5])
    ]
    court.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    run(env, "init")
    run(env, "policy", "activate", str(HANDBOOK))
    run(env, "sources", "add", "court")
    run(env, "import", str(court), "--source", "court")
    run(env, "users", "add", "clara", "--role", "clerk", stdin="correct horse\n")
    key = json.loads(
        run(env, "keys", "add", "airline", "--role", "relying-party", "--services", "air-travel", "--format", "json")
    )
    return env, str(key["api_key"])


def started(env: dict[str, str], folder: Path, port: int) -> subprocess.Popen[str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "socialcredit", "serve", "--port", str(port), "--workers", "2", "--no-access-log"],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/api/v1/handbook", timeout=2).status_code == 200:
                return server
        except httpx2.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start")


def fresh_client() -> httpx2.Client:
    """A client that opens a new connection for every request, so that requests spread over the processes."""
    return httpx2.Client(timeout=30, limits=httpx2.Limits(max_keepalive_connections=0))


def test_two_server_processes_answer_and_log_every_check_and_share_logins(tmp_path: Path) -> None:
    env, key = set_up(tmp_path)
    port = free_port()
    server = started(env, tmp_path, port)
    root = f"http://127.0.0.1:{port}"
    try:
        answers = []
        with fresh_client() as client:
            for person in PEOPLE * 2:
                body = {"subject": person, "service": "air-travel", "purpose": "ticket-sale"}
                answer = client.post(f"{root}/api/v1/checks", json=body, headers={"Authorization": f"Bearer {key}"})
                assert answer.status_code == 200, answer.text
                answers.append((person, answer.json()))
            for _ in range(10):
                client.cookies.clear()
                form = client.get(f"{root}/login").text
                token = form.split('name="csrf_token" value="')[1].split('"')[0]
                login = {"name": "clara", "password": "correct horse", "csrf_token": token, "next": "/api/v1/me"}
                assert client.post(f"{root}/login", data=login).status_code == 303
                me = client.get(f"{root}/api/v1/me")
                assert me.status_code == 200 and me.json()["name"] == "clara"
    finally:
        server.terminate()
        server.wait(timeout=30)
    denied = {person for person, answer in answers if answer["decision"] == "deny"}
    assert denied == set(PEOPLE[::5])
    with sqlite3.connect(tmp_path / "platform.db") as db:
        logged = {row[0] for row in db.execute("SELECT decision_id FROM check_log")}
    assert {answer["decision_id"] for _, answer in answers} <= logged and len(logged) == len(answers)
    run(env, "audit", "verify")  # exits 0: the chain covers every check logged by both processes


def test_a_second_writer_waits_on_the_lock_file_and_goes_on_when_the_first_ends(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    first_engine, second_engine = make_engine(url), make_engine(url)  # as two processes would
    try:
        with first_engine.begin() as connection:
            connection.execute(text("CREATE TABLE events (what TEXT)"))
        first, second = session_factory(first_engine), session_factory(second_engine)
        events: list[str] = []

        def second_writer() -> None:
            with transaction(second) as session:
                session.execute(text("INSERT INTO events VALUES ('second')"))
                events.append("second wrote")

        for ending in ("commit", "rollback"):
            events.clear()
            session = first()
            session.execute(text("INSERT INTO events VALUES ('first')"))
            raw = session.connection().connection.dbapi_connection
            assert isinstance(raw, QueuedWriterConnection) and raw.lock_path == f"{tmp_path / 'queue.db'}-writers"
            waiting = threading.Thread(target=second_writer)
            waiting.start()
            time.sleep(0.3)
            assert events == []  # queued behind the first writer
            events.append(f"first {ending}")
            session.commit() if ending == "commit" else session.rollback()
            session.close()
            waiting.join(timeout=5)
            assert events == [f"first {ending}", "second wrote"]
        readers = session_factory(second_engine, read_only=True)
        holder = first()
        holder.execute(text("INSERT INTO events VALUES ('held')"))
        with transaction(readers) as reader:  # readers never queue
            assert reader.execute(text("SELECT count(*) FROM events")).scalar_one() == 3
        holder.rollback()
        holder.close()
    finally:
        first_engine.dispose()
        second_engine.dispose()


def test_a_writer_that_waits_too_long_fails_as_sqlite_would_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QueuedWriterConnection, "timeout", 0.3)
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    first_engine, second_engine = make_engine(url), make_engine(url)
    try:
        with first_engine.begin() as connection:
            connection.execute(text("CREATE TABLE events (what TEXT)"))
        holder = session_factory(first_engine)()
        holder.execute(text("INSERT INTO events VALUES ('held')"))
        started = time.monotonic()
        with (
            pytest.raises(OperationalError, match="database is locked"),
            transaction(session_factory(second_engine)) as session,
        ):
            session.execute(text("INSERT INTO events VALUES ('late')"))
        assert 0.3 <= time.monotonic() - started < 5
        holder.commit()
        holder.close()
        with transaction(session_factory(second_engine, read_only=True)) as reader:
            assert reader.execute(text("SELECT what FROM events")).scalars().all() == ["held"]
    finally:
        first_engine.dispose()
        second_engine.dispose()
