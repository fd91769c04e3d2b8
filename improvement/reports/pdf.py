"""The bulletin as an A4 PDF (reportlab): title, company, summary, one table per section
with grade cells filled with the grade's colour and carrying its label, page numbers."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from improvement.reports.fonts import PdfFont, cjk_font
from improvement.selectors.bulletin import Bulletin
from improvement.text import bulletin as text
from improvement.text.bulletin import Alert, GradeCell, Section
from mapviews.text import signed

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b8c0cc")
HEADER_FILL = colors.HexColor("#e8ecf1")
ALERT_INK = colors.HexColor("#b00020")
ALERT_FILL = colors.HexColor("#fdecea")
MARGIN = 15 * mm


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    company: ParagraphStyle
    summary: ParagraphStyle
    heading: ParagraphStyle
    note: ParagraphStyle
    more: ParagraphStyle
    cell: ParagraphStyle
    number: ParagraphStyle
    header: ParagraphStyle
    font: PdfFont

    def para(self, value: str) -> str:
        """Plain text as Paragraph markup: escaped, line breaks kept."""
        return escape(value).replace("\n", "<br/>")


def _styles(pdf_font: PdfFont) -> Styles:
    font = pdf_font.name
    wrap = "CJK" if (get_language() or "").startswith("zh") else None
    base = ParagraphStyle(
        "base", fontName=font, fontSize=9, leading=12, textColor=INK, wordWrap=wrap
    )
    cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10)
    return Styles(
        title=ParagraphStyle("title", parent=base, fontSize=17, leading=22, spaceAfter=2),
        company=ParagraphStyle("company", parent=base, fontSize=10, textColor=MUTED),
        summary=ParagraphStyle(
            "summary",
            parent=base,
            fontSize=10,
            leading=15,
            spaceBefore=6,
            spaceAfter=4,
            borderPadding=6,
            backColor=HEADER_FILL,
        ),
        heading=ParagraphStyle(
            "heading", parent=base, fontSize=12, leading=16, spaceBefore=12, spaceAfter=4
        ),
        note=ParagraphStyle(
            "note", parent=base, fontSize=8, leading=10, textColor=MUTED, spaceBefore=3
        ),
        more=ParagraphStyle("more", parent=base, fontSize=9, leading=12, spaceBefore=3),
        cell=cell,
        number=ParagraphStyle("number", parent=cell, alignment=TA_RIGHT),
        header=ParagraphStyle("header", parent=cell),
        font=pdf_font,
    )


def bulletin_pdf(bulletin: Bulletin, whole_lists: Mapping[str, str] | None = None) -> bytes:
    """The bulletin on A4; ``whole_lists``: where each cut list is downloaded whole (said
    under the list)."""
    font = cjk_font()
    styles = _styles(font)
    buffer = io.BytesIO()
    title = text.title(bulletin)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author=bulletin.company.name,
        lang=get_language() or "",
    )
    story = [
        Paragraph(styles.para(title), styles.title),
        Paragraph(styles.para(bulletin.company.name), styles.company),
        Spacer(1, 4 * mm),
        Paragraph(styles.para(text.summary(bulletin)), styles.summary),
    ]
    for section in text.sections(bulletin, whole_lists):
        story.extend(_section(section, styles, document.width))
    footer = f"{bulletin.company.name} · {title}"

    def canvas(*args, **kwargs):
        return NumberedCanvas(*args, font=font.name, footer=footer, **kwargs)

    document.build(story, canvasmaker=canvas)
    return buffer.getvalue()


def _section(section: Section, styles: Styles, width: float) -> list:
    heading = Paragraph(styles.para(section.title), styles.heading)
    if not section.rows:
        flowables = [heading, Paragraph(styles.para(section.empty), styles.cell)]
    else:
        flowables = [heading, _table(section, styles, width)]
    for line in section.more:
        flowables.append(Paragraph(styles.para(line), styles.more))
    if section.note:
        flowables.append(Paragraph(styles.para(section.note), styles.note))
    # A heading never stays alone at the foot of a page.
    return [KeepTogether(flowables[:2]), *flowables[2:]]


def _table(section: Section, styles: Styles, width: float) -> Table:
    total = sum(column.width for column in section.columns)
    widths = [width * column.width / total for column in section.columns]
    header = [Paragraph(styles.para(column.header), styles.header) for column in section.columns]
    rows, commands = [header], []
    for r, row in enumerate(section.rows, start=1):
        cells = []
        for c, (value, column) in enumerate(zip(row, section.columns, strict=True)):
            cells.append(_cell(value, column.kind, styles))
            if isinstance(value, GradeCell):
                commands.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(value.grade.fill)))
            elif isinstance(value, Alert):
                commands.append(("BACKGROUND", (c, r), (c, r), ALERT_FILL))
        rows.append(cells)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                # The cells are Paragraphs; without this the table names Helvetica.
                ("FONTNAME", (0, 0), (-1, -1), styles.cell.fontName),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                *commands,
            ]
        )
    )
    return table


def _cell(value, kind: str, styles: Styles) -> Paragraph:
    if isinstance(value, GradeCell):
        style = ParagraphStyle(
            "grade",
            parent=styles.cell,
            textColor=colors.HexColor(value.grade.text),
            alignment=TA_CENTER,
        )
        label = styles.para(value.grade.label)
        return Paragraph(label + (f"<br/>{styles.para(value.note)}" if value.note else ""), style)
    if isinstance(value, Alert):
        style = ParagraphStyle("alert", parent=styles.cell, textColor=ALERT_INK)
        return Paragraph(styles.para(value.text), style)
    if value is None:
        return Paragraph("–", styles.number if kind != "text" else styles.cell)
    if kind == "score":
        return Paragraph(f"{value:.2f}", styles.number)
    if kind == "change":
        return Paragraph(styles.para(signed(value, 0)), styles.number)
    if kind == "number":
        return Paragraph(styles.para(str(value)), styles.number)
    return Paragraph(styles.para(str(value)), styles.cell)


class NumberedCanvas(Canvas):
    """Draws "page x of y" and the footer once the number of pages is known."""

    def __init__(self, *args, font: str, footer: str, **kwargs):
        # The embedded font from the start: reportlab's default Helvetica would be named
        # on every page without being embedded.
        super().__init__(*args, **{**kwargs, "initialFontName": font})
        self._pages: list[dict] = []
        self._font, self._footer = font, footer

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for page in self._pages:
            self.__dict__.update(page)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        width, _height = A4
        self.saveState()
        self.setFont(self._font, 8)
        self.setFillColor(MUTED)
        self.drawString(MARGIN, 10 * mm, self._footer)
        pages = _("Page %(number)s of %(pages)s") % {"number": self._pageNumber, "pages": total}
        self.drawRightString(width - MARGIN, 10 * mm, pages)
        self.restoreState()
