"""Checks at the point of service.

1. Bulk screening in-process (target ≥ 1,000,000 identifiers/s), compared in the same run with a Python set
   (bare membership) and a Python dict doing the same job.
2. The check log alone: threads submit checks to the group-commit writer and wait for their commit.
3. Single checks over HTTP with logging on (target ≥ 2,000 checks/s, p99 ≤ 10 ms on 2 cores): a SQLite
   platform is set up with the CLI, `socialcredit serve --no-access-log` is started with 1 and 2 server
   processes, and wrk (when installed; else an asyncio client) posts checks on keep-alive connections. Then
   every process of the server is killed with SIGKILL mid-load, and every check that was answered must be in
   the log.

Run: python -m bench.bench_checks [--only screen|writer|http] [--subjects 1000000] [--probe 2000000]
     [--http-subjects 20000] [--seconds 10] [--connections 8] [--workers 1 2] [--access-log]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from socialcredit.identity import make_ric
from socialcredit.platform.checks.decision import classify
from socialcredit.platform.checks.screen import screen
from socialcredit.platform.checks.snapshot import CheckSnapshot, Membership, SubjectState, build_snapshot
from socialcredit.policy import load_policy

HANDBOOK = Path(__file__).resolve().parent.parent / "policies" / "rongcheng.toml"
SERVICE = "air-travel"


def population(count: int, seed: int = 1) -> tuple[list[SubjectState], list[str]]:
    """``count`` people: 5 % court defaulters, 70 % on the honour roll (grade A or better), 1 % with passports."""
    rng = random.Random(seed)
    states, ids = [], []
    for index in range(count):
        born = date(1940 + index % 60, 1 + index % 12, 1 + (index // 12) % 28)
        subject = make_ric(["371082", "110105", "440305"][index % 3], born, index // 1008 % 999 + 1)
        aliases = (f"E{index:08d}",) if index % 100 == 0 else ()
        roll = rng.random()
        if roll < 0.05:
            states.append(SubjectState(subject, "C", (Membership("court-defaulters"),), aliases))
        elif roll < 0.75:
            states.append(SubjectState(subject, "A", (Membership("honour-roll"),), aliases))
        else:
            states.append(SubjectState(subject, "B", (), aliases))
        ids.append(subject)
    return states, ids


def probe_ids(known: list[str], count: int, seed: int = 2) -> list[str]:
    """Half known subjects, half other valid identifiers, 0.1 % malformed."""
    rng = random.Random(seed)
    out = []
    for index in range(count):
        if index % 1000 == 999:
            out.append("not-an-identifier")
        elif index % 2:
            out.append(rng.choice(known))
        else:
            out.append(make_ric("370102", date(1950 + index % 50, 1 + index % 12, 1 + index % 28), index % 997 + 1))
    return out


def best(run: Callable[[], Any], rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def python_dict_screen(snapshot: CheckSnapshot, ids: list[str]) -> list[str]:
    """The same job in plain Python: normalise, look up, decide (no check-digit validation)."""
    return [snapshot.find(raw.strip().upper(), SERVICE).verdict.decision for raw in ids]


def bench_screen(subjects: int, probe: int) -> dict[str, Any]:
    import polars as pl

    policy = load_policy(HANDBOOK)
    states, ids = population(subjects)
    started = time.perf_counter()
    snapshot = build_snapshot(states, policy, list_version=1, built_at=datetime.now(UTC))
    build_s = time.perf_counter() - started
    given = probe_ids(ids, probe)
    series = pl.Series("identifier", given)
    screen(snapshot, series[:1000], SERVICE)  # builds the key frame once per snapshot
    listed = {state.subject for state in states if state.lists}
    screen_s = best(lambda: screen(snapshot, series, SERVICE))
    set_s = best(lambda: [key in listed for key in given])
    dict_s = best(lambda: python_dict_screen(snapshot, given), rounds=1)
    sample = [raw for raw in given[:20000] if raw != "not-an-identifier"]
    single = best(lambda: [classify(raw) for raw in sample], rounds=1) / len(sample)
    out = screen(snapshot, series, SERVICE)
    denied = int((out["decision"] == "deny").sum())
    result = {
        "subjects": subjects,
        "identifiers": probe,
        "snapshot_build_s": round(build_s, 2),
        "screen_ids_per_s": round(probe / screen_s),
        "python_set_ids_per_s": round(probe / set_s),
        "python_dict_ids_per_s": round(probe / dict_s),
        "single_classify_us": round(single * 1e6, 1),
        "denied": denied,
    }
    print(
        f"bulk screening of {probe:,} identifiers against {subjects:,} subjects (snapshot built in {build_s:.1f} s):\n"
        f"  Polars screen (normalise, check digits, join, decide): {result['screen_ids_per_s']:>12,} ids/s\n"
        f"  Python set, bare membership (no normalising/decision): {result['python_set_ids_per_s']:>12,} ids/s\n"
        f"  Python dict, same job without check digits:           {result['python_dict_ids_per_s']:>12,} ids/s\n"
        f"  one identifier classified (stdnum, single check):      {result['single_classify_us']:>12} µs\n"
        f"  denied: {denied:,}"
    )
    return result


# --- single checks over HTTP, against a running `socialcredit serve` ---------------------------------------


def cli(env: dict[str, str], *args: str) -> str:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "socialcredit", *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"socialcredit {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def platform(folder: Path, subjects: int) -> tuple[dict[str, str], str, list[str]]:
    """A SQLite platform with the Rongcheng handbook and ``subjects`` people, 5 % of them court defaulters.
    Returns the environment, the airline's API key and the identifiers."""
    import json
    import os
    from datetime import timedelta

    env = {**os.environ, "SOCIALCREDIT_DATABASE_URL": f"sqlite:///{folder / 'checks.db'}"}
    env["SOCIALCREDIT_EVIDENCE_DIR"] = str(folder / "evidence")
    people = [make_ric("371082", date(1950 + i % 50, 1 + i % 12, 1 + i % 28), i // 1400 + 1) for i in range(subjects)]
    listed_on = (date.today() - timedelta(days=30)).isoformat()
    records = folder / "court.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for index, subject in enumerate(people[::20]):
            record = {
                "id": f"J-{index}",
                "subject": subject,
                "rule": "court.judgment-defaulter",
                "occurred_on": listed_on,
                "document": f"(2026)鲁1082执{index}号",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    cli(env, "init")
    cli(env, "policy", "activate", str(HANDBOOK))
    cli(env, "sources", "add", "court")
    cli(env, "import", str(records), "--source", "court")
    key = json.loads(
        cli(env, "keys", "add", "airline", "--role", "relying-party", "--services", SERVICE, "--format", "json")
    )
    return env, key["api_key"], people


def start_server(env: dict[str, str], port: int, *options: str) -> Any:
    """``socialcredit serve`` in its own process group (so that a kill reaches every process of it)."""
    import subprocess
    import sys
    import urllib.request

    server = subprocess.Popen(
        [sys.executable, "-m", "socialcredit", "serve", "--port", str(port), *options],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/handbook", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError("the server did not start")


def stop_server(server: Any, sig: int | None = None) -> None:
    """Signal every process of the server's group (SIGKILL unless ``sig``) and wait for the server."""
    import os
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, sig or signal.SIGKILL)
    server.wait()


def server_cpu_seconds(pid: int) -> float:
    """CPU time so far of a server and every process under it (its workers, its standings worker)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += cpu_seconds(current)
            todo.extend(int(child) for child in Path(f"/proc/{current}/task/{current}/children").read_text().split())
        except OSError:
            continue
    return total


WRK_SCRIPT = """
local people = {}
for line in io.lines("%(people)s") do people[#people + 1] = line end
math.randomseed(%(seed)d)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(key)s"
request = function()
  local body = '{"subject":"' .. people[math.random(#people)] .. '","service":"%(service)s","purpose":"ticket-sale"}'
  return wrk.format(nil, "%(path)s", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format('WRK {"requests":%%d,"seconds":%%f,"non2xx":%%d,"errors":%%d,"p50_us":%%d,"p99_us":%%d}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_load(
    port: int, key: str, people_file: Path, seconds: float, connections: int, *, path: str = "/api/v1/checks"
) -> dict[str, Any]:
    """The same requests from ``wrk`` (one thread, C, keep-alive): a load generator that leaves the cores to the
    server. Figures as wrk counts them; a 404 floor counts its answers as requests."""
    import json
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"people": people_file, "seed": 7, "key": key, "service": SERVICE, "path": path})
    try:
        done = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "-s", script.name, f"http://127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(script.name).unlink()
    return dict(json.loads(done.stdout.split("WRK ", 1)[1].splitlines()[0]))


async def load(
    port: int, key: str, people: list[str], seconds: float, connections: int, *, path: str = "/api/v1/checks"
) -> dict[str, Any]:
    """``connections`` keep-alive connections posting checks for ``seconds``; latencies and decision ids.

    Another ``path`` measures the floor: the same requests answered by the framework with a 404."""
    import asyncio
    import json

    stop = time.monotonic() + seconds
    latencies: list[float] = []
    answered: list[str] = []
    errors = {"count": 0}

    async def client(number: int) -> None:
        rng = random.Random(number)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            errors["count"] += 1
            return
        while time.monotonic() < stop:
            body = json.dumps({"subject": rng.choice(people), "service": SERVICE, "purpose": "ticket-sale"}).encode()
            head = (
                f"POST /api/v1/checks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            try:
                writer.write(head + body)
                headers = await reader.readuntil(b"\r\n\r\n")
                length = int(headers.split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
                payload = await reader.readexactly(length)
            except (OSError, asyncio.IncompleteReadError, IndexError, ValueError):
                errors["count"] += 1
                return
            if headers.startswith(b"HTTP/1.1 200"):
                latencies.append(time.perf_counter() - started)
                answered.append(json.loads(payload)["decision_id"])
            elif headers.startswith(b"HTTP/1.1 404") and path != "/api/v1/checks":
                latencies.append(time.perf_counter() - started)
            else:
                errors["count"] += 1
        writer.close()

    await asyncio.gather(*(client(number) for number in range(connections)))
    return {"latencies": latencies, "answered": answered, "errors": errors["count"]}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def logged_ids(env: dict[str, str]) -> set[str]:
    import sqlite3

    path = env["SOCIALCREDIT_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT decision_id FROM check_log")}


def bench_http(
    subjects: int, seconds: float, connections: int, port: int, workers: list[int], access_log: bool
) -> dict[str, Any]:
    """Single checks against ``serve`` for each number of ``workers``, the 404 floor, and the kill test."""
    import shutil
    import tempfile

    use_wrk = shutil.which("wrk") is not None
    options = [] if access_log else ["--no-access-log"]
    figures: dict[str, Any] = {"load_generator": "wrk" if use_wrk else "python asyncio", "connections": connections}
    with tempfile.TemporaryDirectory() as folder:
        env, key, people = platform(Path(folder), subjects)
        people_file = Path(folder) / "people.txt"
        people_file.write_text("\n".join(people) + "\n", encoding="utf-8")

        def measure(path: str = "/api/v1/checks", length: float = seconds) -> dict[str, Any]:
            if use_wrk:
                return wrk_load(port, key, people_file, length, connections, path=path)
            return _summary(asyncio_load(port, key, people, length, connections, path=path), length)

        for count in workers:
            server = start_server(env, port, *options, "--workers", str(count))
            try:
                measure(length=2)  # warm up
                cpu = server_cpu_seconds(server.pid)
                result = measure()
                cpu = server_cpu_seconds(server.pid) - cpu
                floor = measure("/api/v1/no-such-route", seconds / 2)
            finally:
                stop_server(server)
            row = {
                "checks_per_s": round(result["requests"] / result["seconds"]),
                "p50_ms": round(result["p50_us"] / 1000, 2),
                "p99_ms": round(result["p99_us"] / 1000, 2),
                "errors": result["errors"] + result["non2xx"],
                "server_cpu_us_per_check": round(cpu / max(1, result["requests"]) * 1e6),
                "floor_404_per_s": round(floor["requests"] / floor["seconds"]),
            }
            figures[f"workers_{count}"] = row
            print(
                f"single checks over HTTP, logged before answered ({count} server process(es), {connections} "
                f"connections, {figures['load_generator']}, {seconds:.0f} s): {row['checks_per_s']:,} checks/s, "
                f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, {row['errors']} errors; server CPU "
                f"{row['server_cpu_us_per_check']} µs per check; floor (the framework answering 404 to the same "
                f"requests): {row['floor_404_per_s']:,}/s"
            )
        figures["kill"] = kill_test(env, key, people, port, connections, [*options, "--workers", str(workers[-1])])
        cli(env, "audit", "verify")
    return figures


def _summary(result: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The asyncio load generator's result in wrk's terms."""
    latencies = sorted(result["latencies"])
    at = (lambda share: latencies[min(len(latencies) - 1, int(len(latencies) * share))] * 1e6) if latencies else None
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "non2xx": 0,
        "errors": result["errors"],
        "p50_us": at(0.5) if at else 0,
        "p99_us": at(0.99) if at else 0,
    }


def asyncio_load(
    port: int, key: str, people: list[str], seconds: float, connections: int, *, path: str = "/api/v1/checks"
) -> dict[str, Any]:
    import asyncio

    return asyncio.run(load(port, key, people, seconds, connections, path=path))


def kill_test(
    env: dict[str, str], key: str, people: list[str], port: int, connections: int, options: list[str]
) -> dict[str, Any]:
    """Kill every process of the server with SIGKILL mid-load: every check answered must be in the log."""
    import threading

    server = start_server(env, port, *options)
    timer = threading.Timer(3.0, lambda: stop_server(server))
    timer.start()
    result = asyncio_load(port, key, people, 6, connections)
    timer.join()
    answered = set(result["answered"])
    lost = answered - logged_ids(env)
    figures = {"answered_before_kill": len(answered), "lost": len(lost)}
    print(f"kill -9 mid-load: {len(answered):,} checks answered before the kill, {len(lost)} missing from the log")
    return figures


def bench_writer(seconds: float = 5) -> dict[str, Any]:
    """The check log alone: threads submit checks to the group-commit writer and wait for their commit."""
    import tempfile
    import threading
    from functools import partial

    from socialcredit.db.base import utcnow
    from socialcredit.db.connect import open_database
    from socialcredit.db.engine import transaction
    from socialcredit.platform.checks.log import Group
    from socialcredit.platform.checks.runtime import CheckService
    from socialcredit.platform.users import service as users
    from socialcredit.settings import Settings

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        env, key, people = platform(Path(folder), 500)
        db = open_database(Settings(database_url=env["SOCIALCREDIT_DATABASE_URL"]))
        service = CheckService(db)
        with transaction(db.readers) as session:
            actor = users.key_actor(session, token=key)
        assert actor is not None
        decision = service.decide(actor, people[1], SERVICE)
        for clients in (16, 64):
            stop, done = time.monotonic() + seconds, [0]

            def client(stop: float = stop, done: list[int] = done) -> None:
                while time.monotonic() < stop:
                    committed = threading.Event()
                    entry = service.entry(decision, actor=actor, purpose="bench", at=utcnow())
                    service.writer.submit(Group([entry], partial(_committed, committed)))
                    committed.wait()
                    done[0] += 1

            threads = [threading.Thread(target=client) for _ in range(clients)]
            cpu, batches = time.process_time(), service.writer.batches
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            cpu = time.process_time() - cpu
            row = figures[f"clients_{clients}"] = {
                "checks_per_s": round(done[0] / seconds),
                "cpu_us_per_check": round(cpu / done[0] * 1e6),
                "mean_batch": round(done[0] / max(1, service.writer.batches - batches), 1),
            }
            print(
                f"check log alone, {clients} waiting clients: {row['checks_per_s']:,} checks/s, "
                f"{row['cpu_us_per_check']} µs CPU per check, {row['mean_batch']} checks per commit"
            )
        service.stop()
        db.dispose()
    return figures


def _committed(event: Any, _error: BaseException | None) -> None:
    event.set()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=1_000_000, help="Subjects in the screening snapshot.")
    parser.add_argument("--probe", type=int, default=2_000_000, help="Identifiers screened.")
    parser.add_argument("--http-subjects", type=int, default=20_000, help="People on the served platform.")
    parser.add_argument("--seconds", type=float, default=10, help="Length of the HTTP load.")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent keep-alive connections.")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="Server processes to measure (`serve --workers`)."
    )
    parser.add_argument("--access-log", action="store_true", help="Serve with uvicorn's access log on.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", choices=["screen", "writer", "http"], default=None)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    if args.only in (None, "screen"):
        results["screen"] = bench_screen(args.subjects, args.probe)
    if args.only in (None, "writer"):
        results["writer"] = bench_writer()
    if args.only in (None, "http"):
        results["http"] = bench_http(
            args.http_subjects, args.seconds, args.connections, args.port, args.workers, args.access_log
        )
    return results


if __name__ == "__main__":
    main()
