"""Pixels of one page: an image frame as stored, or a PDF page rendered by pdfium."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps

from . import sniff
from .errors import CorruptInput
from .plan import PagePlan

EXIF_ORIENTATION = 0x0112


def open_frame(path: Path, number: int) -> Image.Image:
    """Frame ``number`` (1-based) decoded, turned as its EXIF orientation says."""
    try:
        image = Image.open(path)
        image.seek(number - 1)
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptInput(f"image illisible ou tronquée en page {number} ({exc})") from exc
    return ImageOps.exif_transpose(image) if image.getexif().get(EXIF_ORIENTATION, 1) != 1 else image


def declared_dpi(image: Image.Image) -> int:
    """The resolution an image declares, 0 when it declares none (or nonsense)."""
    dpi = image.info.get("dpi")
    try:
        return round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        return 0


def to_gray(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = background
    if image.mode.startswith("I;16") or image.mode == "I":
        image = image.point(lambda v: v / 256).convert("L")
    return image if image.mode == "L" else image.convert("L")


def page_count(path: Path, media_type: str) -> int:
    """Pages of a PDF or frames of an image, without decoding any."""
    if media_type == sniff.PDF:
        document = pdfium.PdfDocument(path)
        try:
            return len(document)
        finally:
            document.close()
    with Image.open(path) as image:
        return getattr(image, "n_frames", 1)


def pdf_page_geometry(path: Path, number: int) -> tuple[tuple[float, float, float, float], int]:
    """MediaBox and ``/Rotate`` of a PDF page, in the terms the layer placement needs."""
    document = pdfium.PdfDocument(path)
    try:
        page = document[number - 1]
        box = page.get_mediabox()
        return (box[0], box[1], box[2], box[3]), page.get_rotation()
    finally:
        document.close()


def load_gray(path: Path, media_type: str, plan: PagePlan) -> Image.Image:
    """The page as the grayscale raster that recognition reads (as displayed, /Rotate applied)."""
    if media_type != sniff.PDF:
        return to_gray(open_frame(path, plan.number))
    document = pdfium.PdfDocument(path)
    try:
        page = document[plan.number - 1]
        bitmap = page.render(scale=plan.dpi / 72, grayscale=True)
        return bitmap.to_pil().convert("L")
    except pdfium.PdfiumError as exc:
        raise CorruptInput(f"page {plan.number} impossible à afficher ({exc})") from exc
    finally:
        document.close()
