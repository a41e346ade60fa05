"""HTML rendering of credit reports (Jinja2 templates shipped in this package; the web app reuses them).

``report.html`` is a standalone page; ``report_body.html`` is the fragment it includes, for pages that
bring their own layout: ``{% include "report_body.html" %}`` with ``report`` in the context.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from socialcredit.reports.view import ReportView


@cache
def template_environment() -> Environment:
    """The Jinja2 environment of the report templates (autoescaped, strict about missing names)."""
    return Environment(
        loader=PackageLoader("socialcredit.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report_html(report: ReportView, *, fragment: bool = False) -> str:
    """The report as a full HTML page, or as the ``<article>`` fragment when ``fragment``."""
    name = "report_body.html" if fragment else "report.html"
    return template_environment().get_template(name).render(report=report)
