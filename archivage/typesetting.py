"""What the generated French documents share: embedded fonts, paragraph styles, escaping."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
"""Debian's fonts-dejavu-core: embedded in every generated PDF, never referenced by name only."""
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


@cache
def register_fonts() -> None:
    """Parsing a TrueType font costs ≈ 50 ms: once per process, not once per document."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm

    register_fonts()
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=10, leading=14, spaceAfter=6)
    return {"body": body, "bold": ParagraphStyle("bold", parent=body, fontName="DejaVuSans-Bold"),
            "title": ParagraphStyle("title", parent=body, fontName="DejaVuSans-Bold", fontSize=14, leading=18),
            "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, spaceAfter=0),
            "right": ParagraphStyle("right", parent=body, leftIndent=95 * mm)}


def paragraph(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), style)


def french_date(value: Any) -> str:
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def grid_table(header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float],
               style: dict[str, Any]) -> Any:
    """A ruled table with a grey header row repeated on each page, small text that wraps."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    cells = [[paragraph(h, style["small"]) for h in header]]
    cells += [[paragraph(text, style["small"]) for text in row] for row in rows]
    table = Table(cells, colWidths=[w * mm for w in widths_mm], repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "DejaVuSans"),
                               ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def build_a4(title: str, story: list[Any], *, author: str) -> bytes:
    """The story as an A4 PDF (fonts embedded), with its title, author and language declared."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                      bottomMargin=18 * mm, title=title, author=author, lang="fr-FR",
                      initialFontName="DejaVuSans").build(story)  # not Helvetica: PDF/A embeds every font
    return buffer.getvalue()
