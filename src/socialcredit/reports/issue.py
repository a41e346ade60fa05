"""Issuing certificates and rendering reports from a standing: the entry points the platform and CLI call."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from socialcredit.errors import InvalidInput
from socialcredit.reports.certificate import sign_certificate, verify_payload
from socialcredit.reports.errors import NothingToCertify
from socialcredit.reports.signing import key_id, load_signing_key
from socialcredit.reports.standing import PolicyNotes, parse_standing
from socialcredit.reports.view import build_report_view

MAX_VALID_DAYS = 3650


def issue_certificate(
    standing: Mapping[str, Any],
    *,
    subject_name: str | None,
    keys_dir: Path,
    out: Path,
    valid_days: int = 365,
    today: date | None = None,
    font: Path | None = None,
) -> tuple[Path, str]:
    """Sign a certificate for ``standing`` (DESIGN §7 JSON) and write its PDF to ``out``.

    Returns the file and the payload (the text in the QR code). The signing key comes from ``keys_dir``
    (create it with :func:`socialcredit.reports.signing.init_key`). Nothing is written on error.
    """
    from socialcredit.reports.certificate_pdf import render_certificate_pdf

    doc = parse_standing(standing)
    if doc.grade is None:
        raise NothingToCertify(
            f"standing of {doc.subject} has no grade to certify (the handbook requires consent to scoring)"
        )
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise InvalidInput(f"valid_days: {valid_days} is out of range 1..{MAX_VALID_DAYS}")
    private_key = load_signing_key(keys_dir)
    issued = today or date.today()
    payload = sign_certificate(
        subject=doc.subject,
        grade=doc.grade,
        points=doc.points,
        as_of=doc.as_of,
        issued=issued,
        valid_until=issued + timedelta(days=valid_days),
        policy=doc.policy.model_dump(),
        private_key=private_key,
    )
    public_key = private_key.public_key()
    contents = verify_payload(payload, {key_id(public_key): public_key}, today=issued)
    path = render_certificate_pdf(
        out, payload=payload, contents=contents, subject_name=subject_name, policy_hash=doc.policy.hash, font=font
    )
    return path, payload


def render_report(
    standing: Mapping[str, Any],
    *,
    out: Path,
    subject_name: str | None = None,
    notes: PolicyNotes | None = None,
    generated_at: datetime | None = None,
    font: Path | None = None,
) -> Path:
    """Write the credit report of ``standing`` to ``out``: PDF for ``.pdf``, HTML for ``.html``/``.htm``."""
    suffix = out.suffix.lower()
    if suffix not in {".pdf", ".html", ".htm"}:
        raise InvalidInput(f"--out {out}: the file name must end in .pdf or .html")
    report = build_report_view(standing, subject_name=subject_name, notes=notes, generated_at=generated_at)
    if suffix == ".pdf":
        from socialcredit.reports.report_pdf import render_report_pdf

        return render_report_pdf(report, out, font=font)
    from socialcredit.reports.files import write_atomically
    from socialcredit.reports.html import render_report_html

    html = render_report_html(report)

    def write(path: Path) -> None:
        path.write_text(html, encoding="utf-8")

    return write_atomically(out, write)
