"""Write ``examples/rongcheng-sample.jsonl``: two years of records about 100 people and 10 organisations of
Rongcheng (division 371082) under ``policies/rongcheng.toml``. Deterministic: the seed is fixed.

Every identifier is valid (GB 11643 / GB 32100 check digits). Besides random background records the file
holds scripted cases that show every part of the scoring semantics: see examples/README.md.

Run from the repository root: ``python examples/make_sample.py`` (``--out FILE`` to write elsewhere).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from socialcredit.identity import make_ric, make_uscc
from socialcredit.policy import load_policy
from socialcredit.policy.model import Policy
from socialcredit.records.schema import FIELDS

SEED = 371082
REGION = "371082"
TZ = ZoneInfo("Asia/Shanghai")
START, END = date(2023, 7, 1), date(2025, 6, 30)
HERE = Path(__file__).resolve().parent
OUT = HERE / "rongcheng-sample.jsonl"
HANDBOOK = HERE.parent / "policies" / "rongcheng.toml"

VILLAGE_DEEDS = [
    ("village.escort-elder", 6), ("village.lend-tools", 4), ("village.read-water-meter", 3),
    ("village.prune-tree", 2), ("village.volunteer-day", 3), ("village.care-disabled", 2),
    ("village.car-from-ditch", 1),
]  # fmt: skip
PERSON_MISDEEDS = [
    ("traffic.red-light", "traffic-police", 5), ("traffic.fail-to-yield", "traffic-police", 3),
    ("finance.bank-arrears", "bank", 4), ("utility.late-fees", "utilities", 3),
    ("village.waste-in-river", "village-assessors", 1), ("finance.contract-default", "bank", 1),
    ("order.fighting", "public-security", 1), ("finance.unpaid-debt-judged", "court", 1),
    ("court.judgment-defaulter", "court", 1),
]  # fmt: skip
ORG_MISDEEDS = [
    ("finance.bank-arrears", "bank", 4), ("utility.late-fees", "utilities", 3),
    ("finance.contract-default", "bank", 2), ("finance.guarantee-breach", "bank", 1),
]  # fmt: skip
# Registration authority and entity type (GB 32100): companies, a co-operative, a sole trader, a social group.
ORG_KINDS = [("9", "1")] * 7 + [("9", "3"), ("9", "2"), ("5", "1")]
SCRIPTED_PEOPLE = 11  # the first people carry only their scripted records, so their standings stay readable
DOCUMENTS = {
    "court": "(2024)鲁1082执{n}号",
    "traffic-police": "37108210000{n:05d}",
    "public-security": "荣公(治)行罚决字〔2024〕{n}号",
    "market-regulation": "荣市监罚〔2024〕{n}号",
    "development-reform": "荣发改信用〔2024〕{n}号",
}


@dataclass
class Sample:
    """Accumulates records; ids are per source (``tp-0001``) so ``(source, id)`` is unique."""

    rng: random.Random
    policy: Policy
    records: list[dict[str, Any]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def next_id(self, source: str) -> str:
        self.counters[source] = self.counters.get(source, 0) + 1
        prefix = "".join(part[0] for part in source.split("-"))
        return f"{prefix}-{self.counters[source]:04d}"

    def fact(self, subject: str, rule: str, source: str, on: date, **extra: Any) -> dict[str, Any]:
        record_id = self.next_id(source)
        record = {"source": source, "id": record_id, "subject": subject, "rule": rule, "occurred_on": on}
        handbook_rule = self.policy.rule(rule)
        if handbook_rule is None:
            raise ValueError(f"no rule {rule!r} in the handbook")
        if handbook_rule.requires_document:
            extra.setdefault("document", DOCUMENTS[source].format(n=self.counters[source] + 100))
        if handbook_rule.evidence:
            extra.setdefault("evidence", self.evidence(source, record_id))
        if source == "village-assessors":
            extra.setdefault("recorded_at", village_report_day(on))
        record.update(extra)
        record.setdefault("recorded_at", agency_moment(self.rng, on))
        self.records.append(record)
        return record

    def act(self, kind: str, fact: dict[str, Any], on: date, **extra: Any) -> dict[str, Any]:
        """A correction, withdrawal, cure or repair of ``fact`` (same source), effective ``on``."""
        source = fact["source"]
        record = {"source": source, "id": self.next_id(source), "subject": fact["subject"], "kind": kind}
        record.update({"ref": fact["id"], "occurred_on": on, **extra})
        record.setdefault("recorded_at", datetime.combine(on, time(16, 30), TZ))
        self.records.append(record)
        return record

    def evidence(self, source: str, record_id: str) -> list[dict[str, str]]:
        if self.rng.random() < 0.2:
            return [{"sha256": digest(f"{source}/{record_id}/video"), "media_type": "video/mp4"}]
        return [{"sha256": digest(f"{source}/{record_id}/photo{n}"), "media_type": "image/jpeg"} for n in (1, 2)]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def village_report_day(on: date) -> datetime:
    """Deeds collected up to the 18th are reported on the 20th of that month, later ones the next month."""
    month = date(on.year, on.month, 20) if on.day <= 18 else (date(on.year, on.month, 28) + timedelta(days=10))
    return datetime.combine(month.replace(day=20), time(10, 0), TZ)


def agency_moment(rng: random.Random, on: date) -> datetime:
    """Agencies push within a few days, in office hours."""
    day = on + timedelta(days=rng.randrange(0, 6))
    return datetime.combine(day, time(rng.randrange(9, 17), rng.randrange(60)), TZ)


def random_day(rng: random.Random, start: date = START, end: date = END) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def people(rng: random.Random, count: int) -> list[str]:
    """Adults (18 or older at the start of the window) with distinct, valid identity numbers."""
    ids: list[str] = []
    while len(ids) < count:
        born = random_day(rng, date(1940, 1, 1), date(2005, 6, 30))
        number = make_ric(REGION, born, rng.randrange(1, 1000))
        if number not in ids:
            ids.append(number)
    return ids


def organisations(count: int) -> list[str]:
    kinds = enumerate(ORG_KINDS[:count])
    return [make_uscc(REGION, 10_000 + 37 * n, authority=a, entity_type=t) for n, (a, t) in kinds]


def background(sample: Sample, persons: list[str], orgs: list[str]) -> None:
    """Everyday records: village deeds and a few tickets and arrears; some pending, rejected or late."""
    rng = sample.rng
    deeds, deed_weights = zip(*VILLAGE_DEEDS, strict=True)
    for person in persons:
        active = rng.random() < 0.15  # a few villagers do most of the deeds, lately
        since = date(2024, 7, 1) if active else START
        for _ in range(rng.randrange(12, 30) if active else rng.choice([1, 1, 2, 2, 3])):
            status = rng.choices(["confirmed", "pending", "rejected"], [90, 5, 5])[0]
            extra = {"status": status} if status != "confirmed" else {}
            deed = rng.choices(deeds, deed_weights)[0]
            sample.fact(person, deed, "village-assessors", random_day(rng, since), **extra)
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            rule, source, _ = rng.choices(PERSON_MISDEEDS, [w for *_, w in PERSON_MISDEEDS])[0]
            sample.fact(person, rule, source, random_day(rng))
        if rng.random() < 0.1:  # civil servants' annual appraisal
            appraisal = date(rng.choice([2024, 2025]), 1, 15)
            sample.fact(person, "evaluations.work-performance", "human-resources", appraisal)
    for org in orgs:
        for _ in range(rng.choice([1, 1, 2, 3])):
            rule, source, _ = rng.choices(ORG_MISDEEDS, [w for *_, w in ORG_MISDEEDS])[0]
            sample.fact(org, rule, source, random_day(rng))


def scripted(sample: Sample, p: list[str], orgs: list[str]) -> None:
    """The cases examples/README.md describes, one feature of the semantics each (first people and orgs)."""
    _rewards_and_listings(sample, p)
    _procedure(sample, p)
    _organisations(sample, orgs)


def _rewards_and_listings(sample: Sample, p: list[str]) -> None:
    # p[0] the clerk's example: a civil servant, 1000 − 5 (red light) + 20 (work performance) = 1015, grade A.
    sample.fact(p[0], "traffic.red-light", "traffic-police", date(2025, 3, 14))
    sample.fact(p[0], "evaluations.work-performance", "human-resources", date(2025, 1, 15))
    # p[1] a role model: heroic act, deeds beyond the monthly caps (capped), a donation (discretionary): AAA.
    sample.fact(p[1], "honours.heroic-act", "village-assessors", date(2024, 11, 3))
    for day in (2, 9, 16):
        sample.fact(p[1], "village.escort-elder", "village-assessors", date(2025, 5, day))
        sample.fact(p[1], "village.care-disabled", "village-assessors", date(2025, 4, day))
    for day in (5, 12):
        sample.fact(p[1], "village.volunteer-day", "village-assessors", date(2025, 3, day))
    sample.fact(p[1], "village.donation", "village-assessors", date(2025, 2, 8), points=30, reason="a 3,000-yuan TV")
    # p[2] a judgment defaulter, still listed: the nine high-consumption measures deny air, G-trains...
    sample.fact(p[2], "court.judgment-defaulter", "court", date(2024, 9, 10))
    sample.fact(p[2], "finance.unpaid-debt-judged", "court", date(2024, 6, 3))
    # p[3] paid up: the court deletes the listing (a repair), so the measures end.
    paid = sample.fact(p[3], "court.judgment-defaulter", "court", date(2024, 5, 20))
    sample.act("repair", paid, date(2025, 2, 28))
    # p[4] drunk driving: "automatic C" whatever the points.
    sample.fact(p[4], "traffic.drunk-driving", "traffic-police", date(2024, 12, 24))


def _procedure(sample: Sample, p: list[str]) -> None:
    # p[5] warnings before punishment: litter cleared in time (cured), litter not cleared (counted),
    # and litter reported on 29 June, still within its three days on 30 June (pending-notice).
    cleared = sample.fact(p[5], "village.littering", "village-assessors", date(2025, 2, 3))
    sample.act("cure", cleared, date(2025, 2, 5), recorded_at=datetime(2025, 2, 20, 10, tzinfo=TZ))
    sample.fact(p[5], "village.littering", "village-assessors", date(2025, 3, 10))
    sample.fact(p[5], "village.loose-chickens", "village-assessors", date(2025, 6, 29), recorded_at=_at(2025, 6, 29))
    # p[6] corrections and withdrawals: a ticket corrected to another rule, another withdrawn on objection.
    wrong = sample.fact(p[6], "traffic.red-light", "traffic-police", date(2025, 1, 7))
    sample.act("correct", wrong, date(2025, 1, 7), rule="traffic.fail-to-yield")
    contested = sample.fact(p[6], "traffic.red-light", "traffic-police", date(2025, 4, 2), status="contested")
    sample.act("withdraw", contested, date(2025, 4, 9))
    # p[7] bank arrears: three reports in one month count once (monthly cycle); an old ticket has expired.
    for day in (3, 11, 25):
        sample.fact(p[7], "finance.bank-arrears", "bank", date(2025, 4, day))
    sample.fact(p[7], "traffic.fail-to-yield", "traffic-police", date(2023, 8, 14))
    # p[8] recorded late: arrears of 20 June reported on 5 July are not yet known on 30 June; a deed of
    # 19 June is reported with July's deeds; a court decision reached the platform two months late.
    sample.fact(p[8], "finance.bank-arrears", "bank", date(2025, 6, 20), recorded_at=_at(2025, 7, 5))
    sample.fact(p[8], "village.lend-tools", "village-assessors", date(2025, 6, 19))
    sample.fact(p[8], "finance.private-lending-breach", "court", date(2025, 2, 11), recorded_at=_at(2025, 4, 14))
    # p[9] reports still awaiting the committee (pending) and one rejected.
    sample.fact(p[9], "village.prune-tree", "village-assessors", date(2025, 6, 12), status="pending")
    sample.fact(p[9], "village.car-from-ditch", "village-assessors", date(2025, 5, 30), status="rejected")
    # p[10] serious untrustworthiness designated by the development and reform commission (not public).
    sample.fact(p[10], "credit.serious-untrustworthy", "development-reform", date(2024, 10, 8))


def _organisations(sample: Sample, orgs: list[str]) -> None:
    # organisations: the market-regulation serious list (public), a court defaulter company, discretion.
    sample.fact(orgs[0], "market.serious-illegal-dishonest", "market-regulation", date(2024, 7, 1))
    sample.fact(orgs[0], "commerce.fake-goods", "market-regulation", date(2024, 6, 12))
    sample.fact(orgs[1], "court.judgment-defaulter", "court", date(2025, 1, 20))
    sample.fact(
        orgs[2], "commerce.other-untrustworthiness", "market-regulation", date(2025, 3, 3),
        points=-15, reason="advance payments kept after cancelling 40 orders",
    )  # fmt: skip
    sample.fact(orgs[3], "utility.theft", "public-security", date(2024, 8, 19))


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 11, 0, tzinfo=TZ)


def build(seed: int = SEED, *, persons: int = 100, orgs: int = 10) -> list[dict[str, Any]]:
    """All records, in the order the platform would have learned them."""
    rng = random.Random(seed)
    sample = Sample(rng, load_policy(HANDBOOK))
    person_ids, org_ids = people(rng, persons), organisations(orgs)
    scripted(sample, person_ids, org_ids)
    background(sample, person_ids[SCRIPTED_PEOPLE:], org_ids)
    return sorted(sample.records, key=lambda r: (r["recorded_at"], r["source"], r["id"]))


def to_json(record: dict[str, Any]) -> str:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date | datetime) else value

    return json.dumps({key: plain(record[key]) for key in FIELDS if key in record}, ensure_ascii=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    records = build(args.seed)
    args.out.write_text("".join(to_json(record) + "\n" for record in records), encoding="utf-8")
    subjects = {record["subject"] for record in records}
    print(f"wrote {len(records)} records about {len(subjects)} subjects to {args.out}")


if __name__ == "__main__":
    main()
