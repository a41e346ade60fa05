"""Certificate and report files: the PDF carries a verifiable payload, real Chinese text in an embedded font,
and every contribution of the explanation; the HTML report escapes what it prints."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from socialcredit.errors import InvalidInput
from socialcredit.reports import (
    init_key,
    issue_certificate,
    load_public_keys,
    notes_from_policy,
    parse_standing,
    render_report,
    verify_payload,
)
from socialcredit.reports.certificate_pdf import read_certificate_payload
from socialcredit.reports.errors import FontMissing, NothingToCertify, SigningKeyMissing, UnreadableCertificate
from socialcredit.reports.fonts import ENV_VAR, cjk_font
from socialcredit.scoring import evaluate

from conftest import PERSON, make_policy, rec

AS_OF = date(2024, 6, 30)
TODAY = date(2024, 7, 1)


def standing(policy_extra: dict[str, str] | None = None) -> dict[str, Any]:
    """A standing with counted, capped, withdrawn, pending-notice and listed facts, from the real engine."""
    records = [
        rec("1", "minus5", "2024-03-01"),
        rec("2", "plus1.capped", "2024-05-02"),
        rec("3", "plus1.capped", "2024-05-03"),
        rec("4", "plus1.capped", "2024-05-04"),
        rec("5", "drunk", "2024-04-01"),
        rec("6", None, "2024-05-01", kind="withdraw", ref="1"),
        rec("7", "litter", "2024-06-29"),
        rec("c1", "defaulter", "2024-02-01", source="court", document="(2024)1"),
    ]
    return evaluate(records, make_policy(replace=policy_extra), AS_OF).as_json()


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def embedded_fonts(path: Path) -> list[str]:
    """BaseFont names of the fonts whose program is embedded (FontFile2) in any page."""
    names = []
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get_object().get("/Font", DictionaryObject()).get_object()
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.append(str(font["/BaseFont"]))
    return names


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    init_key(tmp_path / "keys")
    return tmp_path / "keys"


def test_certificate_pdf_metadata_payload_verifies(tmp_path: Path, keys_dir: Path) -> None:
    data = standing()
    out, payload = issue_certificate(data, subject_name="张三", keys_dir=keys_dir, out=tmp_path / "c.pdf", today=TODAY)
    assert out == tmp_path / "c.pdf"
    assert read_certificate_payload(out) == payload
    contents = verify_payload(payload, load_public_keys(keys_dir), today=TODAY)
    assert (contents["subject"], contents["grade"], contents["points"]) == (PERSON, data["grade"], data["points"])
    assert contents["valid_until"] == "2025-07-01"
    assert contents["policy"]["hash"] == data["policy"]["hash"][:16]


def test_certificate_pdf_has_chinese_text_in_an_embedded_font(tmp_path: Path, keys_dir: Path) -> None:
    out, payload = issue_certificate(standing(), subject_name="张三", keys_dir=keys_dir, out=tmp_path / "c.pdf")
    text = pdf_text(out)
    for expected in ("信用等级证书", "Credit grade certificate", "张三", PERSON, "有效期至"):
        assert expected in text
    assert payload[:60] in text.replace("\n", "")
    assert embedded_fonts(out), "no embedded TrueType font program in the PDF"


def test_no_grade_and_missing_key_write_nothing(tmp_path: Path, keys_dir: Path) -> None:
    consent = {'default_counts_for = "P1Y"': 'default_counts_for = "P1Y"\nscoring_requires_consent = true'}
    out = tmp_path / "c.pdf"
    with pytest.raises(NothingToCertify, match=PERSON):
        issue_certificate(standing(consent), subject_name=None, keys_dir=keys_dir, out=out)
    with pytest.raises(SigningKeyMissing, match="init-key"):
        issue_certificate(standing(), subject_name=None, keys_dir=tmp_path / "none", out=out)
    with pytest.raises(InvalidInput, match="valid_days"):
        issue_certificate(standing(), subject_name=None, keys_dir=keys_dir, out=out, valid_days=0)
    assert list(tmp_path.iterdir()) == [keys_dir]


def test_bad_standing_names_the_field(tmp_path: Path) -> None:
    data = standing()
    del data["policy"]["hash"]
    data["contributions"][0]["points"] = "ten"
    with pytest.raises(InvalidInput) as caught:
        parse_standing(data)
    problems = "\n".join(caught.value.details)
    assert "standing.policy.hash" in problems and "standing.contributions.0.points" in problems
    with pytest.raises(InvalidInput):
        render_report(data, out=tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_report_pdf_lists_every_contribution_with_titles_and_legal_bases(tmp_path: Path) -> None:
    data = standing()
    notes = notes_from_policy(make_policy())
    out = render_report(data, out=tmp_path / "r.pdf", subject_name="李四", notes=notes)
    flat = "".join(pdf_text(out).split())
    statuses = {c["status"] for c in data["contributions"]}
    assert {"counted", "capped", "withdrawn", "pending-notice"} <= statuses
    for contribution in data["contributions"]:
        assert contribution["rule"] in flat and contribution["status"].replace("-", "") in flat.replace("-", "")
    for expected in ("信用报告", "李四", data["policy"]["hash"], "defaulters", "SPCart.3(1)", "Drunkdriving"):
        assert expected in flat
    assert embedded_fonts(out)


def test_report_html_escapes_and_shows_everything(tmp_path: Path) -> None:
    data = standing()
    data["contributions"][0]["record"] = "<script>alert(1)</script>"
    out = render_report(
        data, out=tmp_path / "r.html", subject_name="O'Brien & 王", notes=notes_from_policy(make_policy())
    )
    html = out.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "O&#39;Brien &amp; 王" in html and "信用报告 / Credit report" in html
    for contribution in data["contributions"]:
        assert f"<code>{contribution['rule']}</code>" in html
    assert "SPC art. 3(1)" in html and "Drunk driving" in html
    with pytest.raises(InvalidInput, match=r"\.pdf or \.html"):
        render_report(data, out=tmp_path / "r.txt")


def test_font_search_errors_name_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FontMissing, match="fonts-wqy-microhei"):
        cjk_font(tmp_path / "missing.ttc")
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    with pytest.raises(FontMissing, match="cannot be embedded"):
        cjk_font(bogus)
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing.ttc"))
    with pytest.raises(FontMissing, match=ENV_VAR):
        cjk_font()


def test_reading_a_payload_from_something_that_is_not_a_certificate(tmp_path: Path) -> None:
    with pytest.raises(UnreadableCertificate, match="no such file"):
        read_certificate_payload(tmp_path / "missing.pdf")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(UnreadableCertificate):
        read_certificate_payload(tmp_path / "broken.pdf")
    report = render_report(standing(), out=tmp_path / "report.pdf")
    with pytest.raises(UnreadableCertificate, match="without a certificate payload"):
        read_certificate_payload(report)
