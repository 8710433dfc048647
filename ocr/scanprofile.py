"""How a scan was made, as read from the file itself: per page, the resolution, the colour mode,
the compression, and whether the page is blank.

An attestation of digitisation (NF Z42-026) states the scanner settings; the operator's word is not
enough, the files say what they are. A PDF page's resolution is its largest image's pixels over the
page's width in inches (a scanner's page is one image filling it); a page without an image is
born digital and has none. Blank: almost no dark pixels on a regular sample of the image's pixels
(scanner edges left out), the threshold being the caller's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pikepdf
from PIL import Image, ImageSequence

Image.MAX_IMAGE_PIXELS = None  # the ingest limits already bound what reaches here

_SAMPLES = 1000
"""Pixels looked at along the longest side: every n-th pixel, not an average that would wash thin
strokes out to light grey."""


class ColourMode(StrEnum):
    BITONAL = "noir et blanc"
    GREY = "niveaux de gris"
    COLOUR = "couleur"
    NONE = "sans image"


_FILTERS = {"/CCITTFaxDecode": "CCITT G4", "/JBIG2Decode": "JBIG2", "/DCTDecode": "JPEG", "/JPXDecode": "JPEG 2000",
            "/FlateDecode": "Flate (sans perte)", "/LZWDecode": "LZW", "/RunLengthDecode": "RLE"}
_TIFF = {"group4": "CCITT G4", "group3": "CCITT G3", "tiff_ccitt": "CCITT", "jpeg": "JPEG", "tiff_jpeg": "JPEG",
         "tiff_adobe_deflate": "Flate (sans perte)", "tiff_deflate": "Flate (sans perte)", "tiff_lzw": "LZW",
         "packbits": "PackBits", "raw": "aucune"}


@dataclass(frozen=True)
class PageProfile:
    page: int
    dpi: int | None
    """Horizontal resolution in dots per inch (None: no image, or the file does not say)."""
    mode: ColourMode
    compression: str | None
    width_px: int | None
    height_px: int | None
    ink: float | None
    """Share of dark pixels (0–1) on the page's image; None when it could not be read."""

    def blank(self, threshold: float) -> bool:
        return self.ink is not None and self.ink < threshold


def read_profile(path: Path, media_type: str) -> list[PageProfile]:
    """One profile per page; an unreadable image gives a profile with what its header said."""
    if media_type == "application/pdf":
        return list(_pdf_pages(path))
    if media_type.startswith("image/"):
        return list(_image_pages(path))
    return []


def _ink(image: Image.Image) -> float:
    step = max(1, max(image.size) // _SAMPLES)
    pixels = np.asarray(image.convert("L"), dtype=np.uint8)[::step, ::step]
    if pixels.size == 0:
        return 0.0
    height, width = pixels.shape
    core = pixels[height // 20: height - height // 20, width // 20: width - width // 20]  # scanner edges out
    return float(np.count_nonzero(core < 128)) / max(core.size, 1)


def _mode_of(image: Image.Image) -> ColourMode:
    if image.mode == "1":
        return ColourMode.BITONAL
    if image.mode in ("L", "LA", "I", "I;16", "F"):
        return ColourMode.GREY
    if image.mode == "P":
        palette = image.convert("RGB")
        array = np.asarray(palette.resize((64, 64)))
        return ColourMode.GREY if np.all(array[..., 0] == array[..., 1]) else ColourMode.COLOUR
    return ColourMode.COLOUR


def _image_pages(path: Path) -> Iterator[PageProfile]:
    with Image.open(path) as image:
        compression = _TIFF.get(str(image.info.get("compression", "")), None) or image.format
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            dpi = frame.info.get("dpi")
            yield PageProfile(number, round(float(dpi[0])) if dpi and float(dpi[0]) > 1 else None,
                              _mode_of(frame), compression, frame.width, frame.height, _ink(frame))


def _pdf_mode(image: pikepdf.PdfImage) -> ColourMode:
    if image.bits_per_component == 1 or image.image_mask:
        return ColourMode.BITONAL
    try:
        space = image.colorspace
    except (NotImplementedError, pikepdf.PdfError):
        space = None
    if space in ("/DeviceGray", "/CalGray") or (image.mode == "L"):
        return ColourMode.GREY
    return ColourMode.COLOUR


def _pdf_pages(path: Path) -> Iterator[PageProfile]:
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            largest: tuple[int, Any] | None = None
            for raw in page.get_images().values():
                pixels = int(raw.get("/Width", 0)) * int(raw.get("/Height", 0))
                if largest is None or pixels > largest[0]:
                    largest = (pixels, raw)
            if largest is None:
                yield PageProfile(number, None, ColourMode.NONE, None, None, None, None)
                continue
            image = pikepdf.PdfImage(largest[1])
            filters = [_FILTERS.get(str(f), str(f).lstrip("/")) for f in image.filters]
            width_in = float(page.mediabox[2] - page.mediabox[0]) / 72
            dpi = round(image.width / width_in) if width_in > 0 else None
            try:
                ink: float | None = _ink(image.as_pil_image())
            except (NotImplementedError, pikepdf.PdfError, OSError, ValueError):
                ink = None  # JBIG2 without its decoder, an exotic colour space: not judged
            yield PageProfile(number, dpi, _pdf_mode(image), " + ".join(filters) or "aucune", image.width,
                              image.height, ink)
