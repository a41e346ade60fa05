"""``socialcredit synth``: a small synthetic population, generated once per module, checked field by field.

``population`` runs the library on the test handbook (plus an assessor rule with photo evidence and a
``[synth]`` table that makes rarer rules common enough to show up in 300 people); the CLI tests run the
command as a user does (subprocess).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from socialcredit.errors import UserError
from socialcredit.identity import age_on, parse_subject, person_facts, region_codes
from socialcredit.policy import parse_policy
from socialcredit.policy.duration import add_duration, add_months
from socialcredit.policy.model import Policy
from socialcredit.records.files import read_raw_records
from socialcredit.records.validate import load_records
from socialcredit.synth import Summary, SynthSpec, synthesize
from socialcredit.synth.people import IdentityBook
from socialcredit.synth.rates import DEFAULT_RATES, rule_rates
from socialcredit.synth.regions import Places, divisions

from conftest import POLICY_TOML

EXTRA = """
[[rules]]
id = "deed.photo"
title = "Good deed reported by an assessor"
category = "community"
severity = "minor"
points = 1
legal_basis = "Test law 9"
review = true
evidence = { photos = 2, or_video = true }
subjects = ["person"]
"""
SYNTH = """
[synth]
rates = { environment = 1.5, judicial = 0.3, "contract-performance" = 0.5, "drunk" = 0.3 }
"""
START = date(2023, 1, 1)
MONTHS = 24
END = add_months(START, MONTHS)


def handbook(extra: str = SYNTH) -> Policy:
    return parse_policy(POLICY_TOML + EXTRA + extra)


def run(out: Path, *, seed: int = 5, people: int = 300, orgs: int = 30, policy: Policy | None = None) -> Summary:
    spec = SynthSpec(policy or handbook(), people, orgs, MONTHS, seed, "371082", START, chunk_records=1000)
    return synthesize(spec, out)


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary]:
    out = tmp_path_factory.mktemp("synth") / "pop"
    return out, run(out)


@pytest.fixture(scope="module")
def records(population: tuple[Path, Summary]) -> pl.DataFrame:
    return pl.read_parquet(population[0] / "records")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "socialcredit", *args], capture_output=True, text=True, check=False)


def test_layout_summary_and_chunks(population: tuple[Path, Summary], records: pl.DataFrame) -> None:
    out, summary = population
    parts = sorted((out / "records").glob("part-*.parquet"))
    assert len(parts) == summary.parts > 2  # chunked: about 1000 records per part
    assert sorted(path.name for path in out.iterdir()) == ["records", "subjects.parquet", "synth.json"]
    manifest = json.loads((out / "synth.json").read_text())
    assert manifest["records"] == summary.records == len(records)
    assert manifest["people"] == 300 and manifest["orgs"] == 30 and manifest["end"] == END.isoformat()
    assert records["id"].n_unique() == len(records)


def test_same_seed_gives_identical_bytes_and_another_seed_differs(
    population: tuple[Path, Summary], tmp_path: Path
) -> None:
    out, _ = population
    again, other = tmp_path / "again", tmp_path / "other"
    run(again)
    run(other, seed=6)
    for name in ["subjects.parquet", *(f"records/{p.name}" for p in (out / "records").iterdir())]:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    assert (out / "subjects.parquet").read_bytes() != (other / "subjects.parquet").read_bytes()


def test_identifiers_are_valid_unique_and_match_the_people(population: tuple[Path, Summary]) -> None:
    subjects = pl.read_parquet(population[0] / "subjects.parquet")
    assert subjects["subject"].n_unique() == len(subjects) == 330
    assert Counter(subjects["kind"]) == {"person": 300, "organisation": 30}
    for row in subjects.iter_rows(named=True):
        parsed = parse_subject(row["subject"])
        assert parsed.kind == row["kind"] and row["region"] in region_codes("371082") and row["name"]
        assert row["village"].endswith(("村", "社区"))
        if row["kind"] == "person":
            facts = person_facts(row["subject"])
            assert (facts.birth_date, facts.sex, facts.region_code) == (row["birth_date"], row["sex"], row["region"])
            assert 18 <= age_on(row["birth_date"], START) <= 90
        else:
            assert row["subject"][2:8] == row["region"] and row["birth_date"] is None and row["sex"] is None
    ages = [age_on(born, START) for born in subjects["birth_date"].drop_nulls()]
    assert min(ages) < 30 and max(ages) > 70  # the whole adult range, not one cohort


def test_every_record_is_valid_under_the_handbook(population: tuple[Path, Summary]) -> None:
    out, summary = population
    loaded = load_records(str(out / "records"), handbook(), today=END)
    assert len(loaded) == summary.records
    subjects = set(pl.read_parquet(out / "subjects.parquet")["subject"])
    assert {record.subject for record in loaded} <= subjects
    assert all(record.recorded_at < datetime(2025, 1, 1, tzinfo=record.recorded_at.tzinfo) for record in loaded)


def test_kinds_statuses_and_late_records_are_all_present(
    population: tuple[Path, Summary], records: pl.DataFrame
) -> None:
    _, summary = population
    assert set(records["kind"]) == {"fact", "correct", "withdraw", "cure", "repair"}
    assert set(records["status"]) >= {"pending", "confirmed", "rejected", "contested"}
    assert dict(Counter(records["kind"])) == {k: v for k, v in summary.kinds.items() if v}
    facts = records.filter(pl.col("kind") == "fact")
    late = facts.filter(pl.col("recorded_at").dt.date() > pl.col("occurred_on") + pl.duration(days=6))
    assert len(late) == summary.late > 0
    reviewed = records.filter(pl.col("rule") == "deed.photo", pl.col("kind") == "fact")
    assert set(reviewed["status"]) == {"pending", "confirmed", "rejected"}
    assert set(records.filter(pl.col("rule") != "deed.photo", pl.col("kind") == "fact")["status"]) <= {
        "confirmed",
        "contested",
    }


def test_follow_ups_reference_a_fact_of_the_same_source_and_subject_recorded_earlier(records: pl.DataFrame) -> None:
    facts = records.filter(pl.col("kind") == "fact").select(
        "source", pl.col("id").alias("ref"), pl.col("subject").alias("of"), pl.col("recorded_at").alias("fact_at"),
        pl.col("occurred_on").alias("fact_on"), pl.col("rule").alias("fact_rule"),
    )  # fmt: skip
    follow = records.filter(pl.col("kind") != "fact").join(facts, on=["source", "ref"], how="left")
    assert follow["of"].null_count() == 0 and (follow["of"] == follow["subject"]).all()
    assert (follow["recorded_at"] > follow["fact_at"]).all()
    policy = handbook()
    for row in follow.filter(pl.col("kind") == "cure").iter_rows(named=True):
        rule = policy.rule(row["fact_rule"])
        assert rule is not None and rule.notice is not None and row["occurred_on"] >= row["fact_on"]
    cures = follow.filter(pl.col("kind") == "cure")
    in_time = [
        row["occurred_on"] <= add_duration(row["fact_on"], policy.rule(row["fact_rule"]).notice.cure_within)  # type: ignore[union-attr]
        for row in cures.iter_rows(named=True)
    ]
    assert 0.8 < sum(in_time) / len(in_time) < 1  # most in time, some too late
    for row in follow.filter(pl.col("kind") == "repair").iter_rows(named=True):
        rule = policy.rule(row["fact_rule"])
        assert rule is not None
        minimum = {"minor": 0, "general": 3, "serious": 12}[rule.severity]
        length = rule.counts_for or policy.policy.default_counts_for
        assert add_months(row["fact_on"], minimum) <= row["occurred_on"] < add_duration(row["fact_on"], length)


def test_evidence_documents_points_and_sources_follow_the_rules(records: pl.DataFrame) -> None:
    reports = records.filter(pl.col("rule") == "deed.photo", pl.col("kind") == "fact")
    media = Counter(tuple(item["media_type"] for item in items) for items in reports["evidence"])
    assert set(media) == {("image/jpeg", "image/jpeg"), ("video/mp4",)}
    assert all(len(item["sha256"]) == 64 for items in reports["evidence"] for item in items)
    assert records.filter(pl.col("rule") != "deed.photo")["evidence"].null_count() == len(
        records.filter(pl.col("rule") != "deed.photo")
    )
    court = records.filter(pl.col("rule") == "defaulter")
    assert len(court) and set(court["source"]) == {"court"}
    assert all(doc.startswith("(20") and "鲁1082执" in doc for doc in court["document"])
    discretionary = records.filter(pl.col("rule") == "other")
    assert discretionary["points"].null_count() == 0 and discretionary["reason"].null_count() == 0
    assert all(Decimal(-50) <= points <= Decimal(-5) for points in discretionary["points"])
    assert records.filter(pl.col("rule") != "other")["points"].null_count() == len(
        records.filter(pl.col("rule") != "other")
    )
    first, last = records["occurred_on"].min(), records["occurred_on"].max()
    assert isinstance(first, date) and isinstance(last, date) and first >= date(2022, 12, 25) and last < END


def test_synth_rates_override_the_defaults() -> None:
    plain = {rate.rule.id: rate for rate in rule_rates(handbook(""))}
    tuned = {rate.rule.id: rate for rate in rule_rates(handbook('[synth]\nrates = { traffic = 2.0, "deed" = 0.25 }'))}
    assert plain["minus5"].person + plain["drunk"].person == pytest.approx(DEFAULT_RATES["traffic"][0])
    assert tuned["minus5"].person + tuned["drunk"].person == pytest.approx(2.0)
    assert tuned["minus5"].person == pytest.approx(2.0 / 1.1)  # shared by severity: minor 1, serious 0.1
    assert tuned["deed"].person == tuned["deed"].organisation == 0.25
    assert plain["deed.photo"].organisation == 0  # a persons-only rule
    assert tuned["plus1.capped"].person > plain["plus1.capped"].person  # the rest of community shares more


def test_synth_rates_change_the_generated_records(tmp_path: Path) -> None:
    quiet = run(
        tmp_path / "quiet", people=200, orgs=0, policy=handbook("[synth]\nrates = { community = 0, traffic = 0.5 }")
    )
    busy = run(
        tmp_path / "busy", people=200, orgs=0, policy=handbook("[synth]\nrates = { community = 0, traffic = 5 }")
    )
    for summary, out in ((quiet, tmp_path / "quiet"), (busy, tmp_path / "busy")):
        rules = set(pl.read_parquet(out / "records")["rule"].drop_nulls())
        assert rules and not rules & {"plus1.capped", "plus4.points-cap", "deed", "deed.photo"}
        assert summary.records == len(pl.read_parquet(out / "records"))
    assert busy.kinds["fact"] > 5 * quiet.kinds["fact"]


def test_identity_numbers_stay_unique_when_a_birth_date_fills_up() -> None:
    rng = np.random.default_rng(0)
    places = Places.build(rng, "371082", ["王"], 1000)
    book = IdentityBook(START, places, 3000, rng)
    day = np.full(3000, 100)
    male = np.tile([0, 1], 1500)
    sequence = book.allocate(rng, np.zeros(3000, dtype=np.int64), day, male)
    assert len(set(zip(day.tolist(), sequence.tolist(), strict=True))) == 3000
    assert (sequence % 2 == male).all() and sequence.max() <= 999
    assert (day == 100).sum() == 1000  # 500 numbers per sex on one birth date, the rest moved


def test_regions_use_current_sub_divisions_and_refuse_unknown_codes() -> None:
    weihai = divisions("371000")
    assert "371082" in weihai and "371002" in weihai
    assert not {"371000", "371001", "371023"} & set(weihai)  # the city itself, 市辖区, the former 荣成县
    assert divisions("371082") == ["371082"]
    assert set(divisions("37")) == set(divisions("370000")) and len(divisions("37")) > 100
    for bad in ("999999", "3710821", "abc"):
        with pytest.raises(UserError, match="--region"):
            divisions(bad)


def test_directory_reader_takes_the_records_of_a_synth_output(population: tuple[Path, Summary]) -> None:
    out, summary = population
    raw = list(read_raw_records(out))
    assert len(raw) == summary.records and all("name" not in item.data for item in raw)


def test_cli_writes_a_population_that_evaluate_accepts(tmp_path: Path) -> None:
    policy = tmp_path / "handbook.toml"
    policy.write_text(POLICY_TOML + EXTRA, encoding="utf-8")
    out = tmp_path / "pop"
    args = ["synth", "--policy", str(policy), "--people", "40", "--orgs", "5", "--months", "6", "--seed", "2"]
    made = cli(*args, "--start", "2024-01-01", "--out", str(out), "--format", "json")
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    assert summary["records"] > 0 and summary["end"] == "2024-07-01" and summary["out"] == str(out)
    evaluated = cli(
        "evaluate", "--policy", str(policy), "--records", str(out), "--as-of", "2024-06-30", "--format", "json"
    )
    assert evaluated.returncode == 0, evaluated.stderr
    standings = [json.loads(line) for line in evaluated.stdout.splitlines()]
    assert len(standings) == pl.read_parquet(out / "records")["subject"].n_unique()
    again = cli(*args, "--start", "2024-01-01", "--out", str(out))
    assert again.returncode == 2 and "--overwrite" in again.stderr
    replaced = cli(*args, "--start", "2024-01-01", "--out", str(out), "--overwrite", "--people", "10")
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads((out / "synth.json").read_text())["people"] == 10
    assert len(pl.read_parquet(out / "subjects.parquet")) == 15


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--region", "999999"], "--region '999999': not a division code"),
        (["--people", "-5"], "--people must be 0 or more; got -5"),
        (["--start", "2024-02-30"], "--start '2024-02-30': not a valid ISO date"),
    ],
)
def test_bad_arguments_are_clear_errors_and_write_nothing(tmp_path: Path, option: list[str], message: str) -> None:
    policy = tmp_path / "handbook.toml"
    policy.write_text(POLICY_TOML, encoding="utf-8")
    out = tmp_path / "pop"
    result = cli("synth", "--policy", str(policy), "--out", str(out), "--start", "2024-01-01", *option)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == "" and not out.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"months": 0}, "--months must be between 1 and 1200; got 0"),
        ({"orgs": -1}, "--orgs must be 0 or more; got -1"),
        ({"people": 0, "orgs": 0}, "nothing to generate"),
        ({"start": date(2099, 1, 1)}, "after today"),
        ({"people": 20_000_000}, "1 division(s) can number at most 13,3"),
        ({"region": "37108"}, "--region '37108'"),
        ({"chunk_records": 10}, "--chunk-records must be at least 1000"),
    ],
)
def test_bad_specs_are_refused_before_anything_is_written(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    spec = {"policy": handbook(), "people": 10, "orgs": 1, "months": 1, "seed": 0, "region": "371082", "start": START}
    out = tmp_path / "pop"
    with pytest.raises(UserError) as raised:
        synthesize(SynthSpec(**{**spec, **change}), out)  # type: ignore[arg-type]
    assert message in raised.value.message and not out.exists()


def test_a_foreign_non_empty_directory_is_never_touched(tmp_path: Path) -> None:
    policy = tmp_path / "handbook.toml"
    policy.write_text(POLICY_TOML, encoding="utf-8")
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    result = cli("synth", "--policy", str(policy), "--out", str(out), "--start", "2024-01-01", "--overwrite")
    assert result.returncode == 2 and "not empty" in result.stderr
    assert [path.name for path in out.iterdir()] == ["notes.txt"]
