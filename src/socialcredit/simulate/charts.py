"""Charts of a simulation report as inline SVG strings, drawn from the report's JSON data (no network).

Baseline is drawn in grey, the candidate in blue; grade boundaries are vertical lines (baseline dashed).
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 44
BASE, CAND = "#8c8c8c", "#1f5fbf"
GRADE_COLOURS = ("#1a7f37", "#4c9a2a", "#8fb339", "#d4a72c", "#e07b39", "#c0392b", "#7d3c98", "#34495e")


def distribution_svg(distribution: dict[str, Any]) -> str:
    """Overlaid points histograms (log scale of subjects) with both handbooks' grade boundaries."""
    bins = distribution["bins"]
    if not bins:
        return _empty("No subject has points (consent required).")
    width = float(distribution["bin_width"])
    low, high = float(bins[0]["from"]), float(bins[-1]["from"]) + width
    peak = max(max(b["baseline"], b["candidate"]) for b in bins)

    def x(value: float) -> float:
        return LEFT + (value - low) / (high - low) * (WIDTH - LEFT - RIGHT)

    def y(count: int) -> float:
        return HEIGHT - BOTTOM - math.log10(1 + count) / math.log10(1 + max(peak, 1)) * (HEIGHT - TOP - BOTTOM)

    parts = [_frame("Points distribution (subjects, log scale)")]
    for b in bins:
        left, right = x(float(b["from"])), x(float(b["from"]) + width)
        parts.append(_rect(left, y(b["baseline"]), right - left, HEIGHT - BOTTOM - y(b["baseline"]), BASE, 0.45))
    parts.append(_steps([(x(float(b["from"])), x(float(b["from"]) + width), y(b["candidate"])) for b in bins]))
    parts += _boundaries(distribution["boundaries"], x, low, high)
    parts += _x_ticks(low, high, x)
    parts += _log_ticks(peak, y)
    parts.append(_legend([("baseline", BASE, False), ("candidate", CAND, False)]))
    return _svg(parts, "Points distributions of the baseline and the candidate with grade boundaries")


def grades_svg(grades: dict[str, Any]) -> str:
    """Subjects per grade under each handbook, side by side."""
    names = [
        *grades["order"],
        *([None] if any(r["grade"] is None for k in ("baseline", "candidate") for r in grades[k]) else []),
    ]
    counts = {k: {r["grade"]: r["count"] for r in grades[k]} for k in ("baseline", "candidate")}
    peak = max([1, *(v for c in counts.values() for v in c.values())])
    slot = (WIDTH - LEFT - RIGHT) / max(len(names), 1)
    parts = [_frame("Subjects per grade")]
    for index, name in enumerate(names):
        for offset, (key, colour) in enumerate((("baseline", BASE), ("candidate", CAND))):
            value = counts[key].get(name, 0)
            height = value / peak * (HEIGHT - TOP - BOTTOM)
            left = LEFT + index * slot + slot * (0.15 + 0.35 * offset)
            parts.append(_rect(left, HEIGHT - BOTTOM - height, slot * 0.33, height, colour, 0.9))
            parts.append(_text(left + slot * 0.165, HEIGHT - BOTTOM - height - 4, f"{value:,}", size=10))
        parts.append(_text(LEFT + (index + 0.5) * slot, HEIGHT - BOTTOM + 16, name or "no grade", size=12))
    parts.append(_legend([("baseline", BASE, False), ("candidate", CAND, False)]))
    return _svg(parts, "Subjects per grade under the baseline and the candidate")


def monthly_svg(monthly: list[dict[str, Any]], order: list[str]) -> str:
    """Share of subjects per grade month by month: baseline solid, candidate dashed."""
    if not monthly:
        return _empty("No monthly figures.")
    days = [point["date"] for point in monthly]
    step = (WIDTH - LEFT - RIGHT) / max(len(days) - 1, 1)

    def y(share: float) -> float:
        return HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM)

    parts = [_frame("Share of subjects per grade, month by month")]
    legend = []
    for index, grade in enumerate(order):
        colour = GRADE_COLOURS[index % len(GRADE_COLOURS)]
        for key, dashed in (("baseline", False), ("candidate", True)):
            shares = [{r["grade"]: r["share"] for r in point[key]}.get(grade) for point in monthly]
            if all(share is None for share in shares):
                continue
            points = [(LEFT + i * step, y(share or 0.0)) for i, share in enumerate(shares)]
            parts.append(_polyline(points, colour, dashed))
        legend.append((grade, colour, False))
    for i, day in enumerate(days):
        if len(days) <= 13 or i % math.ceil(len(days) / 12) == 0:
            parts.append(_text(LEFT + i * step, HEIGHT - BOTTOM + 16, day[:7], size=10))
    parts += [_text(LEFT - 6, y(s) + 4, f"{s:.0%}", size=10, anchor="end") for s in (0, 0.25, 0.5, 0.75, 1)]
    parts.append(_legend([*legend, ("baseline", "#333", False), ("candidate", "#333", True)]))
    return _svg(parts, "Grade shares month by month under the baseline (solid) and the candidate (dashed)")


def _boundaries(boundaries: dict[str, list[dict[str, str]]], x: Any, low: float, high: float) -> list[str]:
    out = []
    for key, colour, dashed, dy in (("baseline", BASE, True, 12), ("candidate", CAND, False, 24)):
        for item in boundaries[key]:
            value = float(item["min"])
            if low <= value <= high:
                dash = ' stroke-dasharray="4 3"' if dashed else ""
                out.append(
                    f'<line x1="{x(value):.1f}" y1="{TOP}" x2="{x(value):.1f}" y2="{HEIGHT - BOTTOM}" '
                    f'stroke="{colour}" stroke-width="1.5"{dash}/>'
                )
                out.append(
                    _text(
                        x(value) + 3, TOP + dy, f"{item['grade']} ≥ {item['min']}", size=10, fill=colour, anchor="start"
                    )
                )
    return out


def _x_ticks(low: float, high: float, x: Any) -> list[str]:
    step = _nice((high - low) / 8)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high:
        ticks.append(_text(x(value), HEIGHT - BOTTOM + 16, f"{value:g}", size=10))
        value += step
    ticks.append(_text((WIDTH + LEFT) / 2, HEIGHT - 8, "points", size=11))
    return ticks


def _log_ticks(peak: int, y: Any) -> list[str]:
    ticks, value = [], 1
    while value <= max(peak, 1):
        label = f"{value:,}" if value < 1000 else f"{value // 1000:,}k"
        ticks.append(_text(LEFT - 6, y(value) + 4, label, size=10, anchor="end"))
        value *= 10
    return ticks


def _nice(raw: float) -> float:
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


def _frame(title: str) -> str:
    return (
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>'
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#444"/>'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#444"/>'
        + _text(LEFT, 16, title, size=13, anchor="start", weight="bold")
    )


def _legend(items: list[tuple[str, str, bool]]) -> str:
    out, left = [], WIDTH - RIGHT - 110 * len(items)
    for index, (label, colour, dashed) in enumerate(items):
        at = left + index * 110
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        out.append(f'<line x1="{at}" y1="12" x2="{at + 18}" y2="12" stroke="{colour}" stroke-width="3"{dash}/>')
        out.append(_text(at + 22, 16, label, size=11, anchor="start"))
    return "".join(out)


def _steps(segments: list[tuple[float, float, float]]) -> str:
    points = []
    for left, right, top in segments:
        points += [(left, top), (right, top)]
    return _polyline(points, CAND, False)


def _polyline(points: list[tuple[float, float]], colour: str, dashed: bool) -> str:
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    return f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'


def _rect(x: float, y: float, width: float, height: float, colour: str, opacity: float) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0.5):.1f}" height="{max(height, 0):.1f}" '
        f'fill="{colour}" fill-opacity="{opacity}"/>'
    )


def _text(
    x: float, y: float, text: str, *, size: int = 11, anchor: str = "middle", fill: str = "#222", weight: str = "normal"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}">{escape(text)}</text>'
    )


def _empty(message: str) -> str:
    return _svg([_text(WIDTH / 2, HEIGHT / 2, message, size=13)], message)


def _svg(parts: list[str], label: str) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" font-family="sans-serif">' + "".join(parts) + "</svg>"
    )
