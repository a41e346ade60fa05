"""Run the benchmarks: every ``bench/bench_*.py`` module's ``main(argv)``, one after the other (``make bench``).

Run: python -m bench.run [NAME ...] [--list] [--json FILE]
     NAME selects benchmarks by the part after ``bench_`` (``engine``, ``synth``...); default: all.

Each module keeps its own defaults (``main([])``); run a module alone to pass it options
(``python -m bench.bench_engine --records 1000``). A failing benchmark is reported and the others still run;
the exit status is 1 if any failed. Machine facts are printed first, since figures depend on them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    """Benchmark names (``engine`` for ``bench_engine.py``), sorted."""
    return sorted(path.stem.removeprefix("bench_") for path in HERE.glob("bench_*.py"))


def machine() -> dict[str, Any]:
    """What the figures depend on: cores, memory, load, Python."""
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    load = round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None
    return {
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "load_1min": load,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "system": platform.system(),
    }


def run_one(name: str) -> dict[str, Any]:
    """Import ``bench.bench_<name>`` and call its ``main([])``; time it; never raise."""
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"bench.bench_{name}")
        result = module.main([])
        status = "ok"
    except Exception:
        traceback.print_exc()
        result, status = None, "failed"
    return {"name": name, "status": status, "seconds": round(time.perf_counter() - started, 1), "result": result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    names = available()
    if args.list:
        print("\n".join(names))
        return 0
    unknown = sorted(set(args.names) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(names)}")
    facts = machine()
    print("machine: " + ", ".join(f"{key} {value}" for key, value in facts.items()), flush=True)
    results = []
    for name in args.names or names:
        print(f"\n== {name} ==", flush=True)
        results.append(run_one(name))
        print(f"-- {name}: {results[-1]['status']} in {results[-1]['seconds']} s", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": facts, "results": results}, indent=1, default=str) + "\n")
    failed = [r["name"] for r in results if r["status"] != "ok"]
    summary = f"{len(results) - len(failed)} of {len(results)} benchmarks ran"
    print(f"\n{summary}; failed: {', '.join(failed)}" if failed else f"\n{summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
