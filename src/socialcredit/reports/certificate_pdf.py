"""The certificate as a one-page PDF: bilingual text, a QR code carrying the signed payload, and the
payload again in the PDF's ``/Subject`` metadata so a verifier reads it back without decoding images."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from socialcredit.reports.certificate import PREFIX
from socialcredit.reports.errors import UnreadableCertificate
from socialcredit.reports.files import write_atomically
from socialcredit.reports.fonts import cjk_font

TITLE_ZH = "信用等级证书"
TITLE_EN = "Credit grade certificate"
WIDTH, HEIGHT = A4
MARGIN = 20 * mm
QR_SIZE = 62 * mm


def render_certificate_pdf(
    out: Path,
    *,
    payload: str,
    contents: Mapping[str, Any],
    subject_name: str | None = None,
    policy_hash: str | None = None,
    font: Path | None = None,
) -> Path:
    """Write the certificate for verified ``contents`` (and its ``payload``) to ``out``, whole or not at all.

    ``policy_hash`` is the handbook's full SHA-256 (the payload carries its first 16 hex characters).
    """
    name = cjk_font(font)

    def write(path: Path) -> None:
        canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
        canvas.setTitle(f"{TITLE_ZH} / {TITLE_EN} — {contents['subject']}")
        canvas.setSubject(payload)
        canvas.setAuthor("socialcredit")
        canvas.setCreator("socialcredit")
        canvas.setKeywords(f"socialcredit certificate {contents['kid']}")
        _draw_text(canvas, name, contents, subject_name, policy_hash)
        _draw_qr(canvas, name, payload, x=WIDTH - MARGIN - QR_SIZE, y=70 * mm)
        _draw_payload(canvas, name, payload)
        canvas.showPage()
        canvas.save()

    return write_atomically(out, write)


def read_certificate_payload(path: Path) -> str:
    """The payload stored in a certificate PDF's ``/Subject`` metadata."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        subject = reader.metadata.subject if reader.metadata else None
    except FileNotFoundError:
        raise UnreadableCertificate(f"{path}: no such file") from None
    except (PyPdfError, OSError, ValueError) as error:
        raise UnreadableCertificate(f"{path}: not a readable PDF ({error})") from None
    if not subject or not str(subject).startswith(f"{PREFIX}."):
        raise UnreadableCertificate(f"{path}: a PDF without a certificate payload in its metadata")
    return str(subject)


def _fields(contents: Mapping[str, Any], subject_name: str | None, policy_hash: str | None) -> list[tuple[str, str]]:
    policy = contents["policy"]
    points = contents["points"] if contents["points"] is not None else "— (未经同意不显示 / not shown without consent)"
    rows = [("主体 / Subject", contents["subject"])]
    if subject_name:
        rows.append(("名称 / Name", subject_name))
    return [
        *rows,
        ("信用分 / Points", points),
        ("评定日期 / As of", contents["as_of"]),
        ("签发日期 / Issued", contents["issued"]),
        ("有效期至 / Valid until", contents["valid_until"]),
        ("评分手册 / Handbook", f"{policy['id']} {policy['version']}"),
        ("手册哈希 / Handbook hash", policy_hash or f"{policy['hash']}…"),
        ("签名密钥 / Signing key", f"Ed25519 {contents['kid']}"),
    ]


def _draw_text(
    canvas: Canvas, font: str, contents: Mapping[str, Any], subject_name: str | None, policy_hash: str | None
) -> None:
    top = HEIGHT - MARGIN
    canvas.setFont(font, 26)
    canvas.drawCentredString(WIDTH / 2, top - 12 * mm, TITLE_ZH)
    canvas.setFont(font, 15)
    canvas.drawCentredString(WIDTH / 2, top - 21 * mm, TITLE_EN)
    canvas.setStrokeColor(colors.grey)
    canvas.line(MARGIN, top - 27 * mm, WIDTH - MARGIN, top - 27 * mm)
    canvas.setFont(font, 12)
    canvas.drawString(MARGIN, top - 42 * mm, "信用等级 / Grade")
    canvas.setFont(font, 40)
    canvas.drawString(MARGIN + 55 * mm, top - 45 * mm, str(contents["grade"]))
    y = top - 62 * mm
    for label, value in _fields(contents, subject_name, policy_hash):
        canvas.setFont(font, 10)
        canvas.setFillColor(colors.dimgrey)
        canvas.drawString(MARGIN, y, label)
        canvas.setFillColor(colors.black)
        canvas.setFont(font, 8 if len(value) > 48 else 11)
        canvas.drawString(MARGIN + 55 * mm, y, value)
        y -= 9 * mm


def _draw_qr(canvas: Canvas, font: str, payload: str, *, x: float, y: float) -> None:
    """The payload as a QR code (error correction M), drawn as vector squares with a quiet zone."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = QR_SIZE / len(matrix)
    canvas.setFillColor(colors.black)
    for row_index, row in enumerate(matrix):
        top = y + QR_SIZE - (row_index + 1) * module
        start = None
        for col_index, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                canvas.rect(x + start * module, top, (col_index - start) * module, module, stroke=0, fill=1)
                start = None
    canvas.setFont(font, 8)
    canvas.drawCentredString(x + QR_SIZE / 2, y - 4 * mm, "扫码验证 / Scan to verify")


def _draw_payload(canvas: Canvas, font: str, payload: str) -> None:
    canvas.setFillColor(colors.black)
    canvas.setFont(font, 8)
    canvas.drawString(MARGIN, 46 * mm, "签名数据 / Signed payload (Ed25519):")
    canvas.setFont("Courier", 6)
    per_line = int((WIDTH - 2 * MARGIN) // canvas.stringWidth("M", "Courier", 6))
    y = 41 * mm
    for start in range(0, len(payload), per_line):
        canvas.drawString(MARGIN, y, payload[start : start + per_line])
        y -= 2.6 * mm
