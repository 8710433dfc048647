"""Options the OCR leaf takes: a frozen, picklable value rather than a settings object."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Limits:
    max_file_bytes: int = 512 * 1024 * 1024
    max_pages: int = 2000
    max_page_pixels: int = 120_000_000
    """Largest raster of one page; larger images are decompression bombs."""


@dataclass(frozen=True, kw_only=True)
class OcrOptions:
    languages: str = "fra+eng"
    dpi: int = 300
    """Resolution for rasterising PDF pages that have no usable text layer."""
    min_dpi: int = 100
    """Oversized PDF pages (plans) are rasterised at a lower resolution, never below this."""
    timeout_seconds: int = 180
    conversion_timeout_seconds: int = 120
    """Longest a LibreOffice conversion (office document, e-mail, web page) may run."""
    min_text_chars: int = 20
    """Letters or digits a PDF text layer needs on a page to be used instead of OCR."""
    thresholding_method: int = 0
    limits: Limits = Limits()
