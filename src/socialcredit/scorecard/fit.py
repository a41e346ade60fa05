"""Fit one scorecard: optimal monotonic binning (optbinning), then logistic regression on the bins' WoE.

Points follow the scaling: a characteristic's bin scores −factor · coefficient · WoE, shifted so that its
lowest bin scores 0 (the shift goes to the base points). A missing value scores its own bin when
training saw missing values, else 0, like a category never seen in training: leaving a value out never
gains points. Characteristics with too little information
value, or whose coefficient comes out with the wrong sign, are dropped, with the reason recorded.
"""

from __future__ import annotations

import itertools
import logging
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from socialcredit.errors import UserError
from socialcredit.scorecard.scaling import Scaling
from socialcredit.scorecard.spec import Bin, Characteristic


@dataclass(frozen=True)
class FitParams:
    """Binning and regression settings (recorded in the model file)."""

    min_iv: float = 0.02
    regularisation_c: float = 1.0
    max_n_prebins: int = 20
    min_prebin_size: float = 0.05
    monotonic_trend: str = "auto_asc_desc"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Fitted:
    characteristics: list[Characteristic]
    base_points: int
    intercept: float
    dropped: dict[str, str] = field(default_factory=dict)


def fit(
    frame: pl.DataFrame, categories: dict[str, str], bad: np.ndarray, params: FitParams, scaling: Scaling
) -> Fitted:
    """Fit on ``frame`` (typed feature columns: Float64 or String) and the 0/1 ``bad`` outcome."""
    from sklearn.linear_model import LogisticRegression

    from socialcredit.scorecard.model import Table

    binned = {name: _bin(frame[name], bad, params) for name in categories}
    dropped = {
        name: f"information value {c.iv:.3f} below the minimum {params.min_iv}"
        for name, c in binned.items()
        if c.iv < params.min_iv
    }
    used = [name for name in binned if name not in dropped]
    woe = {name: _woe_column(Table.build(binned[name]), frame[name]) for name in used}
    while True:
        if not used:
            why = "; ".join(f"{name}: {reason}" for name, reason in dropped.items())
            raise UserError(f"no characteristic left to fit a scorecard: {why}")
        model = LogisticRegression(C=params.regularisation_c, max_iter=1000)
        model.fit(np.column_stack([woe[name] for name in used]), bad)
        coefficients = dict(zip(used, model.coef_[0].tolist(), strict=True))
        wrong = [name for name in used if coefficients[name] > 0]
        if not wrong:
            break
        worst = max(wrong, key=lambda name: coefficients[name])
        dropped[worst] = f"coefficient {coefficients[worst]:+.3f} has the wrong sign next to the others"
        used.remove(worst)
    characteristics, base = _points(
        [binned[name] for name in used], coefficients, float(model.intercept_[0]), scaling, categories
    )
    return Fitted(characteristics, base, float(model.intercept_[0]), dropped)


def _bin(series: pl.Series, bad: np.ndarray, params: FitParams) -> Characteristic:
    """Optimal monotonic bins of one column, as a characteristic with WoE (points still 0)."""
    optimal_binning = _optbinning()
    numeric = series.dtype == pl.Float64
    values = series.to_numpy() if numeric else np.array(series.to_list(), dtype=object)
    binner = optimal_binning(
        name=series.name,
        dtype="numerical" if numeric else "categorical",
        monotonic_trend=params.monotonic_trend,
        max_n_prebins=params.max_n_prebins,
        min_prebin_size=params.min_prebin_size,
    ).fit(values, bad)
    with warnings.catch_warnings():  # optbinning's own pandas use, not ours
        warnings.simplefilter("ignore", DeprecationWarning)
        table = binner.binning_table.build()
    rows = [table.iloc[i] for i in range(len(table) - 1)]  # drop "Totals"
    regular, missing = rows[:-2], rows[-1]
    splits = [float(s) for s in binner.splits] if numeric else []
    groups = [] if numeric else [sorted(str(v) for v in group) for group in binner.splits]
    labels = _numeric_labels(splits) if numeric else [_set_label(g) for g in groups]
    bins = [
        Bin(
            label=labels[i],
            points=0,
            woe=float(row["WoE"]),
            count=int(row["Count"]),
            bad_rate=float(row["Event rate"]),
            values=None if numeric else groups[i],
        )
        for i, row in enumerate(regular)
    ]
    missing_bin = Bin(
        label="missing",
        points=0,
        woe=float(missing["WoE"]),
        count=int(missing["Count"]),
        bad_rate=float(missing["Event rate"]) if int(missing["Count"]) else None,
    )
    return Characteristic(
        name=series.name,
        category="",
        reason_code="",
        kind="numeric" if numeric else "categorical",
        coefficient=0.0,
        iv=float(binner.binning_table.iv),
        splits=splits,
        bins=bins,
        missing=missing_bin,
        unseen=Bin(label="a value not seen in training", points=0),
    )


def _woe_column(table: Any, series: pl.Series) -> np.ndarray:
    woe = np.array([b.woe for b in (*table.spec.bins, table.spec.missing, table.spec.unseen)])
    return woe[table.encode(series, "training data")]


def _points(
    binned: list[Characteristic],
    coefficients: dict[str, float],
    intercept: float,
    scaling: Scaling,
    categories: dict[str, str],
) -> tuple[list[Characteristic], int]:
    base = scaling.offset - scaling.factor * intercept
    out = []
    for number, char in enumerate(binned, start=1):
        beta = coefficients[char.name]
        seen = [*char.bins, char.missing] if char.missing.count else list(char.bins)
        raw = [-scaling.factor * beta * b.woe for b in seen]
        shift = min(raw)
        base += shift
        scored = [b.model_copy(update={"points": round(p - shift)}) for b, p in zip(seen, raw, strict=True)]
        if not char.missing.count:  # no evidence, no credit: the lowest points, never a free average
            scored.append(char.missing.model_copy(update={"points": 0}))
        scored.append(char.unseen.model_copy(update={"points": 0}))
        out.append(
            char.model_copy(
                update={
                    "category": categories[char.name],
                    "reason_code": f"R{number:02d}",
                    "coefficient": beta,
                    "bins": scored[:-2],
                    "missing": scored[-2],
                    "unseen": scored[-1],
                }
            )
        )
    return out, round(base)


def _numeric_labels(splits: list[float]) -> list[str]:
    if not splits:
        return ["any value"]
    edges = [f"{s:g}" for s in splits]
    middle = [f"{a} to under {b}" for a, b in itertools.pairwise(edges)]
    return [f"under {edges[0]}", *middle, f"{edges[-1]} or more"]


def _set_label(values: list[str]) -> str:
    quoted = [f'"{v}"' for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


def _quiet_solver_probe(record: logging.LogRecord) -> bool:
    return "importing solver" not in record.getMessage()


def _optbinning() -> Any:
    """``OptimalBinning``, without cvxpy's start-up warning about optional solvers it cannot load."""
    logger = logging.getLogger("__cvxpy__")
    if _quiet_solver_probe not in logger.filters:
        logger.addFilter(_quiet_solver_probe)
    from optbinning import OptimalBinning

    return OptimalBinning
