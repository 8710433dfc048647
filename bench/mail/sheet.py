"""A page drawn in millimetres from the top-left corner, onto a reportlab canvas.

Every specimen is first a born-digital PDF drawn here; scans are made from it by
``bench.mail.scan``, so that text, boxes and ticks are in the same place in both.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .pools import fold_ascii

A4 = (210 * mm, 297 * mm)
_TT = Path("/usr/share/fonts/truetype")
FONTS = {
    "sans": _TT / "dejavu/DejaVuSans.ttf",
    "sans-bold": _TT / "dejavu/DejaVuSans-Bold.ttf",
    "serif": _TT / "liberation/LiberationSerif-Regular.ttf",
    "serif-bold": _TT / "liberation/LiberationSerif-Bold.ttf",
    "narrow": _TT / "liberation/LiberationSansNarrow-Regular.ttf",
    "arial": _TT / "liberation/LiberationSans-Regular.ttf",
    "arial-bold": _TT / "liberation/LiberationSans-Bold.ttf",
    "mono": _TT / "liberation/LiberationMono-Regular.ttf",
    "condensed": _TT / "dejavu/DejaVuSansCondensed.ttf",
    "hand-dkg": _TT / "fifthhorseman/dkg.ttf",
    "hand-femke": _TT / "femkeklaver/femkeklaver.ttf",
    "hand-humor": _TT / "humor-sans/Humor-Sans.ttf",
}
TYPED = ("sans", "serif", "narrow", "arial", "mono", "condensed")
HANDS = ("hand-dkg", "hand-femke", "hand-humor")
_NO_ACCENTS = ("hand-dkg", "hand-humor")
"""Handwriting fonts whose accented glyphs are missing or blank: text in them is written without accents,
as many people write in block letters."""
_registered: set[str] = set()


def missing_fonts() -> list[Path]:
    """Fonts the corpus needs that this machine lacks (Debian packages listed in bin/setup)."""
    return [path for path in FONTS.values() if not path.exists()]


def _font(name: str) -> str:
    if name not in _registered:
        pdfmetrics.registerFont(TTFont(name, str(FONTS[name])))
        _registered.add(name)
    return name


class Sheet:
    """One document: pages drawn top-down; ``y`` is a cursor in mm that layouts advance."""

    def __init__(self, path: Path, *, title: str = "") -> None:
        self.canvas = canvas.Canvas(str(path), pagesize=A4, invariant=1)
        if title:
            self.canvas.setTitle(title)
        self.y = 20.0
        self.pages = 1

    def text(self, x: float, y: float, value: str, *, font: str = "sans", size: float = 10.5,
             grey: float = 0.0, align: str = "left") -> None:
        name = _font(font)
        if font in _NO_ACCENTS:
            value = fold_ascii(value).replace("œ", "oe").replace("€", "EUR")
        self.canvas.setFont(name, size)
        self.canvas.setFillGray(grey)
        if align == "right":
            self.canvas.drawRightString(x * mm, A4[1] - y * mm, value)
        elif align == "center":
            self.canvas.drawCentredString(x * mm, A4[1] - y * mm, value)
        else:
            self.canvas.drawString(x * mm, A4[1] - y * mm, value)
        self.canvas.setFillGray(0)

    def width(self, value: str, *, font: str = "sans", size: float = 10.5) -> float:
        return pdfmetrics.stringWidth(value, _font(font), size) / mm

    def paragraph(self, x: float, value: str, *, width: float = 170, font: str = "sans", size: float = 10.5,
                  leading: float = 5.2, after: float = 3.0) -> None:
        """Wrapped text at the cursor, which moves below it (a new page when the sheet is full)."""
        line = ""
        for word in value.split():
            candidate = f"{line} {word}".strip()
            if self.width(candidate, font=font, size=size) > width and line:
                self.line_of_text(x, line, font=font, size=size, leading=leading)
                line = word
            else:
                line = candidate
        if line:
            self.line_of_text(x, line, font=font, size=size, leading=leading)
        self.y += after

    def line_of_text(self, x: float, value: str, *, font: str = "sans", size: float = 10.5,
                     leading: float = 5.2) -> None:
        if self.y > 275:
            self.new_page()
        self.text(x, self.y, value, font=font, size=size)
        self.y += leading

    def rect(self, x: float, y: float, w: float, h: float, *, fill: float | None = None, stroke: bool = True,
             line: float = 0.6) -> None:
        self.canvas.setLineWidth(line)
        if fill is not None:
            self.canvas.setFillGray(fill)
        self.canvas.rect(x * mm, A4[1] - (y + h) * mm, w * mm, h * mm, stroke=1 if stroke else 0,
                         fill=1 if fill is not None else 0)
        self.canvas.setFillGray(0)

    def rule(self, x0: float, y0: float, x1: float, y1: float, *, line: float = 0.5, dash: bool = False) -> None:
        self.canvas.setLineWidth(line)
        self.canvas.setDash(1, 2) if dash else self.canvas.setDash()
        self.canvas.line(x0 * mm, A4[1] - y0 * mm, x1 * mm, A4[1] - y1 * mm)
        self.canvas.setDash()

    def comb(self, x: float, y: float, value: str, cells: int, *, cell: float = 5.0, font: str = "mono",
             size: float = 11) -> float:
        """A row of comb boxes, one character in each (as on Cerfa forms); returns its right edge."""
        for index in range(cells):
            self.rect(x + index * cell, y - 4.2, cell, 5.6, line=0.4)
        for index, char in enumerate(value[:cells]):
            if char != " ":
                self.text(x + index * cell + cell / 2, y, char, font=font, size=size, align="center")
        return x + cells * cell

    def checkbox(self, x: float, y: float, ticked: bool, label: str, *, font: str = "sans", size: float = 9.5,
                 hand: bool = False) -> None:
        self.rect(x, y - 3.2, 3.6, 3.6, line=0.5)
        if ticked:
            self.canvas.setLineWidth(1.1 if hand else 0.9)
            if hand:  # a hand-drawn tick
                self.canvas.line((x + 0.5) * mm, A4[1] - (y - 1.2) * mm, (x + 1.5) * mm, A4[1] - (y + 0.4) * mm)
                self.canvas.line((x + 1.5) * mm, A4[1] - (y + 0.4) * mm, (x + 4.0) * mm, A4[1] - (y - 4.0) * mm)
            else:
                self.canvas.line(x * mm, A4[1] - (y - 3.2) * mm, (x + 3.6) * mm, A4[1] - (y + 0.4) * mm)
                self.canvas.line(x * mm, A4[1] - (y + 0.4) * mm, (x + 3.6) * mm, A4[1] - (y - 3.2) * mm)
        self.text(x + 5.5, y, label, font=font, size=size)

    def new_page(self) -> None:
        self.canvas.showPage()
        self.pages += 1
        self.y = 20.0

    def save(self) -> None:
        self.canvas.showPage()
        self.canvas.save()
