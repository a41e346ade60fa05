"""The simulation report as one self-contained HTML page (inline CSS and SVG, nothing fetched).

``simulation.html`` is the standalone page; ``simulation_body.html`` is the fragment it includes, for the
web application's own layout (``{% include "simulation_body.html" %}`` with ``report`` and ``view``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from socialcredit.simulate.charts import distribution_svg, grades_svg, monthly_svg

GROUP_TITLES = {
    "kind": "Subject kind",
    "region": "Region (from the identifier)",
    "village": "Village or community",
    "age_band": "Age band",
    "sex": "Sex",
}
SHOWN_GROUPS = 15


@cache
def template_environment() -> Environment:
    """The Jinja2 environment of the simulation templates (autoescaped, strict about missing names)."""
    env = Environment(
        loader=PackageLoader("socialcredit.simulate", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = percent
    env.filters["num"] = lambda count: f"{count:,}"
    env.filters["grade"] = lambda grade: "no grade" if grade is None else grade
    return env


def percent(share: float) -> str:
    """A share as a percentage with one decimal; a share too small to show is "< 0.1 %", not "0.0 %"."""
    return "< 0.1 %" if 0 < share < 0.0005 else f"{share * 100:.1f} %"


def render_simulation_html(report: dict[str, Any], *, fragment: bool = False) -> str:
    """The report as a full HTML page, or as the ``<article>`` fragment when ``fragment``."""
    name = "simulation_body.html" if fragment else "simulation.html"
    return template_environment().get_template(name).render(report=report, view=view(report))


def view(report: dict[str, Any]) -> dict[str, Any]:
    """What the template needs beyond the report: the charts, the transition matrix, group tables."""
    return {
        "charts": {
            "distribution": Markup(distribution_svg(report["distribution"])),
            "grades": Markup(grades_svg(report["grades"])),
            "monthly": Markup(monthly_svg(report["monthly"], report["grades"]["order"])) if report["monthly"] else None,
        },
        "matrix": matrix(report),
        "monthly": monthly_rows(report),
        "groups": [
            {"title": GROUP_TITLES[name], "rows": rows[:SHOWN_GROUPS], "hidden": max(0, len(rows) - SHOWN_GROUPS)}
            for name, rows in report["groups"].items()
        ],
    }


def matrix(report: dict[str, Any]) -> dict[str, Any]:
    """The transition matrix: rows are baseline grades, columns candidate grades, cells count and share."""
    order = report["grades"]["order"]
    cells = {(t["from"], t["to"]): t for t in report["transitions"]}
    rows = _present(order, {t["from"] for t in report["transitions"]}, report["grades"]["baseline"])
    columns = _present(order, {t["to"] for t in report["transitions"]}, report["grades"]["candidate"])
    peak = max([1, *(t["count"] for t in report["transitions"])])
    return {
        "columns": columns,
        "rows": [
            {
                "grade": row,
                "cells": [_cell(cells.get((row, column)), peak, order, row, column) for column in columns],
            }
            for row in rows
        ],
    }


def monthly_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per month: the date and, per grade, the (baseline, candidate) subject counts."""
    rows = []
    for point in report["monthly"] or []:
        counts = {key: {r["grade"]: r["count"] for r in point[key]} for key in ("baseline", "candidate")}
        cells = [(counts["baseline"].get(g, 0), counts["candidate"].get(g, 0)) for g in report["grades"]["order"]]
        rows.append({"date": point["date"], "cells": cells})
    return rows


def _present(order: list[str], used: set[str | None], counts: list[dict[str, Any]]) -> list[str | None]:
    own = {item["grade"] for item in counts}
    names: list[str | None] = [name for name in order if name in own or name in used]
    return [*names, None] if None in used else names


def _cell(
    item: dict[str, Any] | None, peak: int, order: list[str], row: str | None, column: str | None
) -> dict[str, Any]:
    count = item["count"] if item else 0
    move = "same"
    if row != column:
        move = (
            "changed" if row is None or column is None else ("down" if order.index(column) > order.index(row) else "up")
        )
    return {
        "count": count,
        "share": item["share"] if item else 0.0,
        "alpha": round(0.08 + 0.6 * count / peak, 3),
        "move": move,
    }
