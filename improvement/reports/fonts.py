"""The Chinese font of the bulletin PDF, embedded so that any reader shows it.

reportlab embeds TrueType outlines only (a ``.ttf``, or a ``.ttc`` of TrueType fonts such
as WenQuanYi or Windows' SimSun); Noto CJK / Source Han are CFF and refused. The project
ships its own: ``fontdata/BulletinSansSC-Regular.ttf``, Noto Sans SC cut to the
characters GBK encodes and converted to TrueType (``scripts/build_pdf_font.py``, SIL Open
Font License), so every install path (``make install``, the Docker image, a wheel) has
it. A configured ``PDF_CJK_FONT`` (for a character outside GBK, or a house font) comes
first; one that does not load or lacks Chinese is passed over with a warning. The PDF
embeds a subset of the font: only the glyphs it uses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

#: The font shipped with the project (see fontdata/README.md).
BUNDLED_FONT = Path(__file__).resolve().parent / "fontdata" / "BulletinSansSC-Regular.ttf"
#: Characters a font must have to be used: the title and the grade labels.
SAMPLE = "五色地图月度通报供电所红橙蓝绿黄优秀较好中等稍差落后·"


@dataclass(frozen=True)
class PdfFont:
    name: str  # as registered with reportlab
    path: str  # the file embedded (as a subset)


def candidates() -> tuple[str, ...]:
    configured = getattr(settings, "PDF_CJK_FONT", "")
    return ((configured,) if configured else ()) + (str(BUNDLED_FONT),)


def cjk_font() -> PdfFont:
    """The font the PDF draws its text with (registered with reportlab once)."""
    return _first_usable(candidates())


@lru_cache(maxsize=8)
def _first_usable(paths: tuple[str, ...]) -> PdfFont:
    for path in paths:
        font = _truetype(path)
        if font is not None:
            return font
        logger.warning(
            "The font %s cannot be embedded in the bulletin PDF (not TrueType, or no "
            "Chinese characters); it uses the next one.",
            path,
        )
    raise RuntimeError(f"The bulletin PDF's font {BUNDLED_FONT} is missing or broken.")


def _truetype(path: str) -> PdfFont | None:
    """The font at ``path`` registered for embedding, or None when it cannot be used."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if not Path(path).is_file():
        return None
    name = f"BulletinCJK-{Path(path).stem}"
    try:
        font = TTFont(name, path, subfontIndex=0)
    except (TTFError, OSError, ValueError) as error:
        logger.info("Font %s not usable for the PDF: %s", path, error)
        return None
    if not all(ord(char) in font.face.charToGlyph for char in SAMPLE):
        logger.info("Font %s has no Chinese characters; not used for the PDF.", path)
        return None
    pdfmetrics.registerFont(font)
    return PdfFont(name, path)
