"""Ingestion: ``socialcredit import`` into PostgreSQL against raw ``COPY`` in the same run, and the bulk API
(``POST /api/v1/records:batch``, 10,000-record batches) against a running ``socialcredit serve``.

Run: python -m bench.bench_ingest [--records 200000] [--api-records 100000] [--batch 10000] [--postgres URL]

Each part gets a fresh PostgreSQL schema (dropped afterwards). Records are valid traffic-police records
(``policies/rongcheng.toml``) about one subject per ten records, over 2024. Figures are wall clock.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policies" / "rongcheng.toml"
RULES = ("traffic.fail-to-yield", "traffic.red-light")


def make_records(count: int, seed: int = 0) -> list[dict[str, str]]:
    """Valid records: one subject per ten records (resident identity numbers of Weihai's counties)."""
    from socialcredit.identity import make_ric, region_codes

    rng = random.Random(seed)
    regions = region_codes("3710")[:20]
    people = [
        make_ric(regions[i % len(regions)], date(1950, 1, 1) + timedelta(days=i % 20000), i % 1000)
        for i in range(max(count // 10, 1))
    ]
    return [
        {
            "id": f"r{i}",
            "subject": people[rng.randrange(len(people))],
            "rule": RULES[i % 2],
            "occurred_on": (date(2024, 1, 1) + timedelta(days=rng.randrange(365))).isoformat(),
        }
        for i in range(count)
    ]


@contextmanager
def schema(base: str) -> Iterator[str]:
    """A fresh schema; yields the database URL that uses it."""
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{name}" CASCADE')


def cli(url: str, *args: str, directory: Path) -> dict[str, Any]:
    env = {**os.environ, "SOCIALCREDIT_DATABASE_URL": url, "SOCIALCREDIT_EVIDENCE_DIR": str(directory / "evidence")}
    done = subprocess.run(
        [sys.executable, "-m", "socialcredit", *args, "--format", "json"],
        env=env,
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"socialcredit {' '.join(args)} failed: {done.stderr}")
    return dict(json.loads(done.stdout.splitlines()[-1]))


def set_up(url: str, directory: Path) -> str:
    """Migrate, activate the handbook, register the source; return its API key."""
    env = {**os.environ, "SOCIALCREDIT_DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "socialcredit", "init"], env=env, check=True, capture_output=True)
    cli(url, "policy", "activate", str(POLICY), directory=directory)
    return str(cli(url, "sources", "add", "traffic-police", directory=directory)["api_key"])


def raw_copy(url: str, records: list[dict[str, str]]) -> tuple[float, float]:
    """Rows per second of a bare ``COPY`` of the same rows into a table shaped like ``records`` (same columns,
    collations and indexes): text rows written one by one by psycopg, then the same rows in PostgreSQL's
    binary form (as ``COPY … TO`` gives them back), sent whole: the server's own speed."""
    import psycopg

    from socialcredit.db.engine import normalize_url

    now = datetime.now(UTC)
    rows = [
        (
            "traffic-police",
            r["id"],
            r["subject"],
            "fact",
            None,
            r["rule"],
            r["occurred_on"],
            now,
            None,
            None,
            None,
            None,
            "confirmed",
            "bench",
            "0" * 64,
            1,
        )
        for r in records
    ]
    conninfo = normalize_url(url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as connection:
        connection.execute("CREATE TABLE raw_records (LIKE records INCLUDING DEFAULTS INCLUDING INDEXES)")
        columns = (
            "source, record_id, subject, kind, ref, rule, occurred_on, recorded_at, points, reason, "
            "document, evidence, status, reported_by, content_hash, audit_seq"
        )
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(f"COPY raw_records ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        connection.commit()
        text_rate = len(rows) / (time.perf_counter() - started)
        binary = bytearray()
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY raw_records ({columns}) TO STDOUT (FORMAT binary)") as copy,
        ):
            for block in copy:
                binary += block
        connection.execute("CREATE TABLE raw_binary (LIKE records INCLUDING DEFAULTS INCLUDING INDEXES)")
        connection.commit()
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY raw_binary ({columns}) FROM STDIN (FORMAT binary)") as copy,
        ):
            copy.write(bytes(binary))
        connection.commit()
        return text_rate, len(rows) / (time.perf_counter() - started)


def bench_import(base: str, records: list[dict[str, str]]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as temp, schema(base) as url:
        directory = Path(temp)
        set_up(url, directory)
        path = directory / "records.jsonl"
        path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
        results = {}
        for fmt in ("jsonl", "parquet"):
            if fmt == "parquet":
                import polars as pl

                path = directory / "records.parquet"
                pl.DataFrame(records).write_parquet(path)
                _truncate(url)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            result = cli(url, "import", str(path), "--source", "traffic-police", directory=directory)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            results[fmt] = {
                "import_records_per_s": round(result["accepted"] / result["load_seconds"]),
                "import_with_standings_per_s": round(result["accepted"] / result["seconds"]),
                "command_cpu_us_per_record": round(cpu / len(records) * 1e6, 1),
            }
        text_rate, binary_rate = raw_copy(url, records)
    return {
        "records": len(records),
        **results,
        "raw_copy_rows_per_s": round(text_rate),
        "raw_binary_copy_rows_per_s": round(binary_rate),
    }


def _truncate(url: str) -> None:
    """Empty the records (and what follows them) between two imports of the same records."""
    import psycopg

    from socialcredit.db.engine import normalize_url

    conninfo = normalize_url(url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as connection:
        connection.execute("TRUNCATE records, standings, standings_stale, subjects CASCADE")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bench_api(base: str, records: list[dict[str, str]], batch: int) -> dict[str, float]:
    import httpx2

    with tempfile.TemporaryDirectory() as temp, schema(base) as url:
        directory = Path(temp)
        token = set_up(url, directory)
        port = free_port()
        env = {**os.environ, "SOCIALCREDIT_DATABASE_URL": url, "SOCIALCREDIT_EVIDENCE_DIR": str(directory / "ev")}
        server = subprocess.Popen(
            [sys.executable, "-m", "socialcredit", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            return _post_batches(httpx2, f"http://127.0.0.1:{port}", token, records, batch, url)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _post_batches(
    client_module: Any, root: str, token: str, records: list[dict[str, str]], batch: int, url: str
) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    bodies = ["\n".join(json.dumps(record) for record in records[i : i + batch]) for i in range(0, len(records), batch)]
    with client_module.Client(timeout=300) as client:
        _wait_until_up(client, root)
        started = time.perf_counter()
        for body in bodies:
            answer = client.post(f"{root}/api/v1/records:batch", content=body, headers=headers)
            answer.raise_for_status()
        elapsed = time.perf_counter() - started
        settled = _wait_for_standings(url)
    return {
        "records": len(records),
        "batch": batch,
        "api_records_per_s": round(len(records) / elapsed),
        "standings_settled_after_s": round(time.perf_counter() - started, 2) if settled else -1.0,
    }


def _wait_until_up(client: Any, root: str) -> None:
    for _ in range(200):
        try:
            if client.get(f"{root}/api/v1/handbook").status_code == 200:
                return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def _wait_for_standings(url: str, timeout: float = 600) -> bool:
    """Wait until the worker has refreshed every queued standing."""
    from socialcredit.db.connect import open_database
    from socialcredit.db.engine import transaction
    from socialcredit.platform.standings.service import stale_count
    from socialcredit.settings import Settings

    db = open_database(Settings(database_url=url))
    deadline = time.perf_counter() + timeout
    try:
        while time.perf_counter() < deadline:
            with transaction(db.readers) as session:
                if stale_count(session) == 0:
                    return True
            time.sleep(0.2)
        return False
    finally:
        db.dispose()


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--api-records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("SOCIALCREDIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    options = parser.parse_args(argv)
    records = make_records(max(options.records, options.api_records))
    result = {
        "import": bench_import(options.postgres, records[: options.records]),
        "api": bench_api(options.postgres, records[: options.api_records], options.batch),
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
