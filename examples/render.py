"""Rendering sample letters as scans (degraded rasters), as phone photos and as born-digital PDFs."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .letters import MAIRIE, Letter

A4_PT = (595.28, 841.89)
FONT_DIR = Path("/usr/share/fonts/truetype")
SERIF = FONT_DIR / "dejavu/DejaVuSerif.ttf"
SANS = FONT_DIR / "liberation/LiberationSans-Regular.ttf"


def _font(size_pt: float, dpi: int, sans: bool) -> ImageFont.FreeTypeFont:
    path = SANS if sans and SANS.exists() else SERIF
    return ImageFont.truetype(str(path), round(size_pt * dpi / 72))


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> Iterator[str]:
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) > width and line:
            yield line
            line = word
        else:
            line = candidate
    if line:
        yield line


def layout(letter: Letter) -> list[tuple[str, float, float, bool]]:
    """(text, x in mm, y in mm, bold-ish) for every line, so both renderers place text alike."""
    rows: list[tuple[str, float, float, bool]] = []
    y = 25.0
    for line in letter.sender:
        rows.append((line, 20, y, False))
        y += 5.5
    y = 55.0
    for line in MAIRIE:
        rows.append((line, 115, y, False))
        y += 5.5
    rows.append((letter.date, 115, 85, False))
    rows.append((letter.subject, 20, 100, True))
    return rows


def render_scan(letter: Letter, *, dpi: int = 300, sans: bool = False, page_text: tuple[str, ...] | None = None
                ) -> Image.Image:
    """A clean grayscale A4 raster of the letter."""
    width, height = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = _font(11, dpi, sans)
    mm = dpi / 25.4
    for text, x, y, _bold in layout(letter):
        draw.text((x * mm, y * mm), text, font=font, fill=20)
    y = 115 * mm
    for paragraph in page_text if page_text is not None else (*letter.body, "", letter.signature):
        for line in _wrap(paragraph, font, round(170 * mm)):
            draw.text((20 * mm, y), line, font=font, fill=20)
            y += 6.2 * mm
        y += 3 * mm
    return image


def degrade(image: Image.Image, *, seed: int, skew: float = 0.0, noise: float = 8.0, blur: float = 0.6
            ) -> Image.Image:
    """Make a clean raster look scanned: skew, blur, sensor noise, uneven paper."""
    rng = np.random.default_rng(seed)
    if skew:
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    pixels = np.asarray(image, dtype=np.float32)
    gradient = np.linspace(0, 12, pixels.shape[1], dtype=np.float32)[None, :]
    pixels = pixels - gradient + rng.normal(0, noise, pixels.shape).astype(np.float32)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def photograph(page: Image.Image, *, seed: int, tilt: float = 20.0, size: tuple[int, int] = (3024, 4032)
               ) -> Image.Image:
    """The page as a phone photographs it: seen at ``tilt`` degrees from straight above (its top
    edge farther than its bottom, so narrower), a little turned, on a wooden table, lit from one
    side, a thumb over its bottom margin; in colour, ``size`` pixels (a 12 MP portrait photo)."""
    import cv2

    rng = np.random.default_rng(seed)
    width, height = size
    # The table: brown, with a grain along its boards and a lamp's fall-off.
    grain = rng.normal(0, 1, (height // 8, 1)).repeat(width // 8, axis=1)
    grain = cv2.resize(cv2.GaussianBlur(grain, (0, 0), 3), (width, height))
    table = np.stack([110 + 18 * grain, 75 + 12 * grain, 45 + 8 * grain], axis=-1)
    # Where the page's corners go: a pinhole camera at 45 cm, the page turned by ``tilt`` about its width.
    theta, distance = np.radians(tilt), 450.0
    corners_mm = np.array([[-105, -148.5], [105, -148.5], [105, 148.5], [-105, 148.5]])
    depth = distance + corners_mm[:, 1] * np.sin(theta)
    projected = np.stack([corners_mm[:, 0] / depth, corners_mm[:, 1] * np.cos(theta) / depth], axis=1)
    turn = np.radians(rng.uniform(-4, 4))
    projected = projected @ np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])
    scale = 0.8 * height / (projected[:, 1].max() - projected[:, 1].min())  # the focal length, in pixels
    target = projected * scale + np.array([width / 2, height / 2])  # the lens's axis through the page's centre
    source = np.array([[0, 0], [page.width - 1, 0], [page.width - 1, page.height - 1], [0, page.height - 1]])
    matrix = cv2.getPerspectiveTransform(source.astype(np.float32), target.astype(np.float32))
    paper = np.asarray(page.convert("RGB"), dtype=np.float32) * np.array([1.0, 0.98, 0.93])
    warped = cv2.warpPerspective(paper, matrix, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones(page.size[::-1], np.float32), matrix, size, flags=cv2.INTER_AREA)[..., None]
    picture = warped * mask + table * (1 - mask)
    thumb = np.zeros((height, width), np.float32)
    cv2.ellipse(thumb, (round(target[3][0] + 0.15 * (target[2][0] - target[3][0])), round(target[3][1])),
                (110, 190), 20, 0, 360, 1.0, -1)
    thumb = cv2.GaussianBlur(thumb, (0, 0), 6)[..., None]
    picture = picture * (1 - thumb) + np.array([205, 150, 125]) * thumb
    light = np.linspace(1.05, 0.7, width, dtype=np.float32)[None, :, None]  # a window on the left
    picture = picture * light + rng.normal(0, 4, picture.shape)
    return Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8))


def jpeg_bytes(image: Image.Image, quality: int, dpi: int = 300) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, dpi=(dpi, dpi))
    return buffer.getvalue()


def born_digital_pdf(letter: Letter, path: Path, *, embed_fonts: bool = True) -> None:
    """A PDF with a real text layer, as produced by office software (reportlab)."""
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    if embed_fonts:
        pdfmetrics.registerFont(TTFont("DejaVuSerif", str(SERIF)))
        font = "DejaVuSerif"
    pdf = canvas.Canvas(str(path), pagesize=A4_PT, invariant=1, initialFontName=font)
    pdf.setTitle(letter.subject)
    pdf.setFont(font, 10.5)
    for text, x, y, _bold in layout(letter):
        pdf.drawString(x * mm, A4_PT[1] - y * mm, text)
    y = 115.0
    for paragraph in (*letter.body, "", letter.signature):
        line = ""
        for word in paragraph.split():
            if pdfmetrics.stringWidth(f"{line} {word}", font, 10.5) > 170 * mm and line:
                pdf.drawString(20 * mm, A4_PT[1] - y * mm, line)
                y += 5.8
                line = word
            else:
                line = f"{line} {word}".strip()
        if line:
            pdf.drawString(20 * mm, A4_PT[1] - y * mm, line)
        y += 8.5
    pdf.showPage()
    pdf.save()


def image_pdf(pages: list[Image.Image], path: Path, dpi: int = 300) -> None:
    """A scanner's PDF: one JPEG per page and no text."""
    first, *rest = [page.convert("L") for page in pages]
    first.save(path, "PDF", resolution=dpi, save_all=True, append_images=rest, quality=80)


def seeded(name: str) -> int:
    return random.Random(name).randrange(1 << 30)
