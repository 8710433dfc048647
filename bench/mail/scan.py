"""From a born-digital PDF to what a scanner or a phone makes of it.

Each render mode is one recipe of real degradations: resolution, skew, quarter turns,
bitonal thresholding with speckle, JPEG artefacts, uneven lighting, a reception stamp.
"""

from __future__ import annotations

import io
from enum import StrEnum
from pathlib import Path
from random import Random

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont


class Mode(StrEnum):
    BORN_DIGITAL = "born_digital"
    SCAN_300 = "scan_300"
    SCAN_200 = "scan_200"
    ROTATED = "rotated"
    BITONAL = "bitonal"
    JPEG = "jpeg"
    HANDWRITTEN = "handwritten"


def rasterise(pdf: Path, dpi: int) -> list[Image.Image]:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return [document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(document))]
    finally:
        document.close()


def _stamp(image: Image.Image, r: Random, dpi: int) -> None:
    """A rubber stamp of the mail room, slightly turned, in the upper right."""
    mm = dpi / 25.4
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", round(3.2 * mm))
    layer = Image.new("L", (round(62 * mm), round(22 * mm)), 0)
    draw = ImageDraw.Draw(layer)
    draw.rectangle((2, 2, layer.width - 3, layer.height - 3), outline=255, width=max(2, round(0.6 * mm)))
    draw.text((3 * mm, 3 * mm), "MAIRIE DE ROCHEFORT", font=font, fill=255)
    draw.text((3 * mm, 9 * mm), f"REÇU LE {r.randint(2, 28):02d} NOV. 2026", font=font, fill=255)
    draw.text((3 * mm, 15 * mm), "COURRIER ARRIVÉE", font=font, fill=255)
    layer = layer.rotate(r.uniform(-12, 12), expand=True, fillcolor=0)
    x = round(r.uniform(120, 140) * mm)
    y = round(r.uniform(4, 12) * mm)
    ink = Image.new("L", layer.size, r.randint(70, 120))
    image.paste(ink, (x, y), layer.point(lambda v: int(v * 0.85)))


def _noise(image: Image.Image, r: Random, *, sigma: float, blur: float, lighting: float) -> Image.Image:
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    rng = np.random.default_rng(r.randrange(1 << 30))
    pixels = np.asarray(image, dtype=np.float32)
    h, w = pixels.shape
    if lighting:  # computed at 1/8 scale and enlarged: the shading is smooth anyway
        yy, xx = np.mgrid[0:h // 8 + 1, 0:w // 8 + 1].astype(np.float32)
        cx, cy = r.uniform(0, w / 8), r.uniform(0, h / 8)
        falloff = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / (max(h, w) / 8)
        shade = Image.fromarray(lighting * falloff).resize((w, h), Image.Resampling.BILINEAR)
        pixels = pixels - np.asarray(shade, dtype=np.float32)
    pixels = pixels + rng.standard_normal(pixels.shape, dtype=np.float32) * np.float32(sigma)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _speckle(image: Image.Image, r: Random) -> Image.Image:
    rng = np.random.default_rng(r.randrange(1 << 30))
    pixels = np.asarray(image).copy()
    mask = rng.random(pixels.shape) < 0.0015
    pixels[mask] = 0
    return Image.fromarray(pixels)


def degrade(pages: list[Image.Image], mode: Mode, r: Random, dpi: int) -> tuple[list[Image.Image], dict]:
    """The pages as the mode's device would deliver them, and what was done (for the report)."""
    done: dict = {"dpi": dpi}
    skew = r.uniform(-2.2, 2.2) if mode != Mode.BORN_DIGITAL else 0.0
    turn = r.choice((90, 180, 270)) if mode == Mode.ROTATED else 0
    stamp = r.random() < 0.3
    out = []
    for index, page in enumerate(pages):
        if stamp and index == 0:
            _stamp(page, r, dpi)
        if skew:
            page = page.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
        if mode == Mode.JPEG:
            page = _noise(page, r, sigma=9, blur=0.9, lighting=70)
        else:
            page = _noise(page, r, sigma=r.uniform(3, 8), blur=r.uniform(0.3, 0.7), lighting=r.uniform(0, 25))
        if mode == Mode.BITONAL:
            page = _speckle(page.point(lambda v: 255 if v > 150 else 0), r).convert("1")
        if turn:
            page = page.rotate(turn, expand=True)
        out.append(page)
    done.update(skew=round(skew, 2), turn=turn, stamp=stamp)
    return out, done


def save(pages: list[Image.Image], stem: Path, mode: Mode, r: Random, dpi: int) -> Path:
    """In the formats scanners write: image PDFs mostly, TIFF, PNG or JPEG for single pages."""
    if mode == Mode.JPEG and len(pages) == 1:
        path = stem.with_suffix(".jpg")
        pages[0].save(path, "JPEG", quality=r.randint(45, 70), dpi=(dpi, dpi))
        return path
    if mode == Mode.BITONAL:
        path = stem.with_suffix(".tif")
        pages[0].save(path, "TIFF", compression="group4", dpi=(dpi, dpi), save_all=True, append_images=pages[1:])
        return path
    if len(pages) == 1 and r.random() < 0.25:
        path = stem.with_suffix(".png")
        pages[0].save(path, "PNG", dpi=(dpi, dpi))
        return path
    path = stem.with_suffix(".pdf")
    buffer = io.BytesIO()
    first, *rest = [p.convert("L") for p in pages]
    first.save(buffer, "PDF", resolution=dpi, save_all=True, append_images=rest, quality=r.randint(60, 85))
    path.write_bytes(buffer.getvalue())
    return path
