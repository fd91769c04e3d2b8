"""The Chinese font of the bulletin PDF.

reportlab embeds TrueType outlines only: a ``.ttf``, or a ``.ttc`` collection of
TrueType fonts (WenQuanYi, Windows' SimSun). The Noto CJK / Source Han fonts that Debian
installs by default (``fonts-noto-cjk``) are OpenType with CFF outlines, which reportlab
refuses ("postscript outlines are not supported"). So the configured ``PDF_CJK_FONT`` is
tried first, then the usual places of TrueType CJK fonts; a font that does not load or
lacks Chinese characters is passed over. When none is found the PDF names Adobe's
``STSong-Light``, a CID font every PDF reader with Chinese support (Acrobat, pdf.js,
poppler with poppler-data) supplies itself: the text stays real text, not embedded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

#: Where TrueType CJK fonts usually are (Debian/Ubuntu packages, Windows, macOS).
SYSTEM_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",  # Fedora
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    # OpenType CFF (fonts-noto-cjk): refused by reportlab today, tried in case it learns.
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
#: Adobe's built-in Simplified Chinese font, drawn by the PDF reader.
BUILT_IN_CID_FONT = "STSong-Light"
#: Characters a font must have to be used: the title and the grade labels.
SAMPLE = "五色地图月度通报供电所红橙蓝绿黄优秀较好中等稍差落后"


#: Characters the built-in font's Unicode mapping (UniGB-UCS2-H) lacks, and the look-alikes
#: it has: the middle dot of the grade labels (红 · 优秀) would print as a box.
CID_STAND_INS = str.maketrans({"\u00b7": "\u30fb", "\u2212": "-"})


@dataclass(frozen=True)
class PdfFont:
    name: str  # as registered with reportlab
    path: str | None  # the embedded file; None: the built-in CID font

    @property
    def embedded(self) -> bool:
        return self.path is not None

    def drawable(self, text: str) -> str:
        """The text with stand-ins for characters the font cannot draw."""
        return text if self.embedded else text.translate(CID_STAND_INS)


def candidates() -> tuple[str, ...]:
    configured = getattr(settings, "PDF_CJK_FONT", "")
    return ((configured,) if configured else ()) + SYSTEM_CANDIDATES


def cjk_font() -> PdfFont:
    """The font the PDF draws its text with (registered with reportlab once)."""
    return _first_usable(candidates())


@lru_cache(maxsize=8)
def _first_usable(paths: tuple[str, ...]) -> PdfFont:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    configured = getattr(settings, "PDF_CJK_FONT", "")
    for path in paths:
        font = _truetype(path)
        if font is not None:
            return font
        if path == configured:
            logger.warning(
                "PDF_CJK_FONT=%s cannot be embedded (not TrueType, or no Chinese "
                "characters); the bulletin PDF uses another font.",
                path,
            )
    pdfmetrics.registerFont(UnicodeCIDFont(BUILT_IN_CID_FONT))
    return PdfFont(BUILT_IN_CID_FONT, None)


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
