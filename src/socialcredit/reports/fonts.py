"""A CJK TrueType font for PDFs, found on the system and registered with reportlab (embedded as a subset).

Search order: an explicit path, then ``SOCIALCREDIT_CJK_FONT`` (read when called), then the Debian
packages below. Only TrueType outlines can be embedded by reportlab: Noto CJK (``fonts-noto-cjk``) ships
PostScript (CFF) outlines, so it is tried but normally skipped with its reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from socialcredit.reports.errors import FontMissing

ENV_VAR = "SOCIALCREDIT_CJK_FONT"
PACKAGE_HINT = "install Debian's fonts-wqy-microhei (apt-get install fonts-wqy-microhei)"


@dataclass(frozen=True, slots=True)
class FontFile:
    path: Path
    subfont: int = 0


CANDIDATES = (
    FontFile(Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")),
    FontFile(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")),
    FontFile(Path("/usr/share/fonts/truetype/arphic/uming.ttc")),
    FontFile(Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")),
    FontFile(Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), subfont=2),
    FontFile(Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"), subfont=2),
)


def cjk_font(explicit: Path | None = None) -> str:
    """Register the first usable CJK font with reportlab and return its font name."""
    override = explicit or (Path(os.environ[ENV_VAR]) if os.environ.get(ENV_VAR) else None)
    if override is not None:
        if not override.is_file():
            raise FontMissing(f"CJK font {override} (from {ENV_VAR} or --font) does not exist; {PACKAGE_HINT}")
        return _register(FontFile(override))
    tried = []
    for candidate in CANDIDATES:
        if not candidate.path.is_file():
            continue
        try:
            return _register(candidate)
        except FontMissing as error:
            tried.append(error.message)
    skipped = "".join(f"; skipped: {reason}" for reason in tried)
    raise FontMissing(
        f"no CJK TrueType font found to embed Chinese text; {PACKAGE_HINT}, "
        f"or set {ENV_VAR} to a .ttf/.ttc file{skipped}"
    )


@cache
def _register(font: FontFile) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    name = f"CJK-{font.path.stem}-{font.subfont}"
    try:
        pdfmetrics.registerFont(TTFont(name, str(font.path), subfontIndex=font.subfont))
    except (TTFError, OSError) as error:
        raise FontMissing(f"CJK font {font.path} cannot be embedded: {error}") from None
    return name
