"""``socialcredit certificate issue ID``: a signed certificate PDF from the subject's standing on the platform."""

from __future__ import annotations

from pathlib import Path

import typer

from socialcredit.cli.output import Format, print_json


def issue_command(
    subject: str = typer.Argument(..., metavar="ID", help="National identifier (or a linked passport number)."),
    out: Path = typer.Option(..., "--out", help="Certificate PDF to write."),
    valid_days: int = typer.Option(365, "--valid-days", help="Days of validity from today (1-3650)."),
    keys_dir: Path | None = typer.Option(None, "--keys-dir", help="Keys directory (default: SOCIALCREDIT_KEYS_DIR)."),
    format: Format = typer.Option(Format.table, "--format", help='table, or json: {"file", "payload"}.'),
) -> None:
    """Issue a signed certificate (grade, points, validity; QR code with an Ed25519-signed payload) from the
    subject's standing today under the active handbook, computed from the platform's records. Audited.

    Example: socialcredit certificate issue 360426199101010071 --out certificate.pdf --format json
    """
    from socialcredit.cli.platform import database, operator
    from socialcredit.db.engine import transaction
    from socialcredit.platform.audit import service as audit
    from socialcredit.platform.handbooks.service import active_policy
    from socialcredit.platform.standings.service import compute, today
    from socialcredit.platform.subjects import service as subjects
    from socialcredit.reports.issue import issue_certificate
    from socialcredit.settings import load_settings

    settings = load_settings()
    db = database()
    with transaction(db.sessions) as session:
        policy = active_policy(session)
        found = subjects.get(session, identifier=subject)
        standing = compute(session, national_id=found.national_id, policy=policy, as_of=today(policy))
        file, payload = issue_certificate(
            standing.as_json(),
            subject_name=found.name,
            keys_dir=keys_dir or settings.keys_dir,
            out=out,
            valid_days=valid_days,
            today=today(policy),
        )
        audit.log(
            session,
            actor=operator().id,
            action="certificate.issue",
            object=f"subject:{found.national_id}",
            payload={"grade": standing.grade, "valid_days": valid_days, "policy": policy.hash},
        )
    if format is Format.json:
        print_json({"file": str(file), "payload": payload})
    else:
        print(f"wrote {file} (grade {standing.grade})\npayload: {payload}")


def register(app: typer.Typer) -> None:
    from socialcredit.cli.certificate import certificate_app

    certificate_app.command("issue")(issue_command)
