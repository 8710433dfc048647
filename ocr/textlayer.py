"""Words of a PDF page's own text layer, read with pdfium.

pdfium is used rather than pdfplumber: on these machines it reads a page in ≈3 ms instead
of ≈42 ms and keeps the lines of skewed OCR layers in order (FIELD-NOTES).
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from . import checkboxes
from .cleanup import otsu_threshold
from .results import PageResult, TextSource, Word

_GARBAGE_CATEGORIES = ("Co", "Cn", "Cs")  # private use, unassigned, surrogates: fonts without ToUnicode
_WORD = re.compile(r"[^\s\x00]+")


def usable_chars(text: str) -> int:
    """Letters and digits that look like real text; 0 when the layer is mostly garbage."""
    meaningful = sum(1 for ch in text if ch.isalnum())
    garbage = sum(1 for ch in text if ch == "\ufffd" or unicodedata.category(ch) in _GARBAGE_CATEGORIES)
    if meaningful == 0 or garbage > 0.1 * meaningful:
        return 0
    return meaningful


def read_text_layer(page: pdfium.PdfPage, number: int, min_chars: int) -> PageResult | None:
    """The page's text and words, or None when its layer is absent or unusable."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        if usable_chars(text) < max(min_chars, 1):
            return None
        width, height = page.get_size()
        words = tuple(_words(textpage, text, _Upright(page.get_cropbox(), page.get_rotation())))
    finally:
        textpage.close()
    if _has_square_paths(page):
        words = checkboxes.as_words(words, _drawn_checkboxes(page), 72 / _BOX_DPI)
    return PageResult(
        number=number,
        source=TextSource.TEXT_LAYER,
        text=_normalise_text(text),
        words=words,
        width_pt=width,
        height_pt=height,
    )


def _normalise_text(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(lines).strip()


@dataclass(frozen=True)
class _Upright:
    """From PDF user space (origin bottom-left, before ``/Rotate``) to the page as displayed: points
    from the top-left corner of the crop box, turned as ``/Rotate`` says (clockwise)."""

    crop: tuple[float, float, float, float]
    rotation: int

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        crop_left, crop_bottom, crop_right, crop_top = self.crop
        if self.rotation == 90:
            return bottom - crop_bottom, left - crop_left, top - crop_bottom, right - crop_left
        if self.rotation == 180:
            return crop_right - right, bottom - crop_bottom, crop_right - left, top - crop_bottom
        if self.rotation == 270:
            return crop_top - top, crop_right - right, crop_top - bottom, crop_right - left
        return left - crop_left, crop_top - top, right - crop_left, crop_top - bottom


def _words(textpage: pdfium.PdfTextPage, text: str, upright: _Upright) -> list[Word]:
    """Words are runs of characters between white space, numbered by line; each box is the union of
    pdfium's rectangles for the run, turned upright. Two C calls a word rather than two a character:
    a letter's words take 1 ms instead of 4, which counts when born-digital PDFs arrive by the hundred."""
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    if len(text) != count:  # the text leaves out characters without Unicode: read it by character index
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, index)) for index in range(count))
    left, top, right, bottom = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    corners = (ctypes.byref(left), ctypes.byref(top), ctypes.byref(right), ctypes.byref(bottom))
    words: list[Word] = []
    line, counted_to = 0, 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        line += text.count("\n", counted_to, start)
        counted_to = start
        x0, y0, x1, y1 = float("inf"), float("inf"), float("-inf"), float("-inf")
        for rect in range(pdfium_c.FPDFText_CountRects(raw, start, end - start)):
            pdfium_c.FPDFText_GetRect(raw, rect, *corners)
            if right.value > left.value and top.value > bottom.value:  # pdfium's empty rect: nothing drawn
                x0, y0 = min(x0, left.value), min(y0, bottom.value)
                x1, y1 = max(x1, right.value), max(y1, top.value)
        if x0 < x1:  # a word with no visible glyph (zero-size text) has no place on the page
            words.append(Word(match.group(), *upright.box(x0, y0, x1, y1), 100.0, line))
    return words


_BOX_DPI = 150
"""Check boxes of a born-digital form are found on the page drawn at this resolution (≈ 13 ms)."""


def _has_square_paths(page: pdfium.PdfPage) -> bool:
    """Whether the page draws a small square (a check box, 2.5–6.5 mm): only such pages are drawn
    to look for ticks, so letters and invoices cost one walk over their drawing objects."""
    low, high = 2.5 * 72 / 25.4, 6.5 * 72 / 25.4
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=1):
        left, bottom, right, top = obj.get_bounds()
        width, height = right - left, top - bottom
        if low <= width <= high and low <= height <= high and abs(width - height) <= 0.25 * max(width, height):
            return True
    return False


def _drawn_checkboxes(page: pdfium.PdfPage) -> list[checkboxes.Checkbox]:
    image = page.render(scale=_BOX_DPI / 72, grayscale=True, may_draw_forms=False).to_pil().convert("L")
    return checkboxes.find(np.asarray(image) <= otsu_threshold(image), _BOX_DPI)
