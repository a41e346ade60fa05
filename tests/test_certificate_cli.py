"""``socialcredit certificate …`` and ``report render``: exit 0 valid, 1 invalid, 2 unreadable input."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcredit.cli.main import app
from socialcredit.reports import init_key, load_signing_key, sign_certificate
from socialcredit.scoring import evaluate

from conftest import PERSON, PERSON2, make_policy, rec

runner = CliRunner()


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "socialcredit", *args], capture_output=True, text=True, check=False, cwd=cwd
    )


def standing_file(tmp_path: Path) -> Path:
    policy = make_policy()
    lines = [
        evaluate([rec("1", "heroic", "2024-03-01"), rec("2", "minus5", "2024-04-01")], policy, date(2024, 6, 30)),
        evaluate([rec("3", "drunk", "2024-05-01", subject=PERSON2)], policy, date(2024, 6, 30)),
    ]
    path = tmp_path / "standings.jsonl"
    path.write_text("".join(json.dumps(s.as_json()) + "\n" for s in lines), encoding="utf-8")
    return path


@pytest.fixture
def issued(tmp_path: Path) -> tuple[Path, Path, str]:
    """(keys dir, certificate PDF, payload) issued through the CLI."""
    keys = tmp_path / "keys"
    made = runner.invoke(app, ["certificate", "init-key", "--keys-dir", str(keys), "--format", "json"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["created"] is True
    out = tmp_path / "cert.pdf"
    args = ["certificate", "issue-from-standing", str(standing_file(tmp_path)), "--subject", PERSON]
    result = runner.invoke(
        app, [*args, "--out", str(out), "--keys-dir", str(keys), "--format", "json", "--name", "张三"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["file"] == str(out) and out.is_file()
    return keys, out, body["payload"]


def test_verify_pdf_and_payload_exit_0_with_contents(issued: tuple[Path, Path, str]) -> None:
    keys, pdf, payload = issued
    public = keys / "certificate-signing.pub.pem"
    for given in (str(pdf), payload):
        result = runner.invoke(app, ["certificate", "verify", given, "--public-key", str(public)])
        assert result.exit_code == 0, result.stderr
        contents = json.loads(result.stdout)
        assert contents["subject"] == PERSON and contents["grade"] == "A" and contents["points"] == "1025"
    from_settings = runner.invoke(app, ["certificate", "verify", str(pdf)], env={"SOCIALCREDIT_KEYS_DIR": str(keys)})
    assert from_settings.exit_code == 0 and json.loads(from_settings.stdout)["subject"] == PERSON


def test_verify_exit_1_for_tampered_unknown_key_and_expired(issued: tuple[Path, Path, str], tmp_path: Path) -> None:
    keys, _, payload = issued
    flipped = payload[:-5] + ("A" if payload[-5] != "A" else "B") + payload[-4:]
    result = runner.invoke(app, ["certificate", "verify", flipped, "--keys-dir", str(keys)])
    assert result.exit_code == 1 and "bad-signature" in result.stderr and result.stdout == ""

    stranger = init_key(tmp_path / "stranger")
    result = runner.invoke(app, ["certificate", "verify", payload, "--public-key", str(stranger.public_path)])
    assert result.exit_code == 1 and "unknown-key" in result.stderr

    old = sign_certificate(
        subject=PERSON, grade="A", points="1000", as_of=date(2020, 1, 1), issued=date(2020, 1, 2),
        valid_until=date(2021, 1, 2), policy={"id": "t", "version": "1", "hash": "ab" * 32},
        private_key=load_signing_key(keys),
    )  # fmt: skip
    result = runner.invoke(app, ["certificate", "verify", old, "--keys-dir", str(keys)])
    assert result.exit_code == 1 and "expired on 2021-01-02" in result.stderr and result.stdout == ""
    result = runner.invoke(app, ["certificate", "verify", old, "--keys-dir", str(keys), "--on", "2020-06-01"])
    assert result.exit_code == 0 and json.loads(result.stdout)["valid_until"] == "2021-01-02"


def test_verify_exit_2_for_unreadable_input(issued: tuple[Path, Path, str], tmp_path: Path) -> None:
    keys, _, payload = issued
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.7 not really")
    for given in (str(tmp_path / "missing.pdf"), str(tmp_path / "notes.pdf")):
        result = runner.invoke(app, ["certificate", "verify", given, "--keys-dir", str(keys)])
        assert result.exit_code == 2 and result.stderr.startswith("error: ") and result.stdout == ""
    result = runner.invoke(app, ["certificate", "verify", payload, "--keys-dir", str(tmp_path / "nokeys")])
    assert result.exit_code == 2 and "no public keys" in result.stderr


def test_verify_reads_stdin_and_payload_files(issued: tuple[Path, Path, str], tmp_path: Path) -> None:
    keys, _, payload = issued
    result = runner.invoke(app, ["certificate", "verify", "-", "--keys-dir", str(keys)], input=payload + "\n")
    assert result.exit_code == 0 and json.loads(result.stdout)["subject"] == PERSON
    (tmp_path / "scanned.txt").write_text(payload + "\n")
    result = runner.invoke(app, ["certificate", "verify", str(tmp_path / "scanned.txt"), "--keys-dir", str(keys)])
    assert result.exit_code == 0


def test_keys_commands_never_print_the_private_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    first = runner.invoke(app, ["certificate", "init-key", "--keys-dir", str(keys)])
    second = runner.invoke(app, ["certificate", "init-key", "--keys-dir", str(keys)])
    public = runner.invoke(app, ["certificate", "public-key", "--keys-dir", str(keys)])
    assert "(created)" in first.stdout and "(exists)" in second.stdout
    assert public.stdout == (keys / "certificate-signing.pub.pem").read_text()
    secret = (keys / "certificate-signing.pem").read_text().splitlines()[1]
    for result in (first, second, public):
        assert result.exit_code == 0 and "PRIVATE" not in result.output and secret not in result.output


def test_issue_and_render_errors_exit_2_and_write_nothing(tmp_path: Path) -> None:
    standings = standing_file(tmp_path)
    out = tmp_path / "cert.pdf"
    result = cli(
        "certificate", "issue-from-standing", str(standings), "--out", str(out), "--keys-dir", str(tmp_path / "k")
    )
    assert result.returncode == 2 and "--subject" in result.stderr  # two standings in the file
    result = cli(
        "certificate", "issue-from-standing", str(standings), "--subject", PERSON, "--out", str(out),
        "--keys-dir", str(tmp_path / "k"),
    )  # fmt: skip
    assert result.returncode == 2 and "init-key" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "bad.json").write_text('{"subject": "x"}')
    result = cli("report", "render", str(tmp_path / "bad.json"), "--out", str(tmp_path / "r.pdf"))
    assert result.returncode == 2 and "as_of" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "standings.jsonl"]


def test_report_render_pdf_and_html_with_the_handbook(tmp_path: Path) -> None:
    standings = standing_file(tmp_path)
    handbook = tmp_path / "handbook.toml"
    from conftest import POLICY_TOML

    handbook.write_text(POLICY_TOML, encoding="utf-8")
    for name in ("r.pdf", "r.html"):
        args = ["report", "render", str(standings), "--subject", PERSON2, "--policy", str(handbook)]
        result = runner.invoke(app, [*args, "--out", str(tmp_path / name), "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {"file": str(tmp_path / name)}
    assert "Drunk driving" in (tmp_path / "r.html").read_text(encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text(POLICY_TOML.replace('version = "1"', 'version = "2"'), encoding="utf-8")
    result = cli(
        "report",
        "render",
        str(standings),
        "--subject",
        PERSON2,
        "--policy",
        str(other),
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert result.returncode == 2 and "differs" in result.stderr and not (tmp_path / "x.pdf").exists()


def test_end_to_end_through_the_installed_command(tmp_path: Path) -> None:
    """Real processes: key in the default keys dir (cwd), issue, verify the PDF, then tamper its metadata."""
    assert cli("certificate", "init-key", cwd=tmp_path).returncode == 0
    standings = standing_file(tmp_path)
    issued = cli(
        "certificate", "issue-from-standing", str(standings), "--subject", PERSON, "--out", "c.pdf",
        "--format", "json", cwd=tmp_path,
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    payload = json.loads(issued.stdout)["payload"]
    verified = cli("certificate", "verify", "c.pdf", cwd=tmp_path)
    assert verified.returncode == 0 and json.loads(verified.stdout)["grade"] == "A"
    data = (tmp_path / "c.pdf").read_bytes()
    assert data.count(payload.encode()) == 1  # the /Subject metadata string
    body = payload.split(".")[1]
    swapped = body[:20] + ("B" if body[20] == "A" else "A") + body[21:]
    (tmp_path / "forged.pdf").write_bytes(data.replace(body.encode(), swapped.encode()))
    forged = cli("certificate", "verify", "forged.pdf", cwd=tmp_path)
    assert forged.returncode == 1 and "invalid certificate" in forged.stderr and forged.stdout == ""
