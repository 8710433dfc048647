"""Recognition of pages, the unit of work of the OCR worker processes.

Steps, each a small function: raster → orientation and skew (projection profiles; Tesseract's
OSD when they cannot tell which way up) → check boxes → Tesseract (text and layer in one pass;
the pages a worker is given in one run, since every run first loads the language models) →
the layer placed on the original page. A page is read once. Jobs and results are picklable; one page's failure is
that page's outcome, not its companions'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import cast

import numpy as np
from PIL import Image

from . import checkboxes, cleanup, geometry, layers, lighting, raster, sniff, tesseract
from .errors import EngineError, MissingDependency, OcrError
from .plan import PageJob
from .results import PageResult, TextSource, Word


@dataclass(frozen=True)
class _Prepared:
    job: PageJob
    raster_size: tuple[int, int]
    correction: cleanup.Correction
    image: Path
    """The upright page as Tesseract reads it, already on disk: a run of pages holds no page in memory."""
    boxes: tuple[checkboxes.Checkbox, ...]
    """Check boxes of the upright page, in pixels at half its resolution."""


def _prepare(job: PageJob) -> _Prepared:
    tesseract.check_available(job.options.languages)
    Image.MAX_IMAGE_PIXELS = job.options.limits.max_page_pixels
    job.workdir.mkdir(parents=True, exist_ok=True)
    gray = lighting.even(raster.load_gray(job.source, job.media_type, job.page), job.page.dpi)
    correction = cleanup.detect(gray)
    threshold = cleanup.otsu_threshold(gray)
    ink = np.asarray(cleanup.apply(gray, correction, nearest=True)) <= threshold
    if correction.uncertain:  # the text lines did not tell which way up: Tesseract's OSD decides, once
        turn = _orientation(job, ink)
        decided = correction.unresolved() if turn is None else correction.turned(turn)
        if decided.quarter_turns != correction.quarter_turns:
            ink = np.asarray(cleanup.apply(gray, decided, nearest=True)) <= threshold
        correction = decided
    boxes = checkboxes.find(cleanup.half(ink), job.page.dpi / 2)
    # Tesseract's default thresholding is a global Otsu, done here (cleanup.bitonal_pbm); adaptive
    # methods (Sauvola) must see the grey page.
    if job.options.thresholding_method == 0:
        image = job.workdir / "upright.pbm"
        image.write_bytes(cleanup.bitonal_pbm(cleanup.without_rules(ink, job.page.dpi)))
    else:
        image = job.workdir / "upright.pgm"
        cleanup.apply(gray, correction, nearest=False).save(image)
    return _Prepared(job, gray.size, correction, image, tuple(boxes))


def _orientation(job: PageJob, ink: np.ndarray) -> int | None:
    """OSD on the page at its own resolution: at half, 200-dpi scans (read at 100 dpi) were turned
    upside down or left unsure (6 of 103 pages wrong on the development corpus, none at full)."""
    image = job.workdir / "orientation.pbm"
    image.write_bytes(cleanup.bitonal_pbm(ink))
    return tesseract.orientation(image, dpi=job.page.dpi, timeout=job.options.timeout_seconds)


def _read(job: PageJob, images: Sequence[Path], output_base: Path) -> list[tesseract.Reading]:
    """``images`` share ``job``'s options and resolution (``process_pages`` groups them so)."""
    options = job.options
    return tesseract.recognise(images, output_base, languages=options.languages, dpi=job.page.dpi,
                               timeout=options.timeout_seconds, thresholding_method=options.thresholding_method)


def _read_together(pages: list[_Prepared]) -> list[tesseract.Reading | OcrError]:
    """One run for all; if it fails, each page alone, so that a bad page fails only itself."""
    try:
        return [*_read(pages[0].job, [page.image for page in pages],
                       pages[0].job.workdir / ("lot" if len(pages) > 1 else "upright"))]
    except EngineError as exc:
        if len(pages) == 1:
            return [exc]
    readings: list[tesseract.Reading | OcrError] = []
    for page in pages:
        try:
            readings += _read(page.job, [page.image], page.job.workdir / "upright")
        except EngineError as exc:
            readings.append(exc)
    return readings


def _words(reading: tesseract.Reading, dpi: int) -> tuple[Word, ...]:
    scale = 72.0 / dpi
    return tuple(
        Word(w.text, w.left * scale, w.top * scale, (w.left + w.width) * scale, (w.top + w.height) * scale,
             w.confidence, w.line)
        for w in reading.words
    )


def _text(words: tuple[Word, ...]) -> str:
    lines: dict[int, list[str]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word.text)
    return "\n".join(" ".join(parts) for _, parts in sorted(lines.items()))


def _finish(page: _Prepared, reading: tesseract.Reading) -> PageResult:
    """The page's result and its one-page PDF in its workdir."""
    job, correction = page.job, page.correction
    is_pdf = job.media_type == sniff.PDF
    if is_pdf:
        mediabox, rotate = raster.pdf_page_geometry(job.source, job.page.number)
    else:
        mediabox, rotate = (0.0, 0.0, job.page.width_pt, job.page.height_pt), 0
    placement = geometry.layer_placement(raster_size=page.raster_size, dpi=job.page.dpi, correction=correction,
                                         mediabox=mediabox, rotate=rotate)
    page_pdf = job.workdir / "page.pdf"
    layers.write_page(
        page_pdf, text_only_pdf=reading.text_only_pdf, layer_index=reading.layer_index, placement=placement,
        mediabox=mediabox, rotate=geometry.upright_rotate(rotate, correction),
        image=None if is_pdf else (job.source, job.page.number, job.media_type == sniff.JPEG),
    )
    words = checkboxes.as_words(_words(reading, job.page.dpi), page.boxes, 2 * 72.0 / job.page.dpi)
    width, height = page.raster_size
    upright_size = (height, width) if correction.quarter_turns % 2 else (width, height)
    return PageResult(
        number=job.page.number, source=TextSource.OCR, text=_text(words), words=words,
        width_pt=upright_size[0] * 72 / job.page.dpi, height_pt=upright_size[1] * 72 / job.page.dpi,
        rotation=(360 - 90 * correction.quarter_turns) % 360, skew_degrees=correction.skew,
        page_pdf=page_pdf,
    )


def _unexpected(exc: Exception) -> EngineError:
    return EngineError(f"erreur inattendue : {type(exc).__name__}: {exc}")


def process_pages(jobs: Sequence[PageJob]) -> list[PageResult | OcrError]:
    """Recognise the pages (Tesseract once per resolution), each writing its one-page PDF into its
    ``workdir``; one outcome per job, in order. A missing Tesseract stops everything."""
    outcomes: list[PageResult | OcrError | None] = [None] * len(jobs)
    prepared: list[tuple[int, _Prepared]] = []
    for index, job in enumerate(jobs):
        try:
            prepared.append((index, _prepare(job)))
        except MissingDependency:
            raise
        except OcrError as exc:
            outcomes[index] = exc
        except Exception as exc:  # noqa: BLE001 - a library bug on one page must not fail its companions
            outcomes[index] = _unexpected(exc)
    prepared.sort(key=lambda item: item[1].job.page.dpi)
    for _dpi, group in groupby(prepared, key=lambda item: item[1].job.page.dpi):
        members = list(group)
        readings = _read_together([page for _, page in members])
        for (index, page), reading in zip(members, readings, strict=True):
            if isinstance(reading, OcrError):
                outcomes[index] = reading
                continue
            try:
                outcomes[index] = _finish(page, reading)
            except OcrError as exc:
                outcomes[index] = exc
            except Exception as exc:  # noqa: BLE001 - as above
                outcomes[index] = _unexpected(exc)
    assert all(outcome is not None for outcome in outcomes)
    return cast(list[PageResult | OcrError], outcomes)


def process_page(job: PageJob) -> PageResult:
    """One page on its own (tests, tools); workers use ``process_pages``."""
    [outcome] = process_pages([job])
    if isinstance(outcome, OcrError):
        raise outcome
    return outcome
