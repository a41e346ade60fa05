"""Rich rendering of a handbook for ``policy show``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from socialcredit.policy.model import Policy
from socialcredit.policy.money import format_cents


def render_policy(policy: Policy, console: Console) -> None:
    header = policy.policy
    console.print(f"[bold]{header.title}[/bold]  {header.id} {header.version}  effective {header.effective_from}")
    console.print(
        f"sha256 {policy.hash}; start {format_cents(policy.scale.start)}; subjects {', '.join(header.subjects)}"
    )
    grades = Table("grade", "from points", title="Grades")
    for grade in policy.grades:
        grades.add_row(grade.name, "—" if grade.min is None else format_cents(grade.min))
    console.print(grades)
    rules = Table("id", "category", "severity", "points", "counts for", "limits", "legal basis", title="Rules")
    for rule in policy.rules:
        points = rule.points
        shown = (
            f"{format_cents(points[0])} to {format_cents(points[1])}"
            if isinstance(points, tuple)
            else format_cents(points)
        )
        limits = []
        if rule.cap:
            limits.append(f"cap {rule.cap.count or format_cents(rule.cap.points or 0)}/{rule.cap.per}")
        if rule.notice:
            limits.append(f"cure within {rule.notice.cure_within}")
        if rule.grade_ceiling:
            limits.append(f"grade ≤ {rule.grade_ceiling}")
        counts_for = str(rule.counts_for or header.default_counts_for)
        rules.add_row(rule.id, rule.category, rule.severity, shown, counts_for, "; ".join(limits), rule.legal_basis)
    console.print(rules)
    lists = Table("id", "kind", "public", "members", title="Lists")
    for entry in policy.lists:
        lists.add_row(
            entry.id, entry.kind, "yes" if entry.public else "no", ", ".join(entry.members.rules + entry.members.grades)
        )
    console.print(lists)
    measures = Table("id", "service", "effect", "when", "legal basis", title="Measures")
    for m in policy.measures:
        measures.add_row(m.id, m.service, m.effect, ", ".join(m.when.lists + m.when.grades), m.legal_basis)
    console.print(measures)
