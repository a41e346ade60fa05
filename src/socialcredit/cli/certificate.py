"""``socialcredit certificate …`` (signed certificates, offline) and ``socialcredit report render``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import typer

from socialcredit.cli.output import Format, print_json
from socialcredit.errors import InvalidInput, SocialCreditError

certificate_app = typer.Typer(
    help="Signed certificates: a PDF with a QR code carrying an Ed25519-signed payload, verifiable offline.",
    no_args_is_help=True,
)
report_app = typer.Typer(
    help="Credit reports (standing, explanation, lists, measures) as PDF or HTML.", no_args_is_help=True
)

KEYS_DIR_HELP = "Keys directory (default: SOCIALCREDIT_KEYS_DIR, else ./keys)."


@certificate_app.command("verify")
def verify_command(
    certificate: str = typer.Argument(
        ..., help="A certificate PDF, a file holding a payload, a payload (SC1.…), or - for stdin."
    ),
    public_key: list[Path] | None = typer.Option(
        None,
        "--public-key",
        help="Trusted public key PEM (repeatable). Default: every *.pub.pem in the keys directory.",
    ),
    keys_dir: Path | None = typer.Option(None, "--keys-dir", help=KEYS_DIR_HELP),
    on: str | None = typer.Option(None, "--on", help="Check validity on this date (YYYY-MM-DD). Default: today."),
) -> None:
    """Verify a certificate offline: exit 0 and its contents as JSON when valid; exit 1 with the reason
    (altered, unknown key, expired) when not; exit 2 when the input cannot be read.

    Example: socialcredit certificate verify certificate.pdf --public-key certificate-signing.pub.pem
    """
    from socialcredit.reports.certificate import verify_payload
    from socialcredit.reports.errors import CertificateExpired, CertificateInvalid
    from socialcredit.reports.signing import load_public_keys

    day = _date_option(on, "--on")
    try:
        payload = _read_certificate(certificate)
        keys = load_public_keys(_keys_dir(keys_dir), public_key or ())
        contents = verify_payload(payload, keys, today=day)
    except CertificateInvalid as error:
        print(f"invalid certificate ({error.code}): {error.message}", file=sys.stderr)
        if isinstance(error, CertificateExpired):
            print(f"contents: {_json(error.details)}", file=sys.stderr)
        raise typer.Exit(1) from None
    except SocialCreditError as error:
        print(f"error: {error.message}", file=sys.stderr)
        raise typer.Exit(2) from None
    print_json(contents)


@certificate_app.command("init-key")
def init_key_command(
    keys_dir: Path | None = typer.Option(None, "--keys-dir", help=KEYS_DIR_HELP),
    format: Format = typer.Option(Format.table, "--format", help="table, or json: {kid, public_key, created}."),
) -> None:
    """Create the certificate signing key pair (Ed25519) unless it exists; print its key id and public key file.

    The private key is written with mode 0600 and never printed. Example: socialcredit certificate init-key
    """
    from socialcredit.reports.signing import init_key

    info = init_key(_keys_dir(keys_dir))
    if format is Format.json:
        print_json({"kid": info.key_id, "public_key": str(info.public_path), "created": info.created})
        return
    state = "created" if info.created else "exists"
    print(f"signing key {info.key_id} ({state})\npublic key: {info.public_path}")


@certificate_app.command("public-key")
def public_key_command(
    keys_dir: Path | None = typer.Option(None, "--keys-dir", help=KEYS_DIR_HELP),
    format: Format = typer.Option(Format.table, "--format", help="table (PEM text), or json: {kid, algorithm, pem}."),
) -> None:
    """Print the public key (PEM) of the signing key, to hand to those who verify certificates.

    Example: socialcredit certificate public-key > issuer.pub.pem
    """
    from socialcredit.reports.signing import key_id, load_signing_key, public_pem

    public = load_signing_key(_keys_dir(keys_dir)).public_key()
    if format is Format.json:
        print_json({"kid": key_id(public), "algorithm": "Ed25519", "pem": public_pem(public)})
    else:
        sys.stdout.write(public_pem(public))


@certificate_app.command("issue-from-standing")
def issue_from_standing_command(
    standing: Path = typer.Argument(..., help="Standing JSON (one line of `evaluate --format json`), or - for stdin."),
    out: Path = typer.Option(..., "--out", help="Certificate PDF to write."),
    name: str | None = typer.Option(None, "--name", help="Subject's name, printed on the certificate (not signed)."),
    subject: str | None = typer.Option(
        None, "--subject", help="Pick this subject when the file holds several standings."
    ),
    valid_days: int = typer.Option(365, "--valid-days", help="Days of validity from today (1-3650)."),
    keys_dir: Path | None = typer.Option(None, "--keys-dir", help=KEYS_DIR_HELP),
    format: Format = typer.Option(Format.table, "--format", help="table, or json: {file, payload}."),
) -> None:
    """Issue a signed certificate PDF from a standing computed by `socialcredit evaluate`.

    Example: socialcredit evaluate --policy policies/rongcheng.toml --records examples/rongcheng-sample.jsonl
    --as-of 2025-06-30 --subject 360426199101010071 --format json > standing.json &&
    socialcredit certificate issue-from-standing standing.json --out certificate.pdf --format json
    """
    from socialcredit.reports.issue import issue_certificate
    from socialcredit.reports.standing import load_standing_file

    data = load_standing_file(standing, subject=subject)
    file, payload = issue_certificate(
        data, subject_name=name, keys_dir=_keys_dir(keys_dir), out=out, valid_days=valid_days
    )
    if format is Format.json:
        print_json({"file": str(file), "payload": payload})
    else:
        print(f"wrote {file} (grade {data.get('grade')})\npayload: {payload}")


@report_app.command("render")
def report_render_command(
    standing: Path = typer.Argument(..., help="Standing JSON (one line of `evaluate --format json`), or - for stdin."),
    out: Path = typer.Option(..., "--out", help="FILE.pdf or FILE.html."),
    name: str | None = typer.Option(None, "--name", help="Subject's name for the header."),
    subject: str | None = typer.Option(
        None, "--subject", help="Pick this subject when the file holds several standings."
    ),
    policy: Path | None = typer.Option(
        None, "--policy", help="The handbook that produced the standing: adds rule and measure titles and legal bases."
    ),
    format: Format = typer.Option(Format.table, "--format", help="table, or json: {file}."),
) -> None:
    """Render a credit report (standing, explanation, lists, measures, handbook) as PDF or HTML.

    Example: socialcredit report render standing.json --policy policies/rongcheng.toml --out report.pdf
    """
    from socialcredit.reports.issue import render_report
    from socialcredit.reports.standing import load_standing_file, notes_from_policy

    data = load_standing_file(standing, subject=subject)
    notes = None
    if policy is not None:
        from socialcredit.policy import load_policy

        handbook = load_policy(policy)
        _same_handbook(handbook.hash, data, policy)
        notes = notes_from_policy(handbook)
    file = render_report(data, out=out, subject_name=name, notes=notes)
    if format is Format.json:
        print_json({"file": str(file)})
    else:
        print(f"wrote {file}")


def _same_handbook(hash_: str, data: dict[str, Any], path: Path) -> None:
    stated = (data.get("policy") or {}).get("hash") if isinstance(data.get("policy"), dict) else None
    if stated != hash_:
        raise InvalidInput(f"--policy {path}: handbook hash {hash_[:16]}… differs from the standing's {stated}")


def _read_certificate(value: str) -> str:
    """The payload text from a PDF, a text file, stdin (``-``) or the argument itself."""
    from socialcredit.reports.certificate_pdf import read_certificate_payload
    from socialcredit.reports.errors import UnreadableCertificate

    if value == "-":
        return sys.stdin.read().strip()
    if value.startswith("SC1."):
        return value
    path = Path(value)
    if not path.is_file():
        raise UnreadableCertificate(f"{value}: no such file, and not a certificate payload (SC1.…)")
    with path.open("rb") as handle:
        is_pdf = handle.read(5) == b"%PDF-"
    if is_pdf:
        return read_certificate_payload(path)
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableCertificate(f"{path}: neither a PDF nor a text payload ({error})") from None


def _keys_dir(option: Path | None) -> Path:
    if option is not None:
        return option
    from socialcredit.settings import load_settings

    return load_settings().keys_dir


def _date_option(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


def _json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def register(app: typer.Typer) -> None:
    app.add_typer(certificate_app, name="certificate")
    app.add_typer(report_app, name="report")
