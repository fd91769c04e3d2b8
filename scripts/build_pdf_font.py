#!/usr/bin/env python3
"""Build the bulletin PDF's Chinese font: Noto Sans SC, cut to the characters GBK can
write and redrawn with TrueType outlines.

    scripts/build_pdf_font.py NotoSansSC-Regular.otf

reportlab embeds only TrueType (``glyf``) outlines, and Noto Sans SC / Noto Sans CJK
are OpenType with CFF outlines. So the glyphs are converted (cubic to quadratic curves,
within 1 unit of the 1000-unit em) and the font is cut to: Latin, punctuation and
symbols below U+3000, the CJK symbols, every ideograph GBK encodes (about 21,000: the
feeding systems' tables are GBK or UTF-8) and the full-width forms. The result,
``improvement/reports/fontdata/BulletinSansSC-Regular.ttf``, is renamed "Bulletin
Sans SC" as a modified version under the SIL Open Font License 1.1 (OFL.txt beside it);
reportlab embeds only the glyphs a PDF uses.

The source: ``NotoSansSC-Regular.otf`` (Noto CJK 2.004, in the PyPI package
``pylopdf-fonts-zh-cn`` or the notofonts/noto-cjk releases), or Debian's
``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc`` with ``--number 2`` (SC).
Needs fonttools (a dev dependency). Takes about half a minute.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "improvement" / "reports" / "fontdata" / "BulletinSansSC-Regular.ttf"
FAMILY = "Bulletin Sans SC"
POSTSCRIPT_NAME = "BulletinSansSC-Regular"
#: Maximum distance of the quadratic curves from the cubic ones, in font units.
MAX_ERROR = 1.0


def characters() -> set[int]:
    wanted = set(range(0x20, 0x3000)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for code in range(0x4E00, 0xA000):
        try:
            chr(code).encode("gbk")
        except UnicodeEncodeError:
            continue
        wanted.add(code)
    return wanted


def cut(font: TTFont) -> None:
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE", "GPOS", "GSUB", "GDEF", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)


def to_truetype(font: TTFont) -> None:
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: the PDF maps characters through cmap
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont) -> None:
    """A modified version takes another name (OFL 1.1, condition 3 in spirit)."""
    names = font["name"]
    full = f"{FAMILY} Regular"
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 4:
            names.setName(full, 4, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(POSTSCRIPT_NAME, 6, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            unique = f"{POSTSCRIPT_NAME}; derived from {record.toUnicode()}"
            names.setName(unique, 3, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (7, 8, 9, 11, 12):  # trademark, vendor, designer, URLs
            names.removeNames(nameID=record.nameID)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="NotoSansSC-Regular.otf or a Noto CJK .ttc")
    parser.add_argument("--number", type=int, default=0, help="the font's index in a .ttc")
    parser.add_argument("--output", type=Path, default=TARGET)
    arguments = parser.parse_args()
    font = TTFont(arguments.source, fontNumber=arguments.number)
    cut(font)
    to_truetype(font)
    rename(font)
    font.save(arguments.output)
    print(f"{arguments.output}: {len(font.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    main()
