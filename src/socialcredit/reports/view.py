"""What a credit report shows, built once from a standing and rendered as PDF or HTML.

Labels are bilingual (Chinese / English); every contribution of the explanation appears with its status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from socialcredit.reports.standing import ContributionDoc, MeasureDoc, PolicyNotes, parse_standing

REPORT_TITLE = "信用报告 / Credit report"

STATUS_LABELS = {
    "counted": "计入 counted",
    "capped": "超出上限 capped",
    "pending-notice": "整改期内 pending notice",
    "cured": "已按期整改 cured",
    "expired": "已过期 expired",
    "repaired": "已信用修复 repaired",
    "withdrawn": "已撤销 withdrawn",
    "not-yet-known": "尚未获知 not yet known",
    "not-confirmed": "未确认 not confirmed",
    "suspended-contested": "异议中暂停 suspended (contested)",
}
EFFECT_LABELS = {"deny": "限制 deny", "benefit": "激励 benefit"}
NO_SCORE = "— (未经同意不评分 / not scored without consent)"


@dataclass(frozen=True, slots=True)
class ContributionRow:
    source: str
    record: str
    rule: str
    title: str
    legal_basis: str
    points: str
    status: str
    status_label: str


@dataclass(frozen=True, slots=True)
class ListRow:
    id: str
    title: str
    since: str
    until: str


@dataclass(frozen=True, slots=True)
class MeasureRow:
    id: str
    title: str
    service: str
    effect: str
    effect_label: str
    legal_basis: str


@dataclass(frozen=True, slots=True)
class ReportView:
    """Everything a rendered credit report prints, as display strings."""

    title: str
    subject: str
    subject_name: str | None
    as_of: str
    known_at: str
    policy_id: str
    policy_version: str
    policy_hash: str
    policy_title: str | None
    points: str
    grade: str
    next_change_on: str
    generated_at: str
    contributions: tuple[ContributionRow, ...]
    lists: tuple[ListRow, ...]
    measures: tuple[MeasureRow, ...]


def build_report_view(
    standing: Mapping[str, Any] | Any,
    *,
    subject_name: str | None = None,
    notes: PolicyNotes | None = None,
    generated_at: datetime | None = None,
) -> ReportView:
    """Validate ``standing`` (DESIGN §7 JSON) and turn it into display rows, with titles from ``notes``."""
    doc = parse_standing(standing)
    notes = notes or PolicyNotes()
    made = generated_at or datetime.now(UTC)
    return ReportView(
        title=REPORT_TITLE,
        subject=doc.subject,
        subject_name=subject_name,
        as_of=doc.as_of.isoformat(),
        known_at=doc.known_at.isoformat(),
        policy_id=doc.policy.id,
        policy_version=doc.policy.version,
        policy_hash=doc.policy.hash,
        policy_title=notes.title,
        points=doc.points if doc.points is not None else NO_SCORE,
        grade=doc.grade if doc.grade is not None else NO_SCORE,
        next_change_on=_day(doc.next_change_on),
        generated_at=made.isoformat(timespec="seconds"),
        contributions=tuple(_contribution_row(c, notes) for c in doc.contributions),
        lists=tuple(
            ListRow(id=e.id, title=_note(notes.lists, e.id, "title"), since=_day(e.since), until=_day(e.until))
            for e in doc.lists
        ),
        measures=tuple(_measure_row(m, notes) for m in doc.measures),
    )


def _contribution_row(c: ContributionDoc, notes: PolicyNotes) -> ContributionRow:
    return ContributionRow(
        source=c.source,
        record=c.record,
        rule=c.rule,
        title=_note(notes.rules, c.rule, "title"),
        legal_basis=_note(notes.rules, c.rule, "legal_basis"),
        points=c.points,
        status=c.status,
        status_label=STATUS_LABELS.get(c.status, c.status),
    )


def _measure_row(m: MeasureDoc, notes: PolicyNotes) -> MeasureRow:
    return MeasureRow(
        id=m.id,
        title=_note(notes.measures, m.id, "title"),
        service=m.service,
        effect=m.effect,
        effect_label=EFFECT_LABELS[m.effect],
        legal_basis=_note(notes.measures, m.id, "legal_basis"),
    )


def _day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _note(table: Mapping[str, Mapping[str, str]], key: str, field: str) -> str:
    return str(table.get(key, {}).get(field) or "")
