"""Policy simulation cost against one batch score of the same records (target: at most 2.5×).

Makes (or reuses) a synthetic Rongcheng population of about ``--records`` records with ``socialcredit synth``,
then runs, each in a fresh process under ``/usr/bin/time -v``:

1. ``socialcredit score`` of the records under the handbook in force (the unit of cost);
2. ``socialcredit simulate`` of ``docs/simulate-candidate.toml`` against it (partitioned like ``score``, the
   default), writing the HTML report and the JSON;
3. the same simulation ``--in-memory``;
4. optionally (``--monthly N``) the simulation with N monthly points as well (not targeted).

Commands run in interleaved rounds (``--rounds``, default 2) and the best time of each counts: the machine
is shared, and a burst of load from other jobs would otherwise decide the ratio.

Run: python -m bench.bench_simulate [--records 10000000] [--months 24] [--dir /tmp/simulate-bench]
     [--rounds 2] [--monthly 0]
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from socialcredit.policy.duration import add_months

from bench.bench_synth import population_for

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "policies" / "rongcheng.toml"
CANDIDATE = ROOT / "docs" / "simulate-candidate.toml"
START, AS_OF = "2023-07-01", "2025-06-30"
TARGET = 2.5


def ensure_population(records: int, months: int, directory: Path) -> dict[str, int]:
    """Synthesise the population unless ``directory`` already holds one of this size."""
    summary = directory / "synth.json"
    wanted = {"records_target": records, "months": months}
    if summary.exists():
        known = json.loads(summary.read_text(encoding="utf-8"))
        if known.get("bench") == wanted:
            return dict(known)
    people, orgs = population_for(records, months, BASELINE)
    command = [
        sys.executable, "-m", "socialcredit", "synth", "--policy", str(BASELINE), "--people", str(people),
        "--orgs", str(orgs), "--months", str(months), "--seed", "1", "--start", START, "--out", str(directory),
        "--overwrite", "--format", "json",
    ]  # fmt: skip
    made = subprocess.run(command, capture_output=True, text=True, check=False)
    if made.returncode != 0:
        raise SystemExit(made.stderr)
    known = {**json.loads(summary.read_text(encoding="utf-8")), "bench": wanted}
    summary.write_text(json.dumps(known), encoding="utf-8")
    return dict(known)


def timed(arguments: list[str], stdout: Path | None = None) -> dict[str, float]:
    """Wall seconds and peak RSS (MB) of one ``socialcredit`` command in a fresh process."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "socialcredit", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(arguments[:1])} failed:\n{result.stderr[-4000:]}")
    if stdout is not None:
        stdout.write_text(result.stdout, encoding="utf-8")
    wall = _field(result.stderr, r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)")
    rss = int(_field(result.stderr, r"Maximum resident set size \(kbytes\): (\d+)"))
    return {"seconds": _seconds(wall), "peak_rss_mb": round(rss / 1024)}


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/simulate-bench"))
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved rounds; the best time of each counts.")
    parser.add_argument("--monthly", type=int, default=0, help="Also time a run with this many monthly points.")
    args = parser.parse_args(argv)
    made = ensure_population(args.records, args.months, args.dir)
    commands = _commands(args.dir)
    best: dict[str, dict[str, float]] = {}
    for _ in range(args.rounds):  # interleaved, so that a burst of load on a shared machine hits every command
        for name, (arguments, stdout) in commands.items():
            measured = timed(arguments, stdout)
            if name not in best or measured["seconds"] < best[name]["seconds"]:
                best[name] = measured
    ratios = {name: round(best[name]["seconds"] / best["score"]["seconds"], 2) for name in best if name != "score"}
    result: dict[str, object] = {"records": made.get("records"), **best, "ratios": ratios, "target": TARGET}
    print(f"records: {made.get('records'):,} (subjects with records: {_subjects(args.dir / 'report.json'):,})")
    for name, measured in best.items():
        ratio = f", {ratios[name]:.2f}× one score" if name in ratios else ""
        print(f"{name:22} {measured['seconds']:7.1f} s  peak RSS {measured['peak_rss_mb']:5} MB{ratio}")
    verdict = "met" if ratios["simulate"] <= TARGET else "NOT met"
    print(f"target: simulate ≤ {TARGET}× one score — {verdict} (best of {args.rounds} interleaved rounds)")
    if args.monthly:
        base = commands["simulate"][0][:-4]  # without --out and --format
        monthly = timed([*base, "--out", str(args.dir / "monthly.html"), "--monthly-from", _months_back(args.monthly)])
        result["monthly"] = {"points": args.monthly, **monthly}
        print(f"simulate with {args.monthly} monthly points: {monthly['seconds']:.1f} s")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    return result


def _commands(directory: Path) -> dict[str, tuple[list[str], Path | None]]:
    """score; simulate (partitioned, the default); simulate --in-memory. Each writes its output file."""
    data = str(directory / "records")
    simulate = ["simulate", "--baseline", str(BASELINE), "--candidate", str(CANDIDATE), "--records", data,
                "--as-of", AS_OF, "--out", str(directory / "report.html"), "--format", "json"]  # fmt: skip
    return {
        "score": (["score", "--policy", str(BASELINE), "--records", data, "--as-of", AS_OF,
                   "--out", str(directory / "standings.parquet")], None),
        "simulate": (simulate, directory / "report.json"),
        "simulate --in-memory": ([*simulate, "--in-memory"], None),
    }  # fmt: skip


def _months_back(count: int) -> str:
    """The day ``count - 1`` months before --as-of (so the monthly points end on it)."""
    return add_months(date.fromisoformat(AS_OF), -(count - 1)).isoformat()


def _subjects(report: Path) -> int:
    return int(json.loads(report.read_text(encoding="utf-8"))["summary"]["subjects"])


def _field(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    if not match:
        raise SystemExit(f"cannot read {pattern!r} from /usr/bin/time output")
    return match.group(1)


def _seconds(clock: str) -> float:
    parts = [float(part) for part in clock.split(":")]
    return sum(value * 60**power for power, value in enumerate(reversed(parts)))


if __name__ == "__main__":
    main()
