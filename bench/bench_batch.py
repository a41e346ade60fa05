"""Batch scoring throughput and peak memory: ``socialcredit score`` against its floor and its peers, in one run.

Run: python -m bench.bench_batch [--records 10000000 ...] [--methods score engine floor read read-peer sql pandas]
     [--data DIR] [--partitions N]

For each size a synthetic population is generated once under the shipped handbook (``socialcredit synth``,
24 months, cached under --data), then each method runs in its own process over the same Parquet records
(wall clock, peak RSS of that process):

- ``score``: the command's pipeline (read and check every record, hash-partition, score each partition
  with the full semantics of DESIGN §7, write one row per subject), local engine;
- ``engine``: the columnar engine alone on the same records, read into memory before the clock starts (no
  reading, no checks, no partitions);
- ``floor``: a bare Polars group-by-sum of points per subject (streaming);
- ``read``: every column of every record read into memory, file by file, and nothing else: what checking
  every record costs before any check (an upper bound for ``score``);
- ``read-peer``: the same, for the ten columns the SQL and pandas peers read (no reason, document or evidence);
- ``sql``: a subset of the semantics in PostgreSQL (records loaded with COPY first, load timed apart);
- ``pandas``: the same subset in plain pandas.

Ratios are throughputs (records/s) relative to ``score``'s, all from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
HANDBOOK = ROOT / "policies" / "rongcheng.toml"
AS_OF = date(2025, 1, 1)
RECORDS_PER_PERSON = 9.3  # 24 months of the handbook's default rates, people and organisations together
METHODS = ("score", "engine", "floor", "read", "read-peer", "sql", "pandas")


def population(records: int, data: Path) -> Path:
    """The records directory of a cached synthetic population of about ``records`` records."""
    from socialcredit.policy import load_policy
    from socialcredit.synth import SynthSpec, synthesize

    out = data / f"rongcheng-{records}"
    if not (out / "synth.json").exists():
        people = max(1, round(records / RECORDS_PER_PERSON))
        spec = SynthSpec(
            load_policy(HANDBOOK),
            people,
            max(1, people // 18),
            24,
            7,
            "371082",
            date(2023, 1, 1),
            chunk_records=2_000_000,
        )
        synthesize(spec, out, overwrite=True)
    return out / "records"


def child(method: str, records: Path, partitions: int | None) -> dict[str, Any]:
    """Run one method in this process; return its timing and size."""
    from socialcredit.policy import load_policy

    policy = load_policy(HANDBOOK)
    files = sorted(records.glob("*.parquet"))
    known = datetime.combine(AS_OF, clock.max, ZoneInfo(policy.policy.timezone))
    held = _engine_input(files) if method == "engine" else None  # read before the clock starts
    began, cpu = time.perf_counter(), _cpu()
    extra: dict[str, Any] = {}
    if method == "score":
        subjects, rows, more = _score(records, policy, partitions)
        extra.update(records=rows, **more)
    elif method == "engine" and held is not None:
        from socialcredit.scoring.columnar import score_frame

        subjects = score_frame(held, policy, AS_OF).height
    elif method == "floor":
        from bench.batch_peers import floor

        subjects = floor(files, policy)
    elif method in ("read", "read-peer"):
        from bench.batch_peers import PEER_COLUMNS, read_every_column

        subjects = 0
        extra["records"] = read_every_column(files, PEER_COLUMNS if method == "read-peer" else None)
    elif method == "pandas":
        from bench.batch_peers import pandas_scores

        subjects = len(pandas_scores(files, policy, AS_OF, known))
    else:
        from bench.batch_sql import drop, load, sql_scores

        try:
            loaded = load(files, policy)
            extra["load_seconds"] = round(time.perf_counter() - began, 2)
            extra["records"] = loaded
            began = time.perf_counter()
            subjects = sql_scores(policy, AS_OF, known)
        finally:
            seconds = time.perf_counter() - began
            drop()
    if method != "sql":
        seconds = time.perf_counter() - began
    if method != "sql":  # the query's work is done by the server's processes, not this one
        extra["cpu_seconds"] = round(_cpu() - cpu, 2)
    return {"method": method, "seconds": round(seconds, 2), "subjects": subjects, "peak_rss_mb": peak_rss_mb(), **extra}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> int:
    """This process's peak resident set (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _score(records: Path, policy: Any, partitions: int | None) -> tuple[int, int, dict[str, float]]:
    """The command's pipeline; also when each phase (read and check, keys, score) finished."""
    from socialcredit.scoring.partitioned import PartitionedRun

    began, phases = time.perf_counter(), {}

    def progress(phase: str, done: int, total: int) -> None:
        if done == total:
            phases[phase] = round(time.perf_counter() - began, 2)

    run = PartitionedRun.start(records, policy, AS_OF, partitions=partitions, progress=progress)
    try:
        with tempfile.TemporaryDirectory() as folder:
            run.write_parquet(Path(folder) / "standings.parquet")
        phases["write"] = round(time.perf_counter() - began, 2)
        extra = {"partitions": run.job.partitions, "phases_done_at": phases}
        return run.subjects, run.records, extra
    finally:
        run.close()


def _engine_input(files: list[Path]) -> Any:
    """The record frame the engine takes, read into memory (points in hundredths, instants in UTC)."""
    import polars as pl

    return pl.scan_parquet(files).select(
        "source", "id", "subject", "kind", "ref", "rule", "occurred_on",
        pl.col("recorded_at").dt.convert_time_zone("UTC"), (pl.col("points") * 100).cast(pl.Int64), "status",
    ).collect()  # fmt: skip


def _spawn(method: str, records: Path, partitions: int | None) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.bench_batch", "--child", method, "--records-dir", str(records)]
    if partitions:
        command += ["--partitions", str(partitions)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode:
        return {"method": method, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _count(records: Path) -> int:
    import polars as pl

    return int(pl.scan_parquet(sorted(records.glob("*.parquet"))).select(pl.len()).collect().item())


def measure(size: int, methods: list[str], data: Path, partitions: int | None) -> dict[str, Any]:
    """Every method on one population; throughputs and ratios to ``score``."""
    records = population(size, data)
    total = _count(records)
    rows = []
    for method in methods:
        result = _spawn(method, records, partitions)
        if "seconds" in result:
            result["records_per_s"] = round(total / result["seconds"]) if result["seconds"] else None
        rows.append(result)
        print(f"  {size:>11,} {method:7s} {json.dumps(result)}", flush=True)
    by = {row["method"]: row for row in rows if "records_per_s" in row}
    ratios = {}
    if "score" in by:
        for name, row in by.items():
            if name != "score":
                ratios[f"score/{name}"] = round(by["score"]["records_per_s"] / row["records_per_s"], 3)
    for name in ("engine", "read", "read-peer"):
        if name in by and "floor" in by:
            ratios[f"{name}/floor"] = round(by[name]["records_per_s"] / by["floor"]["records_per_s"], 3)
    return {"records": total, "load_1min": round(os.getloadavg()[0], 1), "methods": rows, "ratios": ratios}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000_000])
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "socialcredit-bench-batch")
    parser.add_argument("--partitions", type=int)
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--records-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = child(args.child, args.records_dir, args.partitions)
        print(json.dumps(result))
        return result
    results = {str(size): measure(size, args.methods, args.data, args.partitions) for size in args.records}
    for size, result in results.items():
        print(f"{int(size):,} records: ratios {json.dumps(result['ratios'])}")
    return results


if __name__ == "__main__":
    main()
