"""Pages of the sample mail as the extractors read them: real OCR (or text layer), once per session."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

import ocr
from classifiers.fields.document import PageText, WordBox
from ocr.plan import PageJob


def read_pages(path: Path) -> list[PageText]:
    options = ocr.OcrOptions(languages="fra", dpi=300)
    plan = ocr.inspect(path, options)
    results = list(plan.text_pages)
    workdir = Path(tempfile.mkdtemp(prefix="ged-test-"))
    try:
        for page in plan.ocr_pages:
            results.append(ocr.process_page(PageJob(source=path, media_type=plan.media_type, page=page,
                                                    workdir=workdir, options=options)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return [PageText(r.number, tuple(WordBox(w.text, w.x0, w.y0, w.x1, w.y1, w.confidence, w.line) for w in r.words),
                     r.width_pt, r.height_pt) for r in sorted(results, key=lambda r: r.number)]


@pytest.fixture(scope="session")
def sample_pages(samples: Path) -> Callable[[str], list[PageText]]:
    """``sample_pages("facture_fournisseur")`` → its pages, recognised once per session."""
    if shutil.which("tesseract") is None:
        pytest.skip("Tesseract absent (paquet tesseract-ocr) : extraction sur le courrier réel non testée")
    cache: dict[str, list[PageText]] = {}

    def pages(stem: str) -> list[PageText]:
        if stem not in cache:
            cache[stem] = read_pages(next(samples.glob(f"{stem}.*")))
        return cache[stem]

    return pages
