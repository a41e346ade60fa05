"""Server-rendered SVG charts (no script, no library): vertical bars, horizontal bars, a line over months.

Each function takes ``(label, value)`` pairs and returns SVG markup (escaped, safe to embed). Sizes are in
the viewBox, so a chart scales to the width of its card on a phone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#1f5fa8", "#1e7b4a", "#a15c00", "#9b1c1c", "#6b4fa0", "#2f7f86")
GRADE_COLOURS = {"AAA": "#1e7b4a", "AA": "#3f9a66", "A": "#1f5fa8", "B": "#c98a12", "C": "#c2511f", "D": "#9b1c1c"}


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:,.1f}"


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
    head = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")


def bars(items: Sequence[tuple[str, float]], *, title: str, colours: dict[str, str] | None = None) -> Markup:
    """Vertical bars with their values above and labels below."""
    width, height, top, bottom = 600, 260, 24, 36
    peak = max((value for _, value in items), default=0) or 1
    step = width / max(len(items), 1)
    body = [f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#b8c0cc"/>']
    for index, (label, value) in enumerate(items):
        bar = (height - top - bottom) * value / peak
        x = index * step + step * 0.15
        colour = (colours or {}).get(label, PALETTE[index % len(PALETTE)])
        body.append(
            f'<rect x="{x:.1f}" y="{height - bottom - bar:.1f}" width="{step * 0.7:.1f}" height="{bar:.1f}" '
            f'fill="{colour}" rx="3"><title>{escape(label)}: {_fmt(value)}</title></rect>'
            f'<text x="{x + step * 0.35:.1f}" y="{height - bottom - bar - 6:.1f}" text-anchor="middle" '
            f'font-size="13" fill="#1d2330">{_fmt(value)}</text>'
            f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 20:.1f}" text-anchor="middle" font-size="13" '
            f'fill="#5b6475">{escape(label)}</text>'
        )
    return _svg(width, height, body, title)


def hbars(items: Sequence[tuple[str, float]], *, title: str, unit: str = "", base: float = 0) -> Markup:
    """Horizontal bars, one row per item, the label left of the bar (long labels are shortened).

    ``base``: bars measure ``value - base`` (e.g. points above the start score), the text shows the value.
    """
    row, label_width, width = 26, 250, 600
    height = row * max(len(items), 1) + 8
    peak = max((abs(value - base) for _, value in items), default=0) or 1
    body = []
    for index, (label, value) in enumerate(items):
        y = index * row + 4
        length = (width - label_width - 70) * abs(value - base) / peak
        shown = label if len(label) <= 34 else label[:33] + "…"
        body.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="#1d2330">'
            f"{escape(shown)}<title>{escape(label)}</title></text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" rx="3" '
            f'fill="{PALETTE[0] if value >= base else PALETTE[3]}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 17}" font-size="12" fill="#5b6475">'
            f"{_fmt(value)}{escape(unit)}</text>"
        )
    return _svg(width, height, body, title)


def lines(months: Sequence[str], series: Mapping[str, Sequence[float]], *, title: str) -> Markup:
    """One polyline per series over the months, with a legend."""
    width, height, left, bottom, top = 600, 260, 44, 40, 28
    peak = max((value for values in series.values() for value in values), default=0) or 1
    step = (width - left - 10) / max(len(months) - 1, 1)
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#b8c0cc"/>']
    body += [
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11" fill="#5b6475">{_fmt(peak)}</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" font-size="11" fill="#5b6475">0</text>',
    ]
    for index, month in enumerate(months):
        if index % max(len(months) // 6, 1) == 0 or index == len(months) - 1:
            body.append(
                f'<text x="{left + index * step:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                f'font-size="11" fill="#5b6475">{escape(month)}</text>'
            )
    for number, (name, values) in enumerate(series.items()):
        colour = PALETTE[number % len(PALETTE)]
        points = " ".join(
            f"{left + i * step:.1f},{height - bottom - (height - bottom - top) * v / peak:.1f}"
            for i, v in enumerate(values)
        )
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        body.append(
            f'<rect x="{left + number * 170}" y="4" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + number * 170 + 18}" y="15" font-size="12" fill="#1d2330">{escape(name)}</text>'
        )
    return _svg(width, height, body, title)
