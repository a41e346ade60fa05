"""On a synthetic population (every kind of record the handbook allows, late ones, corrections, cures,
repairs, withdrawals), the columnar engine and the partitioned run equal the per-subject engine."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from socialcredit.policy import load_policy
from socialcredit.policy.model import Policy
from socialcredit.scoring.batch_io import evaluate_all
from socialcredit.scoring.columnar import records_frame, standings_json
from socialcredit.scoring.partitioned import PartitionedRun
from socialcredit.synth import SynthSpec, synthesize

HANDBOOK = Path(__file__).resolve().parent.parent / "policies" / "rongcheng.toml"


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> tuple[Policy, Path]:
    policy = load_policy(HANDBOOK)
    out = tmp_path_factory.mktemp("synth") / "population"
    synthesize(SynthSpec(policy, 300, 40, 30, 11, "371082", date(2023, 1, 1), chunk_records=2000), out)
    return policy, out / "records"


@pytest.mark.parametrize(
    ("as_of", "known_at"),
    [(date(2025, 7, 1), None), (date(2024, 3, 15), None), (date(2025, 1, 31), datetime(2024, 11, 2, 12, 0))],
)
def test_columnar_equals_evaluate_on_a_synthetic_population(
    population: tuple[Policy, Path], as_of: date, known_at: datetime | None
) -> None:
    policy, records = population
    known = known_at.replace(tzinfo=ZoneInfo(policy.policy.timezone)) if known_at else None
    expected = [standing.as_json() for standing in evaluate_all(records, policy, as_of, known)]
    assert len(expected) > 250
    assert list(standings_json(records_frame(records, policy), policy, as_of, known)) == expected


def test_partitioned_run_equals_evaluate_on_a_synthetic_population(population: tuple[Policy, Path]) -> None:
    import json

    policy, records = population
    as_of = date(2025, 7, 1)
    expected = [standing.as_json() for standing in evaluate_all(records, policy, as_of)]
    run = PartitionedRun.start(records, policy, as_of, partitions=7, explain=True)
    try:
        assert [json.loads(line) for line in run.json_lines()] == expected
        assert run.records > 2000
    finally:
        run.close()
