"""Pure parts of the web application: message catalogues, language choice, SVG charts, grade bands."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from socialcredit.scoring import evaluate
from socialcredit.web import charts
from socialcredit.web.i18n import Translator, catalogue, pick_language
from socialcredit.web.standing_view import band, build

from conftest import make_policy, rec

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "socialcredit" / "web" / "templates"


def test_both_catalogues_have_the_same_keys_and_fields() -> None:
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en) == set(zh)
    for key, text in en.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", zh[key])), key
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["app.name"])


def test_every_message_a_template_names_exists() -> None:
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""_\(["']([a-z_.-]+)["']\s*[,)]""", template.read_text(encoding="utf-8")))
    assert used and used <= set(catalogue("en")), used - set(catalogue("en"))


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        ("en", "zh-CN,zh;q=0.9", "en"),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        (None, "en-US,en;q=0.9,zh;q=0.5", "en"),
        (None, "fr-FR,en;q=0.2,zh;q=0.8", "zh"),
        (None, "fr-FR", "zh"),
        (None, None, "en"),
        ("xx", "en", "en"),
    ],
)
def test_language_choice(cookie: str | None, header: str | None, expected: str) -> None:
    assert pick_language(cookie, header) == expected


def test_translator_formats_and_falls_back_to_the_key() -> None:
    _ = Translator("zh")
    assert _("standing.records", n=3) == "全部记录（3 条），含规则、证据和状态"
    assert _("no.such.key") == "no.such.key"


def test_charts_are_well_formed_svg_with_every_label() -> None:
    made = [
        charts.bars([("A", 5), ("B & C", 0)], title="Grades <all>"),
        charts.hbars([("利 rule", 3.5), ("other", -2)], title="Rules", unit=" pts"),
        charts.lines(["2025-01", "2025-02"], {"+": [1, 4], "-": [2, 0]}, title="Trend"),
        charts.bars([], title="Empty"),
    ]
    for svg in made:
        root = ET.fromstring(str(svg))
        assert root.tag.endswith("svg") and root.get("viewBox")
    assert "B &amp; C" in str(made[0]) and "Grades &lt;all&gt;" in str(made[0])
    assert str(made[1]).count("<rect") == 2 and "利 rule" in str(made[1])


def test_band_names_the_next_grade_and_the_distance() -> None:
    policy = make_policy()  # A >= 1000, B >= 900, C
    standing = evaluate([rec("1", "minus5", "2024-01-10")], policy, date(2024, 2, 1))
    found = band(standing, policy)
    assert found is not None
    assert (found.better, found.to_better, found.worse, found.above_worse) == ("A", 500, "C", 9500)
    view = build(standing, policy, [])
    assert [line.title for line in view.lines] == ["Minus five"] and view.lines[0].status == "counted"


def test_band_names_a_grade_ceiling() -> None:
    policy = make_policy()
    standing = evaluate([rec("1", "drunk", "2024-01-10"), rec("2", "heroic", "2024-01-11")], policy, date(2024, 2, 1))
    found = band(standing, policy)
    assert standing.grade == "B" and found is not None and found.capped_by == "drunk"


def test_thumbnails_are_small_jpegs_made_once_and_undecodable_files_pass_through(tmp_path: Path) -> None:
    from PIL import Image

    from socialcredit.cli.demo_county import photo_bytes
    from socialcredit.web.evidence import THUMB_SIZE, thumbnail

    photo = tmp_path / "photo"
    photo.write_bytes(photo_bytes(3))
    made = thumbnail(photo, tmp_path / "thumbs" / "a.jpg")
    with Image.open(made) as image:
        assert image.format == "JPEG" and max(image.size) <= THUMB_SIZE
    stamp = made.stat().st_mtime_ns
    assert thumbnail(photo, made) == made and made.stat().st_mtime_ns == stamp
    broken = tmp_path / "broken"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 32)
    assert thumbnail(broken, tmp_path / "thumbs" / "b.jpg") == broken
    assert list((tmp_path / "thumbs").iterdir()) == [made]
