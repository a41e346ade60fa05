"""Per-subject engine latency: one subject with 100 records under the shipped handbook (target: well under 1 ms).

The history mixes what a busy subject has: village deeds beyond their monthly caps, tickets, warnings
(some cured), arrears, a court listing later repaired, corrections and withdrawals, all within two years.

Run: python -m bench.bench_engine [--records 100] [--repeat 2000]
"""

from __future__ import annotations

import argparse
import platform
import random
import time
import timeit
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

from socialcredit.identity import make_ric
from socialcredit.policy import load_policy
from socialcredit.policy.model import Policy, Rule
from socialcredit.records.schema import Record
from socialcredit.scoring import evaluate

HANDBOOK = Path(__file__).resolve().parent.parent / "policies" / "rongcheng.toml"
SUBJECT = make_ric("371082", date(1960, 1, 1), 1)
AS_OF = date(2025, 6, 30)


def person_rules(policy: Policy) -> list[Rule]:
    """Fixed-points rules a person can be scored under."""
    return [r for r in policy.rules if isinstance(r.points, int) and (not r.subjects or "person" in r.subjects)]


def history(count: int, seed: int = 1) -> list[Record]:
    """``count`` records of one subject over two years: ~80 % facts (half of them village deeds, which have
    caps), the rest corrections, withdrawals, cures and repairs of earlier facts."""
    policy = load_policy(HANDBOOK)
    tz = ZoneInfo(policy.policy.timezone)
    rules = person_rules(policy)
    rules += [r for r in rules if r.id.startswith("village.")] * 3
    rng = random.Random(seed)
    records: list[Record] = []
    facts: list[tuple[Record, Rule]] = []
    for index in range(count):
        if len(facts) < 3 or rng.random() < 0.8:
            rule = rng.choice(rules)
            on = AS_OF - timedelta(days=rng.randrange(730))
            fact = _record(str(index), rule, rule.id, on, tz)
            facts.append((fact, rule))
            records.append(fact)
            continue
        fact, rule = rng.choice(facts)
        kind = "cure" if rule.notice else rng.choice(["correct", "withdraw", "repair"])
        on = fact.occurred_on + timedelta(days=2 if kind == "cure" else rng.randrange(1, 200))
        records.append(_record(str(index), rule, rule.id if kind == "correct" else None, on, tz, kind, fact.id))
    return records


def _record(
    record_id: str, rule: Rule, rule_id: str | None, on: date, tz: ZoneInfo, kind: str = "fact", ref: str | None = None
) -> Record:
    """A record from the rule's first source, recorded the morning it happened."""
    return Record(
        source=(rule.sources or ["bench"])[0],
        id=record_id,
        subject=SUBJECT,
        kind=kind,
        ref=ref,
        rule=rule_id,
        occurred_on=on,
        recorded_at=datetime.combine(on, clock(9), tz),
        document="(2024)1" if rule.requires_document else None,
    )


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args(argv)
    policy = load_policy(HANDBOOK)
    records = history(args.records)
    standing = evaluate(records, policy, AS_OF)
    statuses = sorted({c.status for c in standing.contributions})

    def run() -> None:
        evaluate(records, policy, AS_OF)

    wall = min(timeit.repeat(run, number=args.repeat, repeat=5)) / args.repeat * 1e6
    cpu = min(timeit.repeat(run, timer=time.process_time, number=args.repeat, repeat=5)) / args.repeat * 1e6
    shown = f"{len(standing.contributions)} facts shown: {', '.join(statuses)}"
    print(f"per-subject evaluate, {args.records} records ({shown})")
    print(f"  {wall:.0f} µs per subject wall clock, {cpu:.0f} µs CPU (best of 5 × {args.repeat})")
    print(f"  machine: {platform.machine()}, Python {platform.python_version()}")
    return {"records": args.records, "us_per_subject": wall, "cpu_us_per_subject": cpu}


if __name__ == "__main__":
    main()
