"""The data copy (``GET /api/v1/me/export``): everything the platform holds about a subject, as JSON and as a
readable HTML page."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from jinja2 import Environment, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.db.base import utcnow
from socialcredit.platform.lists.service import current_lists
from socialcredit.platform.records import service as records
from socialcredit.platform.records.models import RecordRow
from socialcredit.platform.rights import objections, repairs
from socialcredit.platform.rights.service import code_view, codes_of, inquiries, notices
from socialcredit.platform.standings.service import compute
from socialcredit.platform.subjects import service as subjects
from socialcredit.platform.subjects.models import SubjectConsent
from socialcredit.policy.model import Policy
from socialcredit.policy.money import format_cents


def export(session: Session, *, subject: str, policy: Policy, now: datetime | None = None) -> dict[str, Any]:
    """Everything held about ``subject``: identity, consents, records with their status history, the standing
    with its explanation, lists, checks about it, notices, objections, repairs and share codes."""
    moment = now or utcnow()
    found = subjects.get(session, identifier=subject)
    consents = session.execute(
        select(SubjectConsent).where(SubjectConsent.subject == subject).order_by(SubjectConsent.at)
    ).scalars()
    rows = session.execute(select(RecordRow).where(RecordRow.subject == subject).order_by(RecordRow.pk)).scalars()
    standing = compute(session, national_id=subject, policy=policy, known_at=moment)
    return {
        "exported_at": moment.isoformat(),
        "subject": {
            "national_id": found.national_id,
            "kind": found.kind,
            "name": found.name,
            "region": found.region,
            "village": found.village,
            "aliases": subjects.aliases(session, national_id=subject),
            "created_at": found.created_at.isoformat(),
        },
        "consents": [{"given": c.given, "at": c.at.isoformat(), "by": c.actor} for c in consents],
        "records": [_record(session, row) for row in rows],
        "standing": standing.as_json(),
        "lists": [
            {
                "id": m.list_id,
                "since": _day(m.since),
                "until": _day(m.until),
                "records": [{"source": b.source, "record": b.record, "rule": b.rule} for b in m.records],
            }
            for m in current_lists(session, subject=subject)
        ],
        "inquiries": inquiries(session, subject=subject, limit=10_000),
        "notices": notices(session, subject=subject, limit=10_000),
        "objections": [
            objections.view(session, o, now=moment) for o in objections.of_subject(session, subject=subject)
        ],
        "repairs": [repairs.view(session, a) for a in repairs.of_subject(session, subject=subject)],
        "share_codes": [code_view(session, c, now=moment) for c in codes_of(session, subject=subject)],
    }


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def _record(session: Session, row: RecordRow) -> dict[str, Any]:
    return {
        "source": row.source,
        "id": row.record_id,
        "kind": row.kind,
        "ref": row.ref,
        "rule": row.rule,
        "occurred_on": row.occurred_on.isoformat(),
        "recorded_at": row.recorded_at.isoformat(),
        "points": None if row.points is None else format_cents(row.points),
        "reason": row.reason,
        "document": row.document,
        "evidence": json.loads(row.evidence or "[]"),
        "status": records.status_at(session, row),
        "reported_by": row.reported_by,
        "history": [
            {"status": h.status, "cause": h.cause, "reason": h.reason, "by": h.actor, "at": h.changed_at.isoformat()}
            for h in records.history(session, row)
        ],
    }


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your data · {{ data.subject.national_id }}</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:2rem;max-width:70rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;
vertical-align:top}th{background:#f4f4f4}code{font-size:.9em}</style></head>
<body><main>
<h1>Everything held about {{ data.subject.name or data.subject.national_id }}</h1>
<p>Exported {{ data.exported_at }}. The same data as JSON: <code>GET /api/v1/me/export</code>.</p>
{% for title, key in sections %}
<section><h2>{{ title }}</h2>
{% set value = data[key] %}
{% if value is mapping %}{{ table([value]) }}{% elif value %}{{ table(value) }}{% else %}<p>None.</p>{% endif %}
</section>
{% endfor %}
</main></body></html>
"""

SECTIONS = [
    ("Who you are", "subject"),
    ("Your standing", "standing"),
    ("Lists you are on", "lists"),
    ("Records about you", "records"),
    ("Who checked you, and why", "inquiries"),
    ("Notices", "notices"),
    ("Your objections", "objections"),
    ("Your repair applications", "repairs"),
    ("Your share codes", "share_codes"),
    ("Consent to scoring", "consents"),
]


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return "" if value is None else str(value)


def _table(rows: list[dict[str, Any]]) -> Any:
    from markupsafe import Markup, escape

    columns = list(dict.fromkeys(key for row in rows for key in row))
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td><pre>{escape(_cell(row.get(c)))}</pre></td>" for c in columns) + "</tr>" for row in rows
    )
    return Markup(f"<table><tr>{head}</tr>{body}</table>")


def export_html(data: dict[str, Any]) -> str:
    """The data copy as one readable, self-contained HTML page (every value escaped)."""
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return environment.from_string(PAGE).render(data=data, sections=SECTIONS, table=_table)
