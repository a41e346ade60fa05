"""The smallest change that lifts an applicant into the next band.

Smallest means: as few characteristics as possible, then each moved by the smallest step that still reaches
the band. With one characteristic that is exact (the cheapest single bin change that is enough). With more,
the fewest needed is exact too (the largest gains first), and the steps are then shrunk one by one while the
band stays reached. Plain Python over a handful of bins: fast enough for one applicant at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from socialcredit.scorecard.result import Change, NextBand

if TYPE_CHECKING:
    from socialcredit.scorecard.model import Scorecard

# Per characteristic: (gain, bin) of every bin that scores more than the current one, ascending by gain.
Options = list[list[tuple[int, int]]]


@dataclass(frozen=True)
class Step:
    characteristic: int
    bin: int
    gain: int


def next_band(card: Scorecard, index: list[int], points: list[int], raw: int, band: int) -> NextBand | None:
    """The way from band ``band`` to the one above it, or None when ``band`` is the top band."""
    if band + 1 >= len(card.band_names):
        return None
    name, lower = card.band_names[band + 1], card.band_min[band + 1]
    need = lower - raw
    options = [
        sorted((p - current, b) for b, p in enumerate(table.point_list[: table.n_bins]) if p > current)
        for table, current in zip(card.tables, points, strict=True)
    ]
    steps = plan(options, need)
    if steps is None:
        most = sum(choices[-1][0] for choices in options if choices)
        sentence = (
            f"No change of the characteristics scored here reaches {name} ({lower}): it needs {need} more points, "
            f"and every characteristic at its best bin adds {most}."
        )
        return NextBand(
            band=name, min_score=lower, points_needed=need, reachable=False, changes=[], score=None, sentence=sentence
        )
    changes = [_change(card, index, step) for step in steps]
    score = card.clamp(raw + sum(step.gain for step in steps))
    return NextBand(
        band=name,
        min_score=lower,
        points_needed=need,
        reachable=True,
        changes=changes,
        score=score,
        sentence=_sentence(changes, name, lower, need, score),
    )


def plan(options: Options, need: int) -> list[Step] | None:
    """Steps whose gains add up to at least ``need``: fewest characteristics, then smallest steps."""
    best = sorted(
        ((choices[-1][0], j) for j, choices in enumerate(options) if choices), key=lambda item: (-item[0], item[1])
    )
    total, count = 0, 0
    while total < need and count < len(best):
        total += best[count][0]
        count += 1
    if total < need:
        return None
    chosen = [j for _, j in best[: count - 1]]
    rest = need - sum(options[j][-1][0] for j in chosen)
    last = min(
        ((gain, j, b) for j, choices in enumerate(options) if j not in chosen for gain, b in choices if gain >= rest),
        key=lambda item: (item[0], item[1]),
    )
    steps = [Step(j, options[j][-1][1], options[j][-1][0]) for j in chosen] + [Step(last[1], last[2], last[0])]
    return _shrink(options, steps, need)


def _shrink(options: Options, steps: list[Step], need: int) -> list[Step]:
    """Lower each step to its smallest gain that keeps the total at or above ``need``."""
    slack = sum(step.gain for step in steps) - need
    out = []
    for step in steps:
        gain, b = min((g, b) for g, b in options[step.characteristic] if g >= step.gain - slack)
        slack -= step.gain - gain
        out.append(Step(step.characteristic, b, gain))
    return out


def _change(card: Scorecard, index: list[int], step: Step) -> Change:
    table = card.tables[step.characteristic]
    return Change(
        code=table.spec.reason_code,
        characteristic=table.spec.name,
        current_bin=table.labels[index[step.characteristic]],
        target_bin=table.labels[step.bin],
        points_gained=step.gain,
    )


def _sentence(changes: list[Change], band: str, lower: int, need: int, score: int) -> str:
    from socialcredit.scorecard.explain import characteristic_label

    parts = [
        f"{characteristic_label(c.characteristic)} {c.target_bin} instead of {c.current_bin} (+{c.points_gained})"
        for c in changes
    ]
    joined = parts[0] if len(parts) == 1 else "; ".join(parts[:-1]) + f"; and {parts[-1]}"
    return f"{band.capitalize()} starts at {lower}, {need} points away: {joined} would make it {score}."
