"""Checks at the point of service: bulk screening in-process (target ≥ 1,000,000 identifiers/s), compared in
the same run with a Python set (bare membership) and a Python dict doing the same job.

Run: python -m bench.bench_checks [--subjects 1000000] [--probe 2000000]
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--probe", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    return {"screen": bench_screen(args.subjects, args.probe)}


if __name__ == "__main__":
    main()
