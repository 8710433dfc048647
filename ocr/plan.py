"""What is to be done with a document: its pages, which need OCR, and the jobs sent to workers.

Plain picklable values, cheap to import: the parent process plans and dispatches without
loading any imaging library.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .options import OcrOptions
from .results import PageResult


@dataclass(frozen=True, kw_only=True)
class PagePlan:
    number: int
    """1-based."""
    width_pt: float
    height_pt: float
    dpi: int
    """Resolution of the raster that OCR reads (the image's own, or the rendering one)."""


@dataclass(frozen=True, kw_only=True)
class DocumentPlan:
    media_type: str
    page_count: int
    text_pages: tuple[PageResult, ...]
    """Pages whose own text layer is used as it is."""
    ocr_pages: tuple[PagePlan, ...]
    """Pages that need recognition."""
    signed: bool = False
    """A signed PDF is never rewritten: no searchable copy is made from it."""


@dataclass(frozen=True, kw_only=True)
class PageJob:
    source: Path
    media_type: str
    page: PagePlan
    workdir: Path
    """Private folder of this job for temporary files and the page PDF it writes."""
    options: OcrOptions
