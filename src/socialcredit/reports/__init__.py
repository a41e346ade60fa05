"""Credit reports (PDF, HTML) and signed certificates (Ed25519 payload, PDF with QR code).

Pure library: it takes a standing as its DESIGN §7 JSON dict and a keys directory, and writes files.

- :func:`issue_certificate` / :func:`render_report` — the entry points (``socialcredit.reports.issue``).
- :func:`sign_certificate` / :func:`verify_payload` — the payload ``SC1.<body>.<signature>``.
- :func:`init_key`, :func:`load_public_keys`, :func:`published_keys` — signing keys in a keys directory.
- :func:`read_certificate_payload` (``reports.certificate_pdf``) — the payload back from a certificate PDF.
- :func:`render_report_html` (``reports.html``) — the report page or fragment, for the web app.

reportlab is imported only by the PDF modules, on first use.
"""

from socialcredit.reports.certificate import sign_certificate, verify_payload
from socialcredit.reports.errors import (
    BadSignature,
    CertificateExpired,
    CertificateInvalid,
    MalformedCertificate,
    UnknownKey,
    UnreadableCertificate,
)
from socialcredit.reports.issue import issue_certificate, render_report
from socialcredit.reports.signing import init_key, key_id, load_public_keys, load_signing_key, published_keys
from socialcredit.reports.standing import PolicyNotes, load_standing_file, notes_from_policy, parse_standing

__all__ = [
    "BadSignature",
    "CertificateExpired",
    "CertificateInvalid",
    "MalformedCertificate",
    "PolicyNotes",
    "UnknownKey",
    "UnreadableCertificate",
    "init_key",
    "issue_certificate",
    "key_id",
    "load_public_keys",
    "load_signing_key",
    "load_standing_file",
    "notes_from_policy",
    "parse_standing",
    "published_keys",
    "render_report",
    "sign_certificate",
    "verify_payload",
]
