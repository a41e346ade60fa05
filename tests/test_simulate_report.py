"""The simulation report: self-contained HTML with SVG charts, the JSON shape, bad input, and the pure helpers."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from socialcredit.errors import UserError
from socialcredit.identity import age_on, make_ric, make_uscc, parse_subject, person_facts, region_codes
from socialcredit.policy import parse_policy
from socialcredit.simulate import Options, Population, simulate
from socialcredit.simulate.compare import merged_grades
from socialcredit.simulate.distribution import bin_width
from socialcredit.simulate.groups import identifier_facts
from socialcredit.simulate.html import render_simulation_html
from socialcredit.simulate.monthly import month_days
from test_simulate import AS_OF, BASELINE, CANDIDATE, cli, pairs, policy, write_population

from conftest import make_policy

TOP_KEYS = {"baseline", "candidate", "as_of", "known_at", "summary", "grades", "transitions", "distribution", "lists",
            "measures", "groups", "top_subjects", "drivers", "minor_to_low", "cliffs", "minor_cliffs",
            "grade_measures", "warnings", "monthly"}  # fmt: skip


BANDS = {"under 18": (0, 17), "18–29": (18, 29), "30–39": (30, 39), "40–49": (40, 49), "50–59": (50, 59),
         "60–69": (60, 69), "70+": (70, 200)}  # fmt: skip


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_population(tmp_path_factory.mktemp("population"), seed=11)


def args(paths: dict[str, Path], out: Path, *extra: str | Path) -> list[str | Path]:
    return ["simulate", "--baseline", paths["baseline"], "--candidate", paths["candidate"],
            "--records", paths["records"], "--as-of", AS_OF, "--out", out, *extra]  # fmt: skip


def test_html_report_is_one_self_contained_file_with_svg_charts(paths: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = cli(*args(paths, out, "--monthly-from", "2025-01-31"))
    assert result.returncode == 0, result.stderr
    assert f"report written to {out}" in result.stdout and "Grade transitions" in result.stdout
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.count("<svg") == 3  # grades, points, months
    assert not re.search(r"https?://", page)
    assert not re.search(r"<(script|link|img|iframe)\b", page, re.IGNORECASE)
    assert not re.search(r"url\(", page)
    assert "Grade transitions" in page and "Who bears the change" in page and "Month by month" in page
    assert re.search(r"\d{6}\*{8}\w{4}", page)  # identifiers masked by default
    assert out.stat().st_mode & 0o044  # readable like any file the user writes


def test_json_shape_and_html_from_the_same_report(paths: dict[str, Path]) -> None:
    population = Population.from_path(paths["records"])
    report = simulate(population, policy(paths["baseline"]), policy(paths["candidate"]), as_of=date(2025, 6, 30),
                      options=Options(top=3, full_ids=True))  # fmt: skip
    assert set(report) == TOP_KEYS and report["monthly"] is None
    assert all(set(t) == {"from", "to", "count", "share"} for t in report["transitions"])
    assert all({"id", "added", "removed"} <= set(item) for item in report["lists"])
    assert all({"service", "newly_denied", "newly_allowed"} <= set(item) for item in report["measures"])
    assert set(report["groups"]) == {"kind", "region", "age_band", "sex"}
    assert len(report["top_subjects"]) == 3 and all(len(t["subject"]) == 18 for t in report["top_subjects"])
    assert all(parse_subject(t["subject"]) for t in report["top_subjects"])  # full identifiers when asked
    fragment = render_simulation_html(report, fragment=True)
    assert fragment.startswith("<article") and "<html" not in fragment and fragment.count("<svg") == 2


def test_population_from_records_matches_population_from_file(paths: dict[str, Path]) -> None:
    from socialcredit.records.validate import load_records

    baseline, candidate = policy(paths["baseline"]), policy(paths["candidate"])
    records = load_records(str(paths["records"]), candidate)
    day = date(2025, 6, 30)
    from_records = simulate(Population.from_records(records), baseline, candidate, as_of=day)
    from_file = simulate(Population.from_path(paths["records"]), baseline, candidate, as_of=day)
    assert from_records == from_file


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"records": "missing.jsonl"}, "missing.jsonl: no such file or directory"),
        ({"candidate": "missing.toml"}, "missing.toml: no such handbook file"),
        ({"candidate": "bad.toml"}, "bad.toml: grades[3].min: required on every grade but the last"),
        ({"candidate": "narrow.toml"}, "do not fit the candidate handbook"),
        ({"as_of": "2025-13-01"}, "--as-of: '2025-13-01' is not a date"),
        ({"monthly_from": "2026-01-01"}, "--monthly-from: 2026-01-01 is after --as-of 2025-06-30"),
        ({"out": "nowhere/report.html"}, "does not exist"),
    ],
)
def test_bad_input_exits_2_and_writes_no_report(
    paths: dict[str, Path], tmp_path: Path, change: dict[str, str], message: str
) -> None:
    (tmp_path / "bad.toml").write_text(
        CANDIDATE.replace('name = "D"\n', 'name = "D"\n[[grades]]\nname = "E"\n'), encoding="utf-8"
    )
    (tmp_path / "narrow.toml").write_text(BASELINE.replace('id = "heroic"', 'id = "heroism"'), encoding="utf-8")
    given = {key: tmp_path / value for key, value in change.items() if key in ("records", "candidate", "out")}
    out = given.pop("out", tmp_path / "report.html")
    command = [
        str(a) for a in args({**paths, **given}, out, "--monthly-from", change.get("monthly_from", "2025-01-01"))
    ]
    command[command.index("--as-of") + 1] = change.get("as_of", AS_OF)
    result = cli(*command)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == "" and not out.exists()
    assert not list(tmp_path.glob(".report.html.*"))


def test_records_that_do_not_fit_name_the_handbook_and_the_line(paths: dict[str, Path], tmp_path: Path) -> None:
    narrow = tmp_path / "narrow.toml"
    narrow.write_text(BASELINE.replace('id = "heroic"', 'id = "heroism"'), encoding="utf-8")
    result = cli(*args({**paths, "candidate": narrow}, tmp_path / "r.html"))
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "the records do not fit the candidate handbook (test 1):"
    assert re.fullmatch(
        rf"{re.escape(str(paths['records']))}:\d+: rule: unknown rule 'heroic' in handbook test 1", lines[1]
    )


def test_identifier_facts_agree_with_person_facts() -> None:
    rng = random.Random(5)
    codes = region_codes("37")
    people = [make_ric(rng.choice(codes), date(rng.randint(1900, 2024), rng.randint(1, 12), rng.randint(1, 28)),
                       rng.randint(0, 999)) for _ in range(400)]  # fmt: skip
    orgs = [make_uscc(rng.choice(codes), rng.randint(0, 10**8)) for _ in range(100)]
    day = date(2025, 6, 30)
    facts = identifier_facts(pl.Series([*people, *orgs, "11010519491231002X"]), day)
    for row in facts.iter_rows(named=True):
        kind = parse_subject(row["subject"]).kind
        assert row["kind"] == kind
        if kind == "organisation":
            assert row["sex"] is None and row["age_band"] is None and row["region"].endswith(f"({row['subject'][2:8]})")
            continue
        known = person_facts(row["subject"])
        age = age_on(known.birth_date, day)
        assert row["sex"] == known.sex and row["region"] == f"{known.region_name} ({known.region_code})"
        low, high = BANDS[row["age_band"]]
        assert low <= age <= high


def test_merged_grade_order_bins_and_months() -> None:
    base = make_policy()
    cand = make_policy(
        replace={
            "min = 900": 'min = 900\n[[grades]]\nname = "B-"\nmin = 850',
            'name = "A"': 'name = "AA"\nmin = 1050\n[[grades]]\nname = "A"',
        }
    )
    assert merged_grades(base, cand) == ["AA", "A", "B", "B-", "C"]
    assert [bin_width(span) for span in (100, 5000, 20000, 480000)] == [100, 100, 500, 10000]
    assert month_days(date(2025, 1, 31), date(2025, 4, 30)) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
    ]
    with pytest.raises(UserError, match="more than 120 months"):
        month_days(date(2000, 1, 1), date(2025, 1, 1))


def test_synthetic_county_with_villages_from_the_subjects_table(tmp_path: Path) -> None:
    from socialcredit.policy import load_policy
    from socialcredit.scoring.batch_io import evaluate_all

    handbook = Path(__file__).resolve().parent.parent / "policies" / "rongcheng.toml"
    county = tmp_path / "county"
    made = cli("synth", "--policy", handbook, "--people", "150", "--orgs", "10", "--months", "18", "--seed", "3",
               "--start", "2024-01-01", "--out", county)  # fmt: skip
    assert made.returncode == 0, made.stderr
    candidate = tmp_path / "candidate.toml"
    candidate.write_text(handbook.read_text(encoding="utf-8").replace("min = 960", "min = 1000", 1), encoding="utf-8")
    result = cli("simulate", "--baseline", handbook, "--candidate", candidate, "--records", county,
                 "--as-of", "2025-06-30", "--format", "json", "--top", "2")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    day = date(2025, 6, 30)
    base = evaluate_all(county, load_policy(handbook), day)
    cand = evaluate_all(county, load_policy(candidate), day)
    expected = Counter((b.grade, c.grade) for b, c in zip(base, cand, strict=True))
    assert {(t["from"], t["to"]): t["count"] for t in report["transitions"]} == expected
    assert expected[("A", "B")] > 0
    villages = report["groups"]["village"]
    assert len(villages) > 1 and sum(row["subjects"] for row in villages) == len(base)
    table = pl.read_parquet(county / "subjects.parquet")
    scored = table.filter(pl.col("subject").is_in([b.subject for b in base]))
    assert {row["group"]: row["subjects"] for row in villages} == dict(Counter(scored.get_column("village").to_list()))
    assert "village" in report["top_subjects"][0]


def test_the_candidate_rereads_the_records_unless_it_reads_them_alike(paths: dict[str, Path], tmp_path: Path) -> None:
    from socialcredit.scoring.frames import records_frame
    from socialcredit.simulate.outcomes import reads_alike

    baseline = policy(paths["baseline"])
    frame = records_frame(paths["records"], baseline)
    assert reads_alike(frame, baseline, policy(paths["candidate"]))  # points, bands, lists, measures changed
    narrowed = {
        "time zone": ('timezone = "Asia/Shanghai"', 'timezone = "Asia/Urumqi"'),
        "sources": ('legal_basis = "Test law 1"', 'legal_basis = "Test law 1"\nsources = ["police"]'),
        "subject kinds": ('legal_basis = "Test law 5"', 'legal_basis = "Test law 5"\nsubjects = ["organisation"]'),
        "documents": ('legal_basis = "Test law 7"', 'legal_basis = "Test law 7"\nrequires_document = true'),
        "range": ("points = [-50, -5]", "points = [-20, -5]"),
        "rule gone": ('id = "heroic"', 'id = "heroism"'),
    }
    for change, (old, new) in narrowed.items():
        assert old in BASELINE, change
        assert not reads_alike(frame, baseline, parse_policy(BASELINE.replace(old, new))), change
    # a narrowed candidate is read again, and its problems are reported under its name
    strict = tmp_path / "strict.toml"
    strict.write_text(BASELINE.replace(*narrowed["sources"]), encoding="utf-8")
    result = cli(*args({**paths, "candidate": strict}, tmp_path / "r.html"))
    assert result.returncode == 2 and "do not fit the candidate handbook" in result.stderr
    assert "source 's' may not report minus5 (allowed: police)" in result.stderr
    # a candidate in another time zone reads the records again, and the figures still match two evaluations
    east = tmp_path / "east.toml"
    east.write_text(BASELINE.replace(*narrowed["time zone"]), encoding="utf-8")
    report = json.loads(cli(*args({**paths, "candidate": east}, tmp_path / "e.html", "--format", "json")).stdout)
    expected = Counter((b.grade, c.grade) for b, c in pairs({**paths, "candidate": east}))
    assert {(t["from"], t["to"]): t["count"] for t in report["transitions"]} == expected


def test_given_records_a_candidate_cannot_score_name_the_candidate(paths: dict[str, Path]) -> None:
    from socialcredit.errors import RecordError
    from socialcredit.records.validate import load_records

    baseline = policy(paths["baseline"])
    narrow = parse_policy(BASELINE.replace('id = "heroic"', 'id = "heroism"'))
    population = Population.from_records(load_records(str(paths["records"]), baseline))
    with pytest.raises(RecordError) as raised:
        simulate(population, baseline, narrow, as_of=date(2025, 6, 30))
    assert raised.value.details[0] == "the records do not fit the candidate handbook (test 1):"
    assert "unknown rule 'heroic'" in raised.value.message
