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
    read_from: Path | None = None
    """The rendition the pages are read from (an office document's PDF/A, a photo's straightened
    page), when not the received file itself; ``media_type`` is then the rendition's."""
    original_media_type: str | None = None
    """The received file's type, when the pages are read from a rendition of it."""

    @property
    def received_media_type(self) -> str:
        return self.original_media_type or self.media_type


@dataclass(frozen=True, kw_only=True)
class PageJob:
    source: Path
    media_type: str
    page: PagePlan
    workdir: Path
    """Private folder of this job for temporary files and the page PDF it writes."""
    options: OcrOptions
