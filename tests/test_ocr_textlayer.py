"""Words of a PDF's own text layer: the same words, lines and boxes as reading it character by character."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from examples.render import SERIF
from ocr.results import Word
from ocr.textlayer import read_text_layer


def _read_by_character(page: pdfium.PdfPage) -> list[tuple[str, int, tuple[float, float, float, float]]]:
    """The slow, obvious reading: every character's Unicode and box, split on white space and line breaks."""
    textpage = page.get_textpage()
    height = page.get_size()[1]
    words: list[tuple[str, int, tuple[float, float, float, float]]] = []
    chars: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []
    line = 0

    def flush() -> None:
        if chars:
            left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
            right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
            words.append(("".join(chars), line, (left, height - top, right, height - bottom)))
            chars.clear()
            boxes.clear()

    for index in range(textpage.count_chars()):
        ch = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
        if ch.isspace() or ch == "\x00":
            flush()
            line += ch == "\n"
            continue
        chars.append(ch)
        boxes.append(textpage.get_charbox(index))
    flush()
    textpage.close()
    return words


def _as_read(words: tuple[Word, ...]) -> list[tuple[str, int, tuple[float, float, float, float]]]:
    return [(w.text, w.line, (w.x0, w.y0, w.x1, w.y1)) for w in words]


def _assert_same(read: list, expected: list) -> None:
    assert [(text, line) for text, line, _ in read] == [(text, line) for text, line, _ in expected]
    for (_, _, box), (_, _, reference) in zip(read, expected, strict=True):
        assert box == pytest.approx(reference, abs=0.01)


def test_words_lines_and_boxes_match_a_character_by_character_reading(samples: Path) -> None:
    with pdfium.PdfDocument(samples / "facture_fournisseur.pdf") as pdf:
        page = pdf[0]
        result = read_text_layer(page, 1, 20)
        assert result is not None
        expected = _read_by_character(page)
    assert len(expected) > 100 and max(line for _, line, _ in expected) > 10
    _assert_same(_as_read(result.words), expected)


def test_characters_without_unicode_do_not_shift_the_words_after_them(tmp_path: Path) -> None:
    """Glyphs the font cannot map to Unicode are left out of pdfium's text but keep their index:
    reading words from that text alone would give later words the boxes of their neighbours."""
    path = tmp_path / "sans_unicode.pdf"
    pdfmetrics.registerFont(TTFont("DejaVuSerifTest", str(SERIF)))
    drawing = canvas.Canvas(str(path), pagesize=(595, 842), invariant=1)
    drawing.setFont("DejaVuSerifTest", 12)
    drawing.drawString(50, 800, "Montant \U0001d400\U0001d401 réglé le 3 mars")  # not in the font
    drawing.drawString(50, 780, "Référence 2026-0042 à rappeler")
    drawing.showPage()
    drawing.save()
    with pdfium.PdfDocument(path) as pdf:
        page = pdf[0]
        textpage = page.get_textpage()
        assert len(textpage.get_text_range()) < textpage.count_chars()  # the case under test
        textpage.close()
        result = read_text_layer(page, 1, 5)
        assert result is not None
        expected = _read_by_character(page)
    assert [text for text, _, _ in expected][-4:] == ["Référence", "2026-0042", "à", "rappeler"]
    _assert_same(_as_read(result.words), expected)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_word_boxes_lie_on_the_ink_of_the_page_as_displayed(samples: Path, tmp_path: Path, rotation: int) -> None:
    """Boxes are in points from the top-left corner of the page as a reader sees it: ``/Rotate``
    applied and the crop box's origin taken away. Rendered upright, every word's box holds ink."""
    path = tmp_path / f"tournee-{rotation}.pdf"
    with pikepdf.open(samples / "facture_fournisseur.pdf") as pdf:
        pdf.pages[0].obj.Rotate = rotation
        pdf.pages[0].obj.CropBox = [15, 25, 580, 830]  # not at the origin: offsets must come off
        pdf.save(path)
    with pdfium.PdfDocument(path) as pdf:
        page = pdf[0]
        result = read_text_layer(page, 1, 20)
        assert result is not None
        image = page.render(scale=2, grayscale=True).to_pil()
    assert image.size == (round(result.width_pt * 2), round(result.height_pt * 2))
    assert len(result.words) > 100
    for word in result.words:
        assert 0 <= word.x0 < word.x1 <= result.width_pt and 0 <= word.y0 < word.y1 <= result.height_pt, word
        crop = image.crop((int(word.x0 * 2), int(word.y0 * 2), int(word.x1 * 2) + 1, int(word.y1 * 2) + 1))
        assert crop.getextrema()[0] < 100, word  # some dark pixel: the word is drawn there
