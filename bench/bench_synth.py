"""Synthetic population throughput: records/s and peak RSS of ``socialcredit synth`` at given record counts.

Each size runs the real command in a fresh process under ``/usr/bin/time -v`` (wall time and peak RSS of
the whole process, start-up included; "generation" is the command's own time), with people sized from
the handbook's rates so the run lands near the target, and one organisation for every 40 people
(Rongcheng: ~714,000 residents, ~17,400 organisations).

Run: python -m bench.bench_synth [--records 1000000 10000000] [--months 12] [--out-dir /tmp/synth-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from socialcredit.policy import load_policy
from socialcredit.policy.duration import add_months
from socialcredit.synth.rates import rule_rates, yearly_events
from socialcredit.synth.writer import FOLLOW_UP_ALLOWANCE

HANDBOOK = Path(__file__).resolve().parent.parent / "policies" / "rongcheng.toml"
PEOPLE_PER_ORG = 40
START = "2023-01-01"


def population_for(records: int, months: int, handbook: Path) -> tuple[int, int]:
    """People and organisations expected to produce about ``records`` records over ``months``."""
    policy = load_policy(handbook)
    rates = rule_rates(policy)
    start = date.fromisoformat(START)
    years = (add_months(start, months) - start).days / 365.25
    per_person = yearly_events(rates, "person") * years * FOLLOW_UP_ALLOWANCE
    per_org = yearly_events(rates, "organisation") * years * FOLLOW_UP_ALLOWANCE
    people = int(records / (per_person + per_org / PEOPLE_PER_ORG))
    return people, people // PEOPLE_PER_ORG


def measure(records: int, months: int, handbook: Path, out: Path, region: str) -> dict[str, float | int]:
    """Run ``socialcredit synth`` once; wall time and peak RSS from ``/usr/bin/time -v``."""
    people, orgs = population_for(records, months, handbook)
    shutil.rmtree(out, ignore_errors=True)
    command = [
        "/usr/bin/time", "-v", sys.executable, "-m", "socialcredit", "synth", "--policy", str(handbook),
        "--people", str(people), "--orgs", str(orgs), "--months", str(months), "--seed", "1",
        "--region", region, "--start", START, "--out", str(out), "--format", "json",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"socialcredit synth failed:\n{result.stderr[-2000:]}")
    summary = json.loads(result.stdout)
    wall = _time_field(result.stderr, r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)")
    rss_kb = int(_time_field(result.stderr, r"Maximum resident set size \(kbytes\): (\d+)"))
    size = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    return {
        "target": records,
        "people": people,
        "orgs": orgs,
        "records": summary["records"],
        "parts": summary["parts"],
        "seconds": _seconds(wall),
        "synth_seconds": summary["seconds"],
        "records_per_s": summary["records"] / _seconds(wall),
        "peak_rss_mb": rss_kb / 1024,
        "disk_mb": size / 2**20,
    }


def _time_field(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    if not match:
        raise RuntimeError(f"/usr/bin/time output lacks {pattern!r}:\n{text[-2000:]}")
    return match.group(1)


def _seconds(clock: str) -> float:
    seconds = 0.0
    for part in clock.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--policy", type=Path, default=HANDBOOK)
    parser.add_argument("--region", default="371000", help="Weihai: room for tens of millions of identity numbers")
    parser.add_argument("--out-dir", type=Path, default=Path("/tmp/synth-bench"))
    parser.add_argument("--keep", action="store_true", help="Keep the generated populations.")
    args = parser.parse_args(argv)
    load = round(os.getloadavg()[0], 1)
    print(f"# synth: {os.cpu_count()} cores, load {load}, Python {platform.python_version()}, region {args.region}")
    print("| records | people | orgs | parts | wall s | rec/s (wall) | rec/s (generation) | peak RSS MB | disk MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for target in args.records:
        out = args.out_dir / f"synth-{target}"
        row = measure(target, args.months, args.policy, out, args.region)
        rows.append(row)
        print(
            f"| {row['records']:,} | {row['people']:,} | {row['orgs']:,} | {row['parts']} | {row['seconds']:.1f} "
            f"| {row['records_per_s']:,.0f} | {row['records'] / row['synth_seconds']:,.0f} "
            f"| {row['peak_rss_mb']:,.0f} | {row['disk_mb']:,.0f} |",
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    return {"load_1min": load, "months": args.months, "region": args.region, "runs": rows}


if __name__ == "__main__":
    main()
