"""``socialcredit scorecard train`` and ``score`` as a user runs them (subprocess), on the shipped German Credit data.

The module trains once through the CLI (``trained``: two holdout repeats instead of thirty, to stay fast) and
every test reads that model, its card or its scores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from socialcredit.scorecard import Scorecard, score_features
from socialcredit.scorecard.scaling import BANDS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "german-credit.csv"
CATEGORIES = ROOT / "data" / "german-credit.categories.toml"
TRAIN_ARGS = ["--target", "creditability", "--categories", str(CATEGORIES), "--repeats", "2", "--seed", "3"]
REMOVED = {"foreign_worker": "nationality, a protected characteristic"}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "socialcredit", *args], capture_output=True, text=True, check=False, cwd=ROOT
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("scorecard") / "german.json"
    removed = [f"--removed={name}={why}" for name, why in REMOVED.items()]
    done = cli("scorecard", "train", "--data", str(DATA), *TRAIN_ARGS, *removed, "--out", str(out), "--format", "json")
    assert done.returncode == 0, done.stderr
    return {"path": out, "summary": json.loads(done.stdout), "card": out.with_suffix(".card.md")}


@pytest.fixture(scope="module")
def scored(trained: dict[str, Any]) -> list[dict[str, Any]]:
    done = cli("scorecard", "score", "--model", str(trained["path"]), "--data", str(DATA), "--format", "json")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_train_writes_a_versioned_scorecard_and_its_card(trained: dict[str, Any]) -> None:
    model = json.loads(trained["path"].read_text())
    declared = tomllib.loads(CATEGORIES.read_text())
    assert model["format"] == "socialcredit-scorecard" and model["id"] == "german" and model["version"] == "1"
    assert (model["min_score"], model["max_score"]) == (350, 950)
    assert [(b["name"], b["min"]) for b in model["bands"]] == list(BANDS)
    assert model["characteristics"], "no characteristic kept"
    for char in model["characteristics"]:
        assert char["category"] == declared[char["name"]]
        assert all(isinstance(b["points"], int) for b in char["bins"])
        assert min(b["points"] for b in char["bins"]) == 0  # the worst bin scores 0, the rest is base points
    assert set(trained["summary"]) >= {"auc", "gini", "ks", "psi"}
    auc = trained["summary"]["auc"]
    assert auc["range_95"][0] <= auc["mean"] <= auc["range_95"][1]
    card = trained["card"].read_text()
    for heading in ("## Data", "## Features used", "## Features left out", "## Evaluation", "## The scorecard"):
        assert heading in card
    assert "| AUC |" in card and "| KS |" in card and "| PSI |" in card
    assert "`marital-status`" in card and "`nationality`" in card  # refused categories named
    assert (
        "| `foreign_worker` | removed from the data before training: nationality, a protected characteristic |" in card
    )
    umask = os.umask(0)
    os.umask(umask)
    assert trained["path"].stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary file, not a private temp file


def test_score_json_one_object_per_row_in_range_with_consistent_bands(scored: list[dict[str, Any]]) -> None:
    lowers = [lower for _, lower in BANDS]
    assert len(scored) == 1000 and [row["row"] for row in scored] == list(range(1, 1001))
    for row in scored:
        assert set(row) >= {"score", "band", "reasons", "next_band", "clamped", "model"}
        assert 350 <= row["score"] <= 950
        assert row["band"] == BANDS[int(np.searchsorted(lowers, row["score"], side="right")) - 1][0]
        assert len(row["reasons"]) <= 4
    assert len({row["score"] for row in scored}) > 50


def test_reasons_are_ranked_by_points_below_the_best_bin(trained: dict[str, Any], scored: list[dict[str, Any]]) -> None:
    model = json.loads(trained["path"].read_text())
    best = {c["name"]: max(b["points"] for b in c["bins"]) for c in model["characteristics"]}
    for row in scored:
        lost = [r["points_lost"] for r in row["reasons"]]
        assert lost == sorted(lost, reverse=True) and all(gap > 0 for gap in lost)
        for reason in row["reasons"]:
            assert reason["best_points"] == best[reason["characteristic"]]
            assert reason["points_lost"] == reason["best_points"] - reason["points"]
            assert reason["sentence"].endswith(".") and reason["improve"]
        if len(row["reasons"]) == 4:  # nothing left out had a larger gap than the fourth reason
            assert row["reasons"][3]["points_lost"] > 0


def test_every_reason_gap_is_real_when_the_characteristic_moves_to_its_best_bin(trained: dict[str, Any]) -> None:
    card = Scorecard.load(trained["path"])
    rows = pl.read_csv(DATA, infer_schema=False).head(60).rows(named=True)
    checked = 0
    for features in rows:
        result = score_features(card, features)
        for reason in result.reasons:
            table = next(t for t in card.tables if t.spec.name == reason.characteristic)
            better = score_features(card, {**features, reason.characteristic: value_in(table, table.best)})
            if not (result.clamped or better.clamped):
                assert better.score - result.score == reason.points_lost
                checked += 1
    assert checked > 20


def test_next_band_changes_reach_the_band_and_no_single_smaller_change_does(trained: dict[str, Any]) -> None:
    card = Scorecard.load(trained["path"])
    order = [name for name, _ in BANDS]
    for features in pl.read_csv(DATA, infer_schema=False).head(80).rows(named=True):
        result = score_features(card, features)
        step = result.next_band
        if step is None:
            assert result.band == "excellent"
            continue
        assert step.band == order[order.index(result.band) + 1] and step.reachable
        moved = dict(features)
        for change in step.changes:
            table = next(t for t in card.tables if t.spec.name == change.characteristic)
            moved[change.characteristic] = value_in(table, table.labels.index(change.target_bin))
        after = score_features(card, moved)
        assert after.score == step.score and order.index(after.band) >= order.index(step.band)
        singles = single_change_gains(card, features)
        enough = [gain for gain in singles if gain >= step.points_needed]
        if len(step.changes) == 1:
            assert step.changes[0].points_gained == min(enough)
        else:
            assert not enough


def test_holdout_auc_on_a_fixed_split_beats_a_weak_threshold() -> None:
    from sklearn.model_selection import train_test_split

    from socialcredit.scorecard.categories import load_category_table, plan_features
    from socialcredit.scorecard.fit import FitParams, fit
    from socialcredit.scorecard.scaling import Scaling
    from socialcredit.scorecard.train import TrainRequest, _data_info, assemble, outcome, typed_features
    from socialcredit.scorecard.validation import auc_ks

    frame = pl.read_csv(DATA, infer_schema=False)
    bad = outcome(frame, "creditability", "good", "bad", str(DATA))
    request = TrainRequest(data=DATA, target="creditability", categories=CATEGORIES)
    plan = plan_features(frame.columns, "creditability", load_category_table(CATEGORIES), [])
    features = typed_features(frame, plan, str(DATA))
    rows = np.arange(len(bad))
    train_rows, holdout_rows = train_test_split(rows, test_size=0.3, stratify=bad, random_state=11)
    fitted = fit(features[train_rows], plan.features, bad[train_rows], FitParams(), Scaling())
    card = Scorecard(assemble(request, fitted, plan, _data_info(request, frame, bad, "")))
    scores = card.score_frame(features[holdout_rows])["score"].to_numpy()
    auc, ks = auc_ks(bad[holdout_rows], scores)
    assert auc > 0.70 and ks > 0.25


def test_training_is_deterministic_for_a_seed(trained: dict[str, Any]) -> None:
    from socialcredit.scorecard.train import TrainRequest, train

    request = TrainRequest(
        data=DATA, target="creditability", categories=CATEGORIES, model_id="german", seed=3, repeats=2, removed=REMOVED
    )
    first = json.loads(trained["path"].read_text())
    second = train(request).model_dump(mode="json")
    assert first.pop("created") and second.pop("created")
    assert first == second


def test_scoring_a_file_with_a_bad_value_names_line_and_column(trained: dict[str, Any], tmp_path: Path) -> None:
    lines = DATA.read_text().splitlines()
    header = lines[0].split(",")
    column = header.index("duration_in_month")
    cells = lines[3].split(",")
    assert cells[column].isdigit()
    cells[column] = "twelve"
    bad = tmp_path / "applicants.csv"
    bad.write_text("\n".join([*lines[:3], ",".join(cells), *lines[4:6]]) + "\n")
    done = cli("scorecard", "score", "--model", str(trained["path"]), "--data", str(bad))
    assert done.returncode == 2 and done.stdout == ""
    assert "line 4, column 'duration_in_month': 'twelve' is not a number" in done.stderr


def test_scoring_a_file_without_a_characteristic_names_the_column(trained: dict[str, Any], tmp_path: Path) -> None:
    frame = pl.read_csv(DATA, infer_schema=False).head(5).drop("status_of_existing_checking_account")
    frame.write_csv(tmp_path / "less.csv")
    done = cli("scorecard", "score", "--model", str(trained["path"]), "--data", str(tmp_path / "less.csv"))
    assert done.returncode == 2 and "column 'status_of_existing_checking_account' is missing" in done.stderr


def test_a_refused_feature_stops_training_and_writes_nothing(tmp_path: Path) -> None:
    frame = pl.read_csv(DATA, infer_schema=False).with_columns(pl.lit("A").alias("ethnic_group"))
    frame.write_csv(tmp_path / "with.csv")
    out = tmp_path / "model.json"
    done = cli("scorecard", "train", "--data", str(tmp_path / "with.csv"), *TRAIN_ARGS, "--out", str(out))
    assert done.returncode == 2 and not out.exists()
    assert "ethnic_group: refused" in done.stderr and "(ethnicity)" in done.stderr
    assert "Traceback" not in done.stderr


def test_removed_takes_column_equals_why(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    done = cli("scorecard", "train", "--data", str(DATA), *TRAIN_ARGS, "--removed", "job", "--out", str(out))
    assert done.returncode == 2 and "--removed: expected COLUMN=WHY, got 'job'" in done.stderr
    assert not out.exists()


def value_in(table: Any, bin_index: int) -> Any:
    """A feature value that falls in bin ``bin_index`` of a characteristic."""
    if table.spec.kind == "categorical":
        return table.spec.bins[bin_index].values[0]
    splits = table.spec.splits
    if not splits:
        return 0
    return splits[bin_index - 1] if bin_index > 0 else splits[0] - 1


def single_change_gains(card: Scorecard, features: dict[str, Any]) -> list[int]:
    """The score gain (unclamped) of every single bin change that scores more, over all characteristics."""
    index = card.encode_features(features)
    gains = []
    for j, table in enumerate(card.tables):
        current = table.point_list[index[j]]
        gains += [p - current for p in table.point_list[: table.n_bins] if p > current]
    return gains
