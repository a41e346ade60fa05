"""Scorecard targets (issue 8): holdout AUC over repeated 70/30 splits, batch and single-applicant scoring speed.

- AUC: the training procedure on the shipped German Credit data, 30 random stratified 70/30 splits (target: mean
  ≥ 0.76), with its spread; the same figures the model card reports.
- Batch: ``Scorecard.score_frame`` (encode, points, clamp, band, four ranked reasons, points to the next band) over
  the 1,000 applicants tiled to ``--rows`` rows (target: ≥ 100,000 applicants/s); and the full explanation with
  sentences and the next-band plan (what ``scorecard score --format json`` prints), for reference.
- One applicant: ``score_features`` on each of the 1,000 applicants, median and 99th percentile (target: < 1 ms).

Run: python -m bench.bench_scorecard [--repeats 30] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import polars as pl

from socialcredit.scorecard import Scorecard, score_features
from socialcredit.scorecard.explain import explain_rows
from socialcredit.scorecard.train import TrainRequest, train

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "german-credit.csv"
CATEGORIES = ROOT / "data" / "german-credit.categories.toml"


def holdout_auc(repeats: int, seed: int) -> tuple[Scorecard, dict[str, Any], float]:
    """Train on the shipped data with ``repeats`` holdout splits; the card, its evaluation and the seconds taken."""
    start = time.perf_counter()
    spec = train(TrainRequest(data=DATA, target="creditability", categories=CATEGORIES, seed=seed, repeats=repeats))
    return Scorecard(spec), spec.evaluation, time.perf_counter() - start


def batch_rate(card: Scorecard, frame: pl.DataFrame, rows: int) -> float:
    """Applicants per second through ``score_frame`` (best of three)."""
    big = pl.concat([frame] * max(1, rows // frame.height))
    best = min(_seconds(lambda: card.score_frame(big)) for _ in range(3))
    return big.height / best


def explained_rate(card: Scorecard, frame: pl.DataFrame, rows: int = 20_000) -> float:
    """Applicants per second with the full explanation as JSON-ready dicts (best of three)."""
    big = pl.concat([frame] * max(1, rows // frame.height))

    def run() -> None:
        scored = card.score_index(card.encode_frame(big))
        for result in explain_rows(card, scored, big):
            result.model_dump(mode="json")

    return big.height / min(_seconds(run) for _ in range(3))


def single_latency(card: Scorecard, frame: pl.DataFrame) -> tuple[float, float]:
    """Median and 99th-percentile milliseconds of ``score_features`` for one applicant."""
    applicants = frame.rows(named=True)
    for features in applicants[:50]:
        score_features(card, features)
    times = []
    for features in applicants:
        start = time.perf_counter()
        score_features(card, features)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=30, help="random 70/30 splits (default 30)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rows", type=int, default=1_000_000, help="applicants in the batch run")
    args = parser.parse_args(argv)
    card, evaluation, train_seconds = holdout_auc(args.repeats, args.seed)
    frame = pl.read_csv(DATA, infer_schema=False)
    rate = batch_rate(card, frame, args.rows)
    explained = explained_rate(card, frame)
    median_ms, p99_ms = single_latency(card, frame)
    auc, ks, psi = evaluation["auc"], evaluation["ks"], evaluation["psi"]
    print(f"training + {args.repeats} holdout splits: {train_seconds:.1f} s")
    print(
        f"holdout AUC over {args.repeats} random 70/30 splits: mean {auc['mean']:.3f}, sd {auc['sd']:.3f}, "
        f"95% of splits {auc['range_95'][0]:.3f}–{auc['range_95'][1]:.3f}, min–max {auc['min']:.3f}–{auc['max']:.3f} "
        f"(target mean ≥ 0.76: {'met' if auc['mean'] >= 0.76 else 'NOT met'})"
    )
    gini = evaluation["gini"]
    print(f"Gini mean {gini['mean']:.3f}; KS mean {ks['mean']:.3f} (sd {ks['sd']:.3f}); PSI mean {psi['mean']:.3f}")
    print(f"batch score_frame: {rate:,.0f} applicants/s (target ≥ 100,000: {'met' if rate >= 100_000 else 'NOT met'})")
    print(f"batch with sentences and next-band plans: {explained:,.0f} applicants/s")
    print(
        f"one applicant (score_features): median {median_ms:.3f} ms, p99 {p99_ms:.3f} ms "
        f"(target < 1 ms: {'met' if p99_ms < 1 else 'NOT met'})"
    )
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    return {
        "auc_mean": auc["mean"],
        "auc_sd": auc["sd"],
        "batch_per_s": rate,
        "explained_per_s": explained,
        "single_median_ms": median_ms,
        "single_p99_ms": p99_ms,
    }


def _seconds(work: Any) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
