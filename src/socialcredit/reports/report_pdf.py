"""The credit report as a PDF (reportlab platypus), with an embedded CJK font so Chinese is real text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from socialcredit.reports.files import write_atomically
from socialcredit.reports.fonts import cjk_font
from socialcredit.reports.view import ReportView

MARGIN = 18 * mm


def render_report_pdf(report: ReportView, out: Path, *, font: Path | None = None) -> Path:
    """Write ``report`` as a PDF to ``out`` (whole or not at all); ``font`` overrides the CJK font search."""
    styles = _Styles(cjk_font(font))

    def write(path: Path) -> None:
        document = SimpleDocTemplate(
            str(path),
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=f"{report.title} — {report.subject}",
            subject=f"{report.policy_id} {report.policy_version} sha256:{report.policy_hash}",
            creator="socialcredit",
            author="socialcredit",
        )
        footer = _footer(report, styles.font)
        document.build(_story(report, styles), onFirstPage=footer, onLaterPages=footer)

    return write_atomically(out, write)


class _Styles:
    def __init__(self, font: str) -> None:
        self.font = font
        base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5)
        self.title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=6)
        self.heading = ParagraphStyle("heading", parent=base, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
        self.big = ParagraphStyle("big", parent=base, fontSize=14, leading=18)


def _story(report: ReportView, s: _Styles) -> list[Flowable]:
    header = [
        ("主体 / Subject", report.subject),
        *([("名称 / Name", report.subject_name)] if report.subject_name else []),
        ("评定日期 / As of", report.as_of),
        ("数据截至 / Known at", report.known_at),
        ("评分手册 / Handbook", _handbook(report)),
        ("手册哈希 / Handbook SHA-256", report.policy_hash),
    ]
    summary = [
        ("信用分 / Points", report.points),
        ("信用等级 / Grade", report.grade),
        ("下次变化 / Next change on", report.next_change_on),
    ]
    return [
        Paragraph(escape(report.title), s.title),
        _pairs(header, s, s.body),
        Paragraph("信用状况 / Standing", s.heading),
        _pairs(summary, s, s.big),
        Paragraph("明细 / Explanation", s.heading),
        _explanation(report, s),
        Paragraph("名单 / Lists", s.heading),
        _lists(report, s),
        Paragraph("联合奖惩措施 / Measures", s.heading),
        _measures(report, s),
        Spacer(1, 6 * mm),
        Paragraph(escape(f"生成时间 / Generated at {report.generated_at}"), s.small),
    ]


def _handbook(report: ReportView) -> str:
    title = f" — {report.policy_title}" if report.policy_title else ""
    return f"{report.policy_id} {report.policy_version}{title}"


def _pairs(rows: list[tuple[str, str]], s: _Styles, value_style: ParagraphStyle) -> Table:
    data = [[Paragraph(escape(label), s.body), Paragraph(escape(value), value_style)] for label, value in rows]
    table = Table(data, colWidths=[52 * mm, None], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TEXTCOLOR", (0, 0), (0, -1), colors.grey)]))
    return table


def _grid(head: list[str], rows: list[list[str]], widths: list[float], s: _Styles, empty: str) -> Flowable:
    if not rows:
        return Paragraph(escape(empty), s.body)
    data = [[Paragraph(escape(cell).replace("\n", "<br/>"), s.small) for cell in row] for row in [head, *rows]]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _explanation(report: ReportView, s: _Styles) -> Flowable:
    rows = [
        [c.source, c.record, c.rule + (f"\n{c.title}" if c.title else ""), c.legal_basis, c.points, c.status_label]
        for c in report.contributions
    ]
    head = ["来源 Source", "记录 Record", "规则 Rule", "依据 Legal basis", "分值 Points", "状态 Status"]
    widths = [w * mm for w in (24, 26, 42, 36, 18, 28)]
    return _grid(head, rows, widths, s, "无记录 / No records.")


def _lists(report: ReportView, s: _Styles) -> Flowable:
    rows = [[e.id + (f"\n{e.title}" if e.title else ""), e.since, e.until] for e in report.lists]
    widths = [w * mm for w in (94, 40, 40)]
    return _grid(["名单 List", "自 Since", "至 Until"], rows, widths, s, "不在任何名单 / On no list.")


def _measures(report: ReportView, s: _Styles) -> Flowable:
    rows = [
        [m.id + (f"\n{m.title}" if m.title else ""), m.service, m.effect_label, m.legal_basis] for m in report.measures
    ]
    widths = [w * mm for w in (52, 30, 26, 66)]
    head = ["措施 Measure", "服务 Service", "效果 Effect", "依据 Legal basis"]
    return _grid(head, rows, widths, s, "无适用措施 / No measures apply.")


def _footer(report: ReportView, font: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    text = (
        f"{report.subject} · {report.policy_id} {report.policy_version} · sha256 {report.policy_hash[:16]}… · "
        f"{report.generated_at}"
    )

    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, 10 * mm, text)
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"{document.page}")
        canvas.restoreState()

    return draw
