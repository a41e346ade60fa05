"""How well the training procedure ranks applicants it has not seen: repeated stratified holdouts.

Each repeat fits bins and regression on 70% of the rows only (no leakage) and scores the other 30% with
the frozen, clamped integer scores, exactly as the shipped model would. Reported per metric: the mean,
the standard deviation, the 2.5–97.5 percentile range of the repeats (the spread one holdout can show), and
a normal-approximation 95% interval for the mean (narrow: the repeats share rows, so read it with care).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

HOLDOUT_SHARE = 0.3


def auc_ks(bad: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """Area under the ROC curve and Kolmogorov–Smirnov statistic of ``score`` ranking goods above bads."""
    from sklearn.metrics import roc_auc_score, roc_curve

    risk = -score.astype(np.float64)
    fpr, tpr, _ = roc_curve(bad, risk)
    return float(roc_auc_score(bad, risk)), float(np.max(tpr - fpr))


def psi(expected: np.ndarray, actual: np.ndarray, buckets: int = 10) -> float:
    """Population stability index of ``actual`` against ``expected`` over ``expected``'s quantile buckets."""
    edges = np.unique(np.quantile(expected, np.linspace(0, 1, buckets + 1)[1:-1]))
    share_e = np.bincount(np.searchsorted(edges, expected, side="right"), minlength=len(edges) + 1) / len(expected)
    share_a = np.bincount(np.searchsorted(edges, actual, side="right"), minlength=len(edges) + 1) / len(actual)
    share_e, share_a = np.maximum(share_e, 1e-4), np.maximum(share_a, 1e-4)
    return float(np.sum((share_a - share_e) * np.log(share_a / share_e)))


def summary(values: list[float]) -> dict[str, Any]:
    """Mean, sd, 2.5–97.5 percentile range and normal 95% interval of the mean of per-repeat values."""
    data = np.array(values, dtype=np.float64)
    mean, sd = float(data.mean()), float(data.std(ddof=1)) if len(data) > 1 else 0.0
    half = 1.959964 * sd / math.sqrt(len(data))
    low, high = np.percentile(data, [2.5, 97.5])
    return {
        "mean": round(mean, 4),
        "sd": round(sd, 4),
        "range_95": [round(float(low), 4), round(float(high), 4)],
        "mean_ci_95": [round(mean - half, 4), round(mean + half, 4)],
        "min": round(float(data.min()), 4),
        "max": round(float(data.max()), 4),
    }


ScoreSplit = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, list[str]]]


def repeated_holdout(
    bad: np.ndarray, score_split: ScoreSplit, repeats: int, seed: int, step: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Run ``score_split(train_rows, holdout_rows) → (train scores, holdout scores, characteristics)``."""
    from sklearn.model_selection import StratifiedShuffleSplit

    splits = StratifiedShuffleSplit(n_splits=repeats, test_size=HOLDOUT_SHARE, random_state=seed)
    results: dict[str, list[float]] = {"auc": [], "gini": [], "ks": [], "psi": []}
    used: dict[str, int] = {}
    for train_rows, holdout_rows in splits.split(np.zeros(len(bad)), bad):
        train_scores, holdout_scores, names = score_split(train_rows, holdout_rows)
        auc, ks = auc_ks(bad[holdout_rows], holdout_scores)
        results["auc"].append(auc)
        results["gini"].append(2 * auc - 1)
        results["ks"].append(ks)
        results["psi"].append(psi(train_scores, holdout_scores))
        for name in names:
            used[name] = used.get(name, 0) + 1
        if step:
            step()
    report: dict[str, Any] = {name: summary(values) for name, values in results.items()}
    report["auc"]["values"] = [round(v, 4) for v in results["auc"]]
    report.update(repeats=repeats, seed=seed, holdout_share=HOLDOUT_SHARE, characteristic_use=used)
    return report
