"""The model card: a Markdown page written next to the model, for people who must judge it."""

from __future__ import annotations

from typing import Any

from socialcredit.policy.categories import REFUSED_CATEGORIES
from socialcredit.scorecard.explain import characteristic_label
from socialcredit.scorecard.model import model_hash
from socialcredit.scorecard.spec import Characteristic, ScorecardFile

PSI_READING = "below 0.10 stable; 0.10–0.25 a moderate shift; above 0.25 a large shift"


def render_card(spec: ScorecardFile) -> str:
    """The whole card."""
    parts = [
        f"# Model card: {spec.id} (version {spec.version})\n",
        "A behavioural credit scorecard on the 350–950 scale, with reason codes. Scores rank applicants by the "
        "odds that they repay; every point comes from a published table below.\n",
        _data(spec),
        _features(spec),
        _excluded(spec),
        _evaluation(spec),
        _scaling(spec),
        _points(spec),
        _limits(spec),
    ]
    return "\n".join(parts)


def _table(head: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _data(spec: ScorecardFile) -> str:
    d = spec.data
    lines = [
        "## Data\n",
        f"- File: `{d.file}`, {d.rows} rows, SHA-256 `{d.sha256}`",
        f"- Outcome: column `{d.target}`, `{d.good}` / `{d.bad}`; bad rate {d.bad_rate:.1%}",
        f"- Trained: {spec.created.isoformat()}; file format `{spec.format}` version {spec.format_version}",
        f"- Model SHA-256 (canonical JSON, as every score names it): `{model_hash(spec)}`",
        *(f"- {note}" for note in d.notes),
    ]
    return "\n".join(lines) + "\n"


def _features(spec: ScorecardFile) -> str:
    rows = [
        [
            c.reason_code,
            f"`{c.name}`",
            c.category,
            c.kind,
            len(c.bins),
            f"{c.iv:.3f}",
            f"{c.coefficient:+.3f}",
            _range(c),
        ]
        for c in spec.characteristics
    ]
    head = ["code", "characteristic", "category", "kind", "bins", "IV", "coefficient", "points"]
    return "## Features used\n\n" + _table(head, rows)


def _excluded(spec: ScorecardFile) -> str:
    refused = (
        "Refused by design, whatever the data holds: features in the categories "
        + ", ".join(f"`{name}`" for name in REFUSED_CATEGORIES)
        + ", and columns whose names show such a characteristic (sex, marital status, nationality, ethnicity, "
        "religion, health, …). Training stops with an error naming them; none can be in this model. "
        "Every feature was declared with a category from the whitelist (column *category* above).\n"
    )
    if not spec.excluded:
        return f"## Features left out\n\n{refused}\nNo other column was left out.\n"
    rows = [[f"`{name}`", why] for name, why in spec.excluded.items()]
    return f"## Features left out\n\n{refused}\nColumns of the data left out of this model:\n\n" + _table(
        ["column", "why"], rows
    )


def _evaluation(spec: ScorecardFile) -> str:
    e = spec.evaluation
    if not e:
        return "## Evaluation\n\nNot evaluated.\n"
    rows = [
        [
            name,
            f"{m['mean']:.3f}",
            f"{m['sd']:.3f}",
            _pair(m["range_95"]),
            _pair(m["mean_ci_95"]),
            _pair([m["min"], m["max"]]),
        ]
        for name, m in (("AUC", e["auc"]), ("Gini", e["gini"]), ("KS", e["ks"]), ("PSI", e["psi"]))
    ]
    head = ["metric", "mean", "sd", "95% of repeats", "95% CI of mean", "min–max"]
    text = (
        f"## Evaluation\n\n{e['repeats']} random stratified splits (seed {e['seed']}): bins and regression fitted on "
        f"{1 - e['holdout_share']:.0%} of the rows each time, the other {e['holdout_share']:.0%} scored with the "
        "clamped integer scores. PSI compares the holdout score distribution with the training one "
        f"(ten training-score deciles; {PSI_READING}).\n\n" + _table(head, rows)
    )
    use = e.get("characteristic_use", {})
    if use:
        chosen = ", ".join(f"`{name}` {count}" for name, count in sorted(use.items(), key=lambda kv: -kv[1]))
        text += f"\nCharacteristics kept per repeat (of {e['repeats']}): {chosen}.\n"
    bands = e.get("bands_on_training_data")
    if bands:
        rows = [
            [b["band"], b["count"], f"{b['share']:.1%}", "–" if b["bad_rate"] is None else f"{b['bad_rate']:.1%}"]
            for b in bands
        ]
        text += "\nThe final model on its own training rows:\n\n" + _table(
            ["band", "applicants", "share", "bad rate"], rows
        )
    return text


def _scaling(spec: ScorecardFile) -> str:
    s = spec.parameters["scaling"]
    bands = spec.bands
    spans = [
        f"{b.name} {b.min}–{bands[i + 1].min if i + 1 < len(bands) else spec.max_score}" for i, b in enumerate(bands)
    ]
    return (
        "## Scaling\n\n"
        "score = offset + factor · ln(good:bad odds), factor = pdo / ln 2 = "
        f"{s['factor']:.4f}, offset = {s['offset']:.4f}: {s['base_points']:g} points at odds {s['base_odds']:g}:1, "
        f"{s['pdo']:g} points to double the odds. Base points {spec.base_points}; scores are clamped to "
        f"{spec.min_score}–{spec.max_score}. Bands (lower bound inclusive): {', '.join(spans)}.\n\n"
        "Binning and regression: "
        + ", ".join(f"{key} = {value}" for key, value in spec.parameters["fit"].items())
        + ".\n"
    )


def _points(spec: ScorecardFile) -> str:
    rows = []
    for c in spec.characteristics:
        for b in c.bins:
            rate = "–" if b.bad_rate is None else f"{b.bad_rate:.1%}"
            rows.append([c.reason_code, characteristic_label(c.name), b.label, b.count, rate, b.points])
        rate = "–" if c.missing.bad_rate is None else f"{c.missing.bad_rate:.1%}"
        rows.append([c.reason_code, characteristic_label(c.name), "missing", c.missing.count, rate, c.missing.points])
        if c.kind == "categorical":
            rows.append(
                [c.reason_code, characteristic_label(c.name), "a value not seen in training", 0, "–", c.unseen.points]
            )
    head = ["code", "characteristic", "bin", "applicants", "bad rate", "points"]
    return f"## The scorecard\n\nBase points {spec.base_points}, plus one row per characteristic:\n\n" + _table(
        head, rows
    )


def _limits(spec: ScorecardFile) -> str:
    return (
        "## Limits\n\n"
        f"- The odds behind the scale are the odds of this sample (bad rate {spec.data.bad_rate:.1%}), not of any "
        "population it is later used on; a different population needs re-training or re-calibration.\n"
        "- Ranking quality is the holdout figures above, with their spread; one split can land anywhere in the "
        "95% range of repeats.\n"
        "- Reason codes rank characteristics by points lost against their best bin; they explain the score, "
        "they do not prove cause.\n"
    )


def _range(c: Characteristic) -> str:
    points = [b.points for b in c.bins]
    return f"{min(points)}–{max(points)}"


def _pair(values: list[float]) -> str:
    return f"{values[0]:.3f}–{values[1]:.3f}"
