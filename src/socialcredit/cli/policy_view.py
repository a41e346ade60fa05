"""Rich rendering of a handbook for ``policy show``: one entry per rule, list and measure, readable at any width."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from socialcredit.policy.model import Policy, Rule
from socialcredit.policy.money import format_cents


def render_policy(policy: Policy, console: Console) -> None:
    """Header, grades, then every rule, list and measure with its legal basis."""
    header = policy.policy
    console.print(f"[bold]{escape(header.title)}[/bold]")
    console.print(f"{header.id} {header.version}, effective {header.effective_from}, sha256 {policy.hash}")
    console.print(
        f"start {format_cents(policy.scale.start)}; subjects: {', '.join(header.subjects)}; records count for "
        f"{header.default_counts_for} unless a rule says otherwise; scoring requires consent: "
        f"{'yes' if header.scoring_requires_consent else 'no'}; while contested a record {header.while_contested}"
    )
    grades = Table("grade", "from points", "title", title="Grades", title_justify="left")
    for grade in policy.grades:
        grades.add_row(grade.name, "—" if grade.min is None else format_cents(grade.min), grade.title or "")
    console.print(grades)
    console.print(f"\n[bold]Rules[/bold] ({len(policy.rules)})")
    for rule in policy.rules:
        _print_rule(rule, policy, console)
    console.print(f"\n[bold]Lists[/bold] ({len(policy.lists)})")
    for entry in policy.lists:
        members = [f"rule {r}" for r in entry.members.rules] + [f"grade {g}" for g in entry.members.grades]
        public = "public" if entry.public else "not public"
        console.print(f"[bold]{entry.id}[/bold]  {entry.kind} list, {public}: {escape(entry.title)}")
        console.print(f"    members: {', '.join(members)}", highlight=False)
        if entry.legal_basis:
            console.print(f"    [dim]{escape(entry.legal_basis)}[/dim]")
    console.print(f"\n[bold]Measures[/bold] ({len(policy.measures)})")
    for m in policy.measures:
        when = [f"list {name}" for name in m.when.lists] + [f"grade {name}" for name in m.when.grades]
        console.print(f"[bold]{m.id}[/bold]  {m.effect} {m.service}: {escape(m.title)}", highlight=False)
        console.print(f"    when {' or '.join(when)}", highlight=False)
        console.print(f"    [dim]{escape(m.legal_basis)}[/dim]")


def _print_rule(rule: Rule, policy: Policy, console: Console) -> None:
    console.print(f"[bold]{rule.id}[/bold]  {points_text(rule)}  ({rule.category}, {rule.severity})", highlight=False)
    console.print(f"    {escape(rule.title)}")
    console.print(f"    {'; '.join(limits(rule, policy))}", highlight=False)
    console.print(f"    [dim]{escape(rule.legal_basis)}[/dim]")


def points_text(rule: Rule) -> str:
    """``-5``, ``+0.5`` or ``-50 to -5`` (discretionary: the record gives the points and a reason)."""
    points = rule.points
    if isinstance(points, tuple):
        return f"{format_cents(points[0])} to {format_cents(points[1])}"
    return ("+" if points > 0 else "") + format_cents(points)


def limits(rule: Rule, policy: Policy) -> list[str]:
    """Everything that limits when and how a rule counts, as short phrases."""
    out = [f"counts for {rule.counts_for or policy.policy.default_counts_for}"]
    if rule.cap:
        limit = str(rule.cap.count) if rule.cap.count is not None else format_cents(rule.cap.points or 0) + " points"
        out.append(f"at most {limit} a {rule.cap.per}")
    if rule.notice:
        out.append(f"no deduction if cured within {rule.notice.cure_within}")
    if rule.grade_ceiling:
        out.append(f"grade at most {rule.grade_ceiling}")
    if rule.evidence:
        out.append(f"evidence: {rule.evidence.photos} photos" + (" or a video" if rule.evidence.or_video else ""))
    if rule.review:
        out.append("committee review")
    if rule.requires_document:
        out.append("needs the document number")
    if rule.subjects:
        out.append("only " + ", ".join(f"{kind}s" for kind in rule.subjects))
    if rule.sources:
        out.append("reported by " + ", ".join(rule.sources))
    return out
