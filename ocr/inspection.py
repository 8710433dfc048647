"""First look at an input: its type, pages and text layers, and every reason to refuse it.

This runs before any costly work, so that bad input is rejected in milliseconds and a
document's plan (which pages need OCR) is known before pages go to the worker pool.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, UnidentifiedImageError

from . import raster, renditions, sniff
from .errors import CorruptInput, EmptyInput, EncryptedInput, LimitExceeded, UnsupportedFormat
from .options import Limits, OcrOptions
from .plan import DocumentPlan, PagePlan
from .results import PageResult
from .textlayer import read_text_layer

DEFAULT_IMAGE_DPI = 300


def inspect(path: Path, options: OcrOptions, workdir: Path | None = None) -> DocumentPlan:
    """Plan the work for one file, or raise ``InputRejected`` with a French reason. A file that is
    no scan (an office document, an e-mail, a photo) is planned from its rendition, made in
    ``workdir`` (see ``renditions``); without one, only scans are accepted."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyInput("fichier vide (0 octet)")
    if size > options.limits.max_file_bytes:
        raise LimitExceeded(
            f"fichier trop volumineux ({size / 1e6:.0f} Mo, limite {options.limits.max_file_bytes / 1e6:.0f} Mo)"
        )
    media_type = sniff.sniff_file(path)
    if workdir is not None and (rendition := renditions.render(path, media_type, workdir, options)) is not None:
        plan = _inspect_scan(rendition.path, rendition.media_type, options)
        return replace(plan, read_from=rendition.path, original_media_type=media_type)
    if media_type not in sniff.SCANS:
        raise UnsupportedFormat(f"format non pris en charge ici : {media_type}")
    return _inspect_scan(path, media_type, options)


def _inspect_scan(path: Path, media_type: str, options: OcrOptions) -> DocumentPlan:
    if media_type == sniff.PDF:
        return _inspect_pdf(path, options)
    return _inspect_image(path, media_type, options.limits)


def image_dpi(image: Image.Image) -> int:
    """The resolution an image declares, or 300 when it declares none or an absurd one."""
    value = raster.declared_dpi(image)
    return value if 70 <= value <= 1200 else DEFAULT_IMAGE_DPI


def _inspect_image(path: Path, media_type: str, limits: Limits) -> DocumentPlan:
    pages: list[PagePlan] = []
    try:
        with Image.open(path) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > limits.max_pages:
                raise LimitExceeded(f"trop de pages ({frames}, limite {limits.max_pages})")
            for index in range(frames):
                image.seek(index)
                width, height = image.size
                if width * height > limits.max_page_pixels:
                    raise LimitExceeded(
                        f"image démesurée en page {index + 1} ({width}×{height} pixels, "
                        f"limite {limits.max_page_pixels / 1e6:.0f} mégapixels) : possible bombe de décompression"
                    )
                if width < 16 or height < 16:
                    raise CorruptInput(f"image trop petite pour être un document ({width}×{height} pixels)")
                dpi = image_dpi(image)
                pages.append(PagePlan(number=index + 1, width_pt=width * 72 / dpi, height_pt=height * 72 / dpi,
                                      dpi=dpi))
    except Image.DecompressionBombError as exc:
        raise LimitExceeded("image démesurée : possible bombe de décompression") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptInput(f"image illisible ou tronquée ({_without_path(exc, path)})") from exc
    return DocumentPlan(media_type=media_type, page_count=len(pages), text_pages=(), ocr_pages=tuple(pages))


def _inspect_pdf(path: Path, options: OcrOptions) -> DocumentPlan:
    signed = _check_structure(path, options.limits)
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise CorruptInput(f"PDF illisible ({_without_path(exc, path)})") from exc
    try:
        text_pages: list[PageResult] = []
        ocr_pages: list[PagePlan] = []
        for index in range(len(document)):
            page = document[index]
            try:
                layer = read_text_layer(page, index + 1, options.min_text_chars)
                if layer is not None:
                    text_pages.append(layer)
                    continue
                width, height = page.get_size()
                ocr_pages.append(PagePlan(number=index + 1, width_pt=width, height_pt=height,
                                          dpi=_render_dpi(width, height, index + 1, options, _scan_dpi(page))))
            finally:
                page.close()
        page_count = len(document)
    finally:
        document.close()
    if page_count == 0:
        raise CorruptInput("PDF sans aucune page")
    return DocumentPlan(media_type=sniff.PDF, page_count=page_count, text_pages=tuple(text_pages),
                        ocr_pages=tuple(ocr_pages), signed=signed)


def _check_structure(path: Path, limits: Limits) -> bool:
    """Refuse encrypted, broken or oversized PDFs; say whether the file carries a signature."""
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted and not pdf.allow.extract:
                raise EncryptedInput("PDF protégé : l'extraction du contenu est interdite par son auteur")
            if len(pdf.pages) > limits.max_pages:
                raise LimitExceeded(f"trop de pages ({len(pdf.pages)}, limite {limits.max_pages})")
            return _is_signed(pdf)
    except pikepdf.PasswordError as exc:
        raise EncryptedInput("PDF chiffré par un mot de passe : impossible de le lire") from exc
    except pikepdf.PdfError as exc:
        raise CorruptInput(f"PDF corrompu ou tronqué ({_without_path(exc, path)})") from exc


def _without_path(exc: Exception, path: Path) -> str:
    """A library's message without the stored file's path, which means nothing to the user."""
    return str(exc).replace(f"{path}: ", "").replace(str(path), "").strip()[:300]


def _is_signed(pdf: pikepdf.Pdf) -> bool:
    acroform = pdf.Root.get("/AcroForm")
    if acroform is None:
        return False
    if int(acroform.get("/SigFlags", 0)) & 1:
        return True
    return any(field.get("/FT") == "/Sig" and "/V" in field for field in acroform.get("/Fields", []))


def _scan_dpi(page: pdfium.PdfPage) -> int | None:
    """The resolution of the image that makes up a scanned page (one image over most of the page).

    Rendering a 200 dpi scan at 300 dpi invents no detail: it costs 2.25 times the pixels and
    smooths the JPEG's blocks into the strokes. ``None`` when the page is not a scan."""
    width_pt, height_pt = page.get_size()
    best = None
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = image.get_bounds()
        if (right - left) * (top - bottom) < 0.5 * width_pt * height_pt:
            continue
        pixels_wide, pixels_high = image.get_px_size()
        dpi = round(min(pixels_wide / ((right - left) / 72), pixels_high / ((top - bottom) / 72)))
        best = max(best or 0, dpi)
    return best


def _render_dpi(width_pt: float, height_pt: float, number: int, options: OcrOptions,
                scan_dpi: int | None) -> int:
    """The configured resolution (or the scan's own when lower), lowered for plans and posters so
    that the raster stays bounded."""
    area_in2 = (width_pt / 72) * (height_pt / 72)
    if area_in2 <= 0:
        raise CorruptInput(f"page {number} de taille nulle")
    fitting = math.floor(math.sqrt(options.limits.max_page_pixels / area_in2))
    dpi = min(options.dpi, fitting, max(scan_dpi or options.dpi, options.min_dpi))
    if dpi < options.min_dpi:
        raise LimitExceeded(
            f"page {number} démesurée ({width_pt / 72 * 2.54:.0f}×{height_pt / 72 * 2.54:.0f} cm)"
        )
    return dpi
