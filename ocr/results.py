"""What reading a page produces: words with boxes and confidences, in page points."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class TextSource(StrEnum):
    TEXT_LAYER = "text_layer"
    """Read from the PDF's own text (born-digital or already OCR'd)."""
    OCR = "ocr"
    """Recognised by Tesseract."""


@dataclass(frozen=True, slots=True)
class Word:
    """A word and its box in points, origin at the top-left of the upright page."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    """0–100; 100 for words taken from a text layer."""
    line: int = 0
    """Line number within the page, so that readers can rebuild lines without geometry."""

    def as_list(self) -> list[str | float | int]:
        return [self.text, round(self.x0, 1), round(self.y0, 1), round(self.x1, 1), round(self.y1, 1),
                round(self.confidence, 1), self.line]


@dataclass(frozen=True, kw_only=True)
class PageResult:
    number: int
    """1-based page number in the source document."""
    source: TextSource
    text: str
    words: tuple[Word, ...] = ()
    width_pt: float
    height_pt: float
    rotation: int = 0
    """Clockwise quarter turns (0, 90, 180, 270) applied to display the page upright."""
    skew_degrees: float = 0.0
    """Detected skew of the scan, corrected before recognition."""
    page_pdf: Path | None = None
    """OCR'd pages: a one-page PDF, the whole page for images, the text layer alone for PDF pages."""
    warnings: tuple[str, ...] = field(default=())

    @property
    def confidence(self) -> float | None:
        if not self.words:
            return None
        return sum(w.confidence for w in self.words) / len(self.words)
