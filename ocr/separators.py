"""Separator sheets in batch scans: printing them, finding them, splitting a batch at them.

Mail rooms scan a whole stack in one file with a separator sheet before each document. Two
kinds are recognised: our own sheet (a QR code that may carry the type and service of the
document that follows) and the industry's PATCH-T sheet (four bars: narrow, wide, narrow,
wide). Pages are looked at at 72 dpi, which both codes survive and which costs milliseconds.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from . import raster, sniff
from .inspection import image_dpi
from .raster import open_frame, to_gray

PREFIX = "GED-SEPARATEUR"
SCAN_DPI = 72
_TEXT_PAGE_CHARS = 400
"""A PDF page with more text than this is a document page, not a separator sheet (ours has ~250)."""
_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


@dataclass(frozen=True)
class Separator:
    kind: str
    """``qr`` (our sheet) or ``patch-t``."""
    doc_type: str | None = None
    service: str | None = None


@dataclass(frozen=True)
class Segment:
    path: Path
    pages: tuple[int, ...]
    """1-based page numbers in the batch."""
    separator: Separator | None = None
    """The sheet before the segment (None for pages before the first sheet)."""


@dataclass(frozen=True)
class Batch:
    separators: dict[int, Separator] = field(default_factory=dict)
    """Separator sheets by page number."""
    page_count: int = 0


def payload(doc_type: str | None, service: str | None) -> str:
    parts = [PREFIX] + [f"{key}={value}" for key, value in (("type", doc_type), ("service", service)) if value]
    return ";".join(parts)


def parse_payload(text: str) -> Separator | None:
    fields = text.strip().split(";")
    if fields[0] != PREFIX:
        return None
    values = dict(part.split("=", 1) for part in fields[1:] if "=" in part)
    return Separator("qr", values.get("type") or None, values.get("service") or None)


def render_sheet(doc_type: str | None, service: str | None, *, dpi: int = 200) -> bytes:
    """A printable A4 separator sheet (PDF), in French, with its QR code."""
    mm = dpi / 25.4
    page = Image.new("L", (round(210 * mm), round(297 * mm)), 255)
    draw = ImageDraw.Draw(page)
    title = ImageFont.truetype(str(_BOLD), round(22 * dpi / 72))
    body = ImageFont.truetype(str(_FONT), round(13 * dpi / 72))
    draw.text((20 * mm, 25 * mm), "FEUILLE DE SÉPARATION", font=title, fill=0)
    lines = [f"Type de document : {doc_type or 'à déterminer'}", f"Service : {service or 'selon le dossier'}", "",
             "Placez cette feuille devant chaque document du lot numérisé.",
             "Elle est reconnue et retirée automatiquement ; ne l'agrafez pas."]
    for index, line in enumerate(lines):
        draw.text((20 * mm, (45 + 9 * index) * mm), line, font=body, fill=0)
    code = zxingcpp.create_barcode(payload(doc_type, service), zxingcpp.BarcodeFormat.QRCode)
    module = max(1, round(70 * mm / np.asarray(code.to_image(scale=1)).shape[0]))
    qr = Image.fromarray(np.asarray(code.to_image(scale=module)))
    page.paste(qr, (round((210 * mm - qr.width) / 2), round(120 * mm)))
    buffer = io.BytesIO()
    page.convert("1").save(buffer, "PDF", resolution=dpi)
    return buffer.getvalue()


def _has_patch_t(gray: Image.Image) -> bool:
    """Four bars narrow, wide, narrow, wide, spaces narrow, across most sampled rows of the page."""
    ink = np.asarray(gray) < 128
    height = ink.shape[0]
    rows = [ink[y] for y in range(height // 10, height - height // 10, max(1, height // 40))]
    hits = sum(1 for row in rows if _row_has_patch_t(row))
    return hits >= 0.6 * len(rows)


def _row_has_patch_t(row: np.ndarray) -> bool:
    edges = np.flatnonzero(np.diff(row.astype(np.int8))) + 1
    runs = np.diff(np.concatenate(([0], edges, [len(row)])))
    first_is_ink = bool(row[0])
    for start in range(0 if first_is_ink else 1, len(runs) - 6, 2):  # start on a bar
        element = runs[start:start + 7]
        threshold = (element.min() + element.max()) / 2
        wide = element > threshold
        if list(wide) == [False, False, True, False, False, False, True] and element.max() >= 2 * element.min():
            before = runs[start - 1] if start > 0 else len(row)
            after = runs[start + 7] if start + 7 < len(runs) else len(row)
            if before >= element.sum() / 2 and after >= element.sum() / 2:
                return True
    return False


def find(gray: Image.Image) -> Separator | None:
    """The separator this page is, if it is one (the page at about 72 dpi)."""
    for result in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
        separator = parse_payload(result.text)
        if separator is not None:
            return separator
    return Separator("patch-t") if _has_patch_t(gray) else None


def _pdf_pages(path: Path) -> Iterator[Image.Image | None]:
    document = pdfium.PdfDocument(path)
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            is_text_page = textpage.count_chars() > _TEXT_PAGE_CHARS
            textpage.close()
            yield None if is_text_page else page.render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()


def _image_pages(path: Path, count: int) -> Iterator[Image.Image]:
    for number in range(1, count + 1):
        frame = to_gray(open_frame(path, number))
        factor = max(1, round(image_dpi(frame) / SCAN_DPI))
        yield frame.reduce(factor) if factor > 1 else frame


def scan(path: Path, media_type: str) -> Batch:
    """Where the separator sheets of a multi-page file are (one-page files are not looked at)."""
    count = raster.page_count(path, media_type)
    if count < 2:
        return Batch(page_count=count)
    pages = _pdf_pages(path) if media_type == sniff.PDF else _image_pages(path, count)
    found = {number: sep for number, page in enumerate(pages, 1) if page is not None and (sep := find(page))}
    return Batch(found, count)


def split(path: Path, media_type: str, batch: Batch, folder: Path, *, stem: str | None = None) -> list[Segment]:
    """One file per run of pages between separator sheets, the sheets themselves dropped.

    Writing is deterministic (same batch, same segment bytes), so splitting again after a
    crash yields the very same documents, recognised by their hash.
    """
    folder.mkdir(parents=True, exist_ok=True)
    runs: list[tuple[Separator | None, list[int]]] = [(None, [])]
    for number in range(1, batch.page_count + 1):
        if number in batch.separators:
            runs.append((batch.separators[number], []))
        else:
            runs[-1][1].append(number)
    segments = []
    for separator, pages in runs:
        if not pages:
            continue
        suffix = ".pdf" if media_type == sniff.PDF else ".tif"
        target = folder / f"{stem or path.stem}-p{pages[0]}-{pages[-1]}{suffix}"
        _write_pages(path, media_type, pages, target)
        segments.append(Segment(target, tuple(pages), separator))
    return segments


def _write_pages(path: Path, media_type: str, pages: list[int], target: Path) -> None:
    if media_type == sniff.PDF:
        with pikepdf.open(path) as source, pikepdf.new() as pdf:
            for number in pages:
                pdf.pages.append(source.pages[number - 1])
            pdf.save(target, deterministic_id=True)
        return
    # Copies: a frame of an open multi-frame TIFF would make save_all write every frame.
    frames = [open_frame(path, number).copy() for number in pages]
    compression = "group4" if all(f.mode == "1" for f in frames) else "tiff_deflate"
    frames[0].save(target, compression=compression, save_all=True, append_images=frames[1:],
                   dpi=frames[0].info.get("dpi", (300, 300)))
