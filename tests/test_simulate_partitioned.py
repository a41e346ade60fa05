"""The partitioned simulation (bounded memory, two ``score`` runs by construction) reports what the in-memory
one reports, figure for figure, and cleans up after itself."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from socialcredit.policy import parse_policy
from socialcredit.simulate import Options, PartitionedPopulation, Population, simulate
from test_simulate import AS_OF, BASELINE, cli, policy, write_population


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_population(tmp_path_factory.mktemp("population"), seed=23)


@pytest.mark.parametrize(("zone", "runs"), [("Asia/Shanghai", 1), ("Asia/Urumqi", 2)])
def test_partitioned_report_equals_the_in_memory_report(
    paths: dict[str, Path], tmp_path: Path, zone: str, runs: int
) -> None:
    baseline = policy(paths["baseline"])
    candidate = parse_policy(paths["candidate"].read_text(encoding="utf-8").replace("Asia/Shanghai", zone))
    kwargs = {"as_of": date.fromisoformat(AS_OF), "monthly_from": date(2025, 3, 31), "options": Options(top=5)}
    in_memory = simulate(Population.from_path(paths["records"]), baseline, candidate, **kwargs)
    phases: list[str] = []
    work = tmp_path / "work"
    work.mkdir()
    with PartitionedPopulation(
        paths["records"], partitions=3, work_dir=work, progress=lambda phase, *_: phases.append(phase)
    ) as population:
        partitioned = simulate(population, baseline, candidate, **kwargs)
        # a candidate that reads the records alike rescores the baseline's partitions; another reads them again
        assert len(list(work.iterdir())) == runs
    assert partitioned == in_memory
    assert in_memory["summary"]["downgraded"] > 0 and len(in_memory["monthly"]) == 4
    assert {"read", "score"} <= set(phases)
    assert list(work.iterdir()) == []  # work directories removed


def test_partitioned_cli_reports_records_that_do_not_fit(paths: dict[str, Path], tmp_path: Path) -> None:
    narrow = tmp_path / "narrow.toml"
    narrow.write_text(BASELINE.replace('id = "heroic"', 'id = "heroism"'), encoding="utf-8")
    out = tmp_path / "report.html"
    result = cli("simulate", "--baseline", paths["baseline"], "--candidate", narrow, "--records", paths["records"],
                 "--as-of", AS_OF, "--out", out, "--partitions", "2", "--work-dir", tmp_path)  # fmt: skip
    assert result.returncode == 2 and not out.exists()
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "the records do not fit the candidate handbook (test 1):"
    assert any("unknown rule 'heroic'" in line for line in lines[1:])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["narrow.toml"]


def test_partitioned_cli_json_equals_in_memory_json(paths: dict[str, Path]) -> None:
    common = ["simulate", "--baseline", paths["baseline"], "--candidate", paths["candidate"],
              "--records", paths["records"], "--as-of", AS_OF, "--format", "json"]  # fmt: skip
    in_memory, partitioned = cli(*common, "--in-memory"), cli(*common, "--partitions", "4")
    assert in_memory.returncode == partitioned.returncode == 0, partitioned.stderr
    assert json.loads(partitioned.stdout) == json.loads(in_memory.stdout)
    both = cli(*common, "--in-memory", "--partitions", "4")
    assert both.returncode == 2 and "--in-memory: give it without --partitions" in both.stderr
