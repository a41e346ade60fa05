"""The scorecard without training: scaling, clamping, bands, reasons, the next-band plan, the refusals, the
input errors, and the shipped German Credit model with its card.

``tiny(points)`` builds a one-characteristic scorecard by hand (``x`` numeric, bins split at 1, 2, 3, …) whose
bin ``i`` scores ``points[i]`` on top of ``base`` points, so raw totals and bands are known exactly.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from socialcredit.errors import InvalidInput, RefusedByDesign, UserError
from socialcredit.scorecard import Scorecard, ScoreResult, score_features
from socialcredit.scorecard.categories import load_category_table, plan_features, protected_by_name
from socialcredit.scorecard.nextband import Step, plan
from socialcredit.scorecard.scaling import BANDS, Scaling
from socialcredit.scorecard.table import file_sha256
from socialcredit.scorecard.train import TrainRequest, train

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "german-credit.csv"
CATEGORIES = ROOT / "data" / "german-credit.categories.toml"
SHIPPED = ROOT / "models" / "german-credit.json"


def characteristic(name: str, points: list[int], code: str = "R01") -> dict[str, Any]:
    return {
        "name": name,
        "category": "commitments",
        "reason_code": code,
        "kind": "numeric",
        "coefficient": -1.0,
        "iv": 0.1,
        "splits": [float(i) for i in range(1, len(points))],
        "bins": [{"label": f"bin {i}", "points": p} for i, p in enumerate(points)],
        "missing": {"label": "missing", "points": 0},
        "unseen": {"label": "a value not seen in training", "points": 0},
    }


def tiny(points: list[int], base: int = 0, more: list[dict[str, Any]] | None = None) -> Scorecard:
    return Scorecard.from_dict(
        {
            "id": "tiny",
            "version": "1",
            "created": "2026-01-01T00:00:00Z",
            "data": {"file": "t.csv", "rows": 1, "sha256": "", "target": "y", "good": "g", "bad": "b", "bad_rate": 0.5},
            "parameters": {},
            "base_points": base,
            "min_score": 350,
            "max_score": 950,
            "bands": [{"name": name, "min": lower} for name, lower in BANDS],
            "characteristics": [characteristic("x", points), *(more or [])],
        }
    )


# --- scaling ---------------------------------------------------------------------------------------------------


def test_default_scaling_puts_600_at_odds_19_and_50_points_double_the_odds() -> None:
    scaling = Scaling()
    assert scaling.points(math.log(19)) == pytest.approx(600)
    assert scaling.points(math.log(38)) == pytest.approx(650)
    assert scaling.points(math.log(19 / 2)) == pytest.approx(550)
    assert scaling.factor == pytest.approx(50 / math.log(2))


def test_scaling_is_configurable_and_checked() -> None:
    scaling = Scaling(base_points=500, base_odds=50, pdo=20)
    assert scaling.points(math.log(50)) == pytest.approx(500)
    assert scaling.points(math.log(400)) == pytest.approx(560)  # three doublings
    with pytest.raises(UserError, match="pdo"):
        Scaling(pdo=0)
    with pytest.raises(UserError, match="base points 300"):
        Scaling(base_points=300)


def test_shipped_scores_are_the_scaled_log_odds_of_the_regression() -> None:
    spec = json.loads(SHIPPED.read_text())
    scaling = spec["parameters"]["scaling"]
    card = Scorecard.load(SHIPPED)
    frame = pl.read_csv(DATA, infer_schema=False)
    index = card.encode_frame(frame)
    woe = np.stack(
        [np.array([b["woe"] for b in [*c["bins"], c["missing"], c["unseen"]]])[index[:, j]]
         for j, c in enumerate(spec["characteristics"])], axis=1,
    )  # fmt: skip
    beta = np.array([c["coefficient"] for c in spec["characteristics"]])
    log_odds_good = -(spec["parameters"]["intercept"] + woe @ beta)
    exact = scaling["offset"] + scaling["factor"] * log_odds_good
    raw = card.score_index(index).raw
    assert np.all(np.abs(raw - exact) <= (len(beta) + 1) / 2)  # each bin and the base are rounded once
    assert np.corrcoef(raw, exact)[0, 1] > 0.999


# --- clamping, bands, reasons ----------------------------------------------------------------------------------


def test_scores_are_clamped_to_350_950_and_banded_like_sesame() -> None:
    card = tiny([100, 349, 350, 549, 550, 599, 600, 649, 650, 699, 700, 950, 1400])
    expected = [
        (350, "poor", True), (350, "poor", True), (350, "poor", False), (549, "poor", False), (550, "fair", False),
        (599, "fair", False), (600, "good", False), (649, "good", False), (650, "very good", False),
        (699, "very good", False), (700, "excellent", False), (950, "excellent", False), (950, "excellent", True),
    ]  # fmt: skip
    got = [score_features(card, {"x": i + 0.5}) for i in range(13)]
    assert [(r.score, r.band, r.clamped) for r in got] == expected
    frame = card.score_frame(pl.DataFrame({"x": [i + 0.5 for i in range(13)]}))
    assert frame["score"].to_list() == [score for score, _, _ in expected]
    assert frame["points_to_next_band"].to_list()[:3] == [450, 201, 200]  # from the raw, unclamped total
    assert frame["points_to_next_band"][12] is None


def test_reasons_rank_points_below_the_best_bin_and_skip_characteristics_at_their_best() -> None:
    more = [
        characteristic("y", [0, 40, 10], "R02"),  # best 40 (not the last bin)
        characteristic("z", [0, 60], "R03"),
        characteristic("w", [0, 5], "R04"),
        characteristic("v", [0, 30], "R05"),
    ]
    card = tiny([0, 100], base=500, more=more)
    result = score_features(card, {"x": 0, "y": 2.5, "z": 0, "w": 1, "v": 0})
    assert [(r.code, r.points_lost) for r in result.reasons] == [("R01", 100), ("R03", 60), ("R02", 30), ("R05", 30)]
    first = result.reasons[0]
    assert (first.bin, first.best_bin, first.points, first.best_points) == ("bin 0", "bin 1", 0, 100)
    assert first.sentence == "X is 0 (bin 0), which scores 0 points: 100 fewer than the best, bin 1."
    assert first.improve == "X: bin 1 would score 100 points more."
    assert score_features(card, {"x": 5, "y": 1, "z": 1, "w": 1, "v": 1}).reasons == []


def test_missing_and_unseen_values_score_their_own_bins() -> None:
    card = Scorecard.load(SHIPPED)
    features = pl.read_csv(DATA, infer_schema=False).row(0, named=True)
    missing = score_features(card, {**features, "purpose": None, "duration_in_month": ""})
    by_code = {r.characteristic: r for r in missing.reasons}
    assert by_code["duration_in_month"].bin == "missing" and by_code["duration_in_month"].points == 0
    assert by_code["purpose"].bin == "missing" and by_code["purpose"].value is None
    unseen = score_features(card, {**features, "purpose": "space travel"})
    assert next(r for r in unseen.reasons if r.characteristic == "purpose").bin == "a value not seen in training"


def test_one_applicants_result_has_the_api_shape_and_names_the_model() -> None:
    card = Scorecard.load(SHIPPED)
    result = score_features(card, pl.read_csv(DATA, infer_schema=False).row(0, named=True))
    assert isinstance(result, ScoreResult)
    body = result.model_dump(mode="json")
    assert set(body) == {"score", "band", "clamped", "reasons", "next_band", "model"}
    assert set(body["reasons"][0]) >= {"code", "characteristic", "points_lost", "sentence", "improve"}
    text = json.dumps(json.loads(SHIPPED.read_text()), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert body["model"] == {
        "id": "german-credit",
        "version": "2026.1",
        "hash": hashlib.sha256(text.encode()).hexdigest(),
    }


def test_bad_features_are_errors_naming_the_feature() -> None:
    card = Scorecard.load(SHIPPED)
    features = pl.read_csv(DATA, infer_schema=False).row(0, named=True)
    with pytest.raises(InvalidInput) as missing:
        score_features(card, {k: v for k, v in features.items() if k != "credit_amount"})
    assert missing.value.details == ["feature 'credit_amount' is missing"]
    with pytest.raises(InvalidInput, match="feature 'credit_amount': 'lots' is not a number"):
        score_features(card, {**features, "credit_amount": "lots"})
    with pytest.raises(InvalidInput, match="feature 'age_in_years': True is not a number"):
        score_features(card, {**features, "age_in_years": True})


# --- the next band ---------------------------------------------------------------------------------------------


def test_plan_takes_the_cheapest_single_change_when_one_is_enough() -> None:
    options = [[(10, 1), (30, 2)], [(25, 1)], []]
    assert plan(options, 20) == [Step(1, 1, 25)]
    assert plan(options, 26) == [Step(0, 2, 30)]
    assert plan(options, 10) == [Step(0, 1, 10)]


def test_plan_uses_the_fewest_characteristics_then_shrinks_the_steps() -> None:
    assert plan([[(10, 1), (30, 2)], [(25, 1)], []], 40) == [Step(0, 2, 30), Step(1, 1, 25)]
    assert plan([[(25, 1), (40, 2)], [(30, 1)]], 50) == [Step(0, 1, 25), Step(1, 1, 30)]
    assert plan([[(10, 1), (30, 2)], [(25, 1)], []], 56) is None


def test_next_band_is_none_at_the_top_and_says_when_out_of_reach() -> None:
    assert score_features(tiny([700, 800]), {"x": 0}).next_band is None
    stuck = score_features(tiny([0, 100]), {"x": 0}).next_band
    assert stuck is not None and not stuck.reachable and stuck.changes == []
    assert "needs 550 more points" in stuck.sentence and "adds 100" in stuck.sentence
    way = score_features(tiny([500, 560], base=0), {"x": 0}).next_band
    assert way is not None and way.reachable and way.score == 560 and way.points_needed == 50
    assert [(c.current_bin, c.target_bin, c.points_gained) for c in way.changes] == [("bin 0", "bin 1", 60)]


# --- what may be trained on --------------------------------------------------------------------------------------


def test_protected_names_are_recognised() -> None:
    assert protected_by_name("personal_status_and_sex") == "marital-status"
    assert protected_by_name("foreign_worker") == "nationality"
    assert protected_by_name("Gender") == "sex"
    assert protected_by_name("religion_code") == "religion"
    assert protected_by_name("duration_in_month") is None
    assert protected_by_name("essex_branch") is None


def test_refused_by_name_whatever_the_table_declares() -> None:
    columns = ["duration_in_month", "personal_status_and_sex", "y"]
    table = {"duration_in_month": "commitments", "personal_status_and_sex": "registration"}
    with pytest.raises(RefusedByDesign) as error:
        plan_features(columns, "y", table, [])
    assert error.value.details[0].startswith("personal_status_and_sex: refused — its name shows a protected")
    assert "declares 'registration'" in error.value.details[0]
    assert plan_features(columns, "y", table, ["personal_status_and_sex"]).features == {
        "duration_in_month": "commitments"
    }


def test_refused_by_the_category_table() -> None:
    for category in ("relationships", "relatives", "ethnicity", "religion", "health", "political"):
        with pytest.raises(RefusedByDesign) as error:
            plan_features(["friends_score", "y"], "y", {"friends_score": category}, [])
        assert error.value.details[0].startswith(f"friends_score: refused — category '{category}': ")


def test_every_feature_needs_a_known_category() -> None:
    with pytest.raises(InvalidInput) as error:
        plan_features(["a", "b", "c", "y"], "y", {"a": "tax", "c": "horoscope"}, [], "cats.toml")
    assert error.value.details == [
        "b: no category in cats.toml; every feature needs one (or --exclude it)",
        "c: unknown category 'horoscope'; allowed: " + error.value.details[1].split("allowed: ")[1],
    ]
    with pytest.raises(UserError, match="--exclude: no column named 'nope'"):
        plan_features(["a", "y"], "y", {"a": "tax"}, ["nope"])


def test_training_without_a_category_for_a_column_names_it(tmp_path: Path) -> None:
    table = tmp_path / "cats.toml"
    table.write_text("\n".join(line for line in CATEGORIES.read_text().splitlines() if not line.startswith("job ")))
    with pytest.raises(InvalidInput) as error:
        train(TrainRequest(data=DATA, target="creditability", categories=table))
    assert error.value.details == [f"job: no category in {table}; every feature needs one (or --exclude it)"]


def test_removed_must_name_a_column_not_in_the_data() -> None:
    with pytest.raises(UserError, match="--removed: 'job' is in the data; drop it with --exclude instead"):
        train(TrainRequest(data=DATA, target="creditability", categories=CATEGORIES, removed={"job": "not needed"}))


def test_a_category_table_that_is_not_flat_strings_is_an_error(tmp_path: Path) -> None:
    table = tmp_path / "cats.toml"
    table.write_text('a = "tax"\nb = 3\n')
    with pytest.raises(InvalidInput) as error:
        load_category_table(table)
    assert error.value.details == [f"{table}: b: category must be a string, got int"]
    table.write_text("a = \n")
    with pytest.raises(InvalidInput, match="not valid TOML"):
        load_category_table(table)


# --- bad training data -----------------------------------------------------------------------------------------


def test_bad_outcome_and_number_cells_name_line_and_column(tmp_path: Path) -> None:
    frame = pl.read_csv(DATA, infer_schema=False).head(200)
    broken = frame.with_columns(pl.when(pl.int_range(pl.len()) == 6).then(pl.lit("maybe"))
                                .otherwise(pl.col("creditability")).alias("creditability"))  # fmt: skip
    broken.write_csv(tmp_path / "target.csv")
    with pytest.raises(InvalidInput, match=r"line 8, column 'creditability': 'maybe' is neither 'good' nor 'bad'"):
        train(TrainRequest(data=tmp_path / "target.csv", target="creditability", categories=CATEGORIES))
    typo = frame.with_columns(pl.when(pl.int_range(pl.len()) == 41).then(pl.lit("4O"))
                              .otherwise(pl.col("age_in_years")).alias("age_in_years"))  # fmt: skip
    typo.write_csv(tmp_path / "typo.csv")
    with pytest.raises(InvalidInput, match=r"line 43, column 'age_in_years': '4O' is not a number"):
        train(TrainRequest(data=tmp_path / "typo.csv", target="creditability", categories=CATEGORIES))
    with pytest.raises(InvalidInput, match="target column 'outcome' is missing"):
        train(TrainRequest(data=tmp_path / "typo.csv", target="outcome", categories=CATEGORIES))


def test_too_few_rows_and_unreadable_files_are_errors(tmp_path: Path) -> None:
    pl.read_csv(DATA, infer_schema=False).head(12).write_csv(tmp_path / "few.csv")
    with pytest.raises(InvalidInput, match="too few rows to train"):
        train(TrainRequest(data=tmp_path / "few.csv", target="creditability", categories=CATEGORIES))
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n")
    with pytest.raises(InvalidInput, match=r"ragged\.csv: line 3: 2 fields, the header has 3"):
        train(TrainRequest(data=ragged, target="c", categories=CATEGORIES))
    with pytest.raises(UserError, match=r"unknown file type '\.xlsx'"):
        train(TrainRequest(data=tmp_path / "a.xlsx", target="c", categories=CATEGORIES))


# --- the shipped model -------------------------------------------------------------------------------------------


def test_shipped_model_is_trained_on_the_shipped_data_and_meets_the_auc_target() -> None:
    spec = json.loads(SHIPPED.read_text())
    assert spec["data"]["sha256"] == file_sha256(DATA) and spec["data"]["rows"] == 1000
    assert spec["data"]["bad_rate"] == 0.3
    evaluation = spec["evaluation"]
    assert evaluation["repeats"] == 30 and evaluation["holdout_share"] == 0.3
    assert evaluation["auc"]["mean"] >= 0.76 and len(evaluation["auc"]["values"]) == 30
    declared = load_category_table(CATEGORIES)
    assert spec["parameters"]["categories"] == declared
    assert all(declared[c["name"]] == c["category"] for c in spec["characteristics"])
    removed = {"personal_status_and_sex", "foreign_worker"}
    assert {c["name"] for c in spec["characteristics"]} | set(spec["excluded"]) == set(declared) | removed
    assert all(spec["excluded"][name].startswith("removed from the data before training") for name in removed)


def test_shipped_data_leaves_out_the_protected_columns_and_the_card_says_so() -> None:
    frame = pl.read_csv(DATA, infer_schema=False)
    assert frame.shape == (1000, 19)
    assert "personal_status_and_sex" not in frame.columns and "foreign_worker" not in frame.columns
    assert frame["creditability"].value_counts().sort("creditability").rows() == [("bad", 300), ("good", 700)]
    card = (ROOT / "docs" / "scorecard-model-card.md").read_text()
    assert "personal_status_and_sex" in card and "foreign_worker" in card
    assert Scorecard.load(SHIPPED).ref.hash in card  # the card describes this very model file


def test_csv_parquet_and_json_lines_score_alike(tmp_path: Path) -> None:
    from socialcredit.scorecard.table import read_table

    card = Scorecard.load(SHIPPED)
    typed = pl.read_csv(DATA).head(300)  # numbers as integers, as Parquet and JSON Lines carry them
    typed.write_parquet(tmp_path / "a.parquet")
    typed.write_ndjson(tmp_path / "a.jsonl")
    expected = card.score_frame(read_table(DATA).head(300))
    for name in ("a.parquet", "a.jsonl"):
        assert card.score_frame(read_table(tmp_path / name)).equals(expected)
    broken = typed.with_columns(pl.col("age_in_years").cast(pl.String).replace("67", "sixty-seven"))
    broken.write_ndjson(tmp_path / "b.jsonl")
    with pytest.raises(InvalidInput, match=r"b\.jsonl: line 1, column 'age_in_years': 'sixty-seven' is not a number"):
        card.score_frame(read_table(tmp_path / "b.jsonl"), str(tmp_path / "b.jsonl"))
