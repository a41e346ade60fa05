"""Per-subject engine latency: one subject with 100 records (target: well under 1 ms).

Run: python -m bench.bench_engine [--records 100] [--repeat 2000]
"""

from __future__ import annotations

import argparse
import platform
import random
import timeit
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from socialcredit.policy import load_policy
from socialcredit.records.schema import Record
from socialcredit.scoring import evaluate

HANDBOOK = Path(__file__).resolve().parent.parent / "policies" / "rongcheng.toml"
SUBJECT = "371082196001010017"


def history(count: int, seed: int = 1) -> list[Record]:
    """``count`` records of one subject over two years: mostly fixed-points facts, some corrections."""
    policy = load_policy(HANDBOOK)
    tz = ZoneInfo(policy.policy.timezone)
    fixed = [rule for rule in policy.rules if isinstance(rule.points, int) and not rule.subjects]
    rng = random.Random(seed)
    records = []
    for index in range(count):
        rule = rng.choice(fixed)
        occurred = date(2023, 7, 1) + timedelta(days=rng.randrange(730))
        source = (rule.sources or ["bench"])[0]
        kind, ref = ("fact", None) if index % 10 else ("withdraw", str(index - 1))
        records.append(
            Record(
                source=source,
                id=str(index),
                subject=SUBJECT,
                kind=kind,
                ref=ref,
                rule=rule.id,
                occurred_on=occurred,
                recorded_at=datetime.combine(occurred, time(9), tz),
                document="(2024)1" if rule.requires_document else None,
            )
        )
    return records


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args(argv)
    policy = load_policy(HANDBOOK)
    records = history(args.records)
    as_of = date(2025, 6, 30)
    runs = timeit.repeat(lambda: evaluate(records, policy, as_of), number=args.repeat, repeat=5)
    best_ms = min(runs) / args.repeat * 1000
    print(f"per-subject evaluate, {args.records} records: {best_ms:.3f} ms per subject (best of 5 × {args.repeat})")
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    return {"records": args.records, "ms_per_subject": best_ms}


if __name__ == "__main__":
    main()
