"""Recognition of one page, the unit of work of the OCR worker processes.

Steps, each a small function: raster → orientation and skew → Tesseract (text and layer in
one pass) → a second reading turned over when confidence says the page may be upside
down → the layer placed on the original page. Jobs and results are picklable.
"""

from __future__ import annotations

from PIL import Image

from . import cleanup, geometry, layers, raster, sniff, tesseract
from .plan import PageJob
from .results import PageResult, TextSource, Word


def _read(image: Image.Image, threshold: int | None, job: PageJob, name: str) -> tesseract.Reading:
    """``threshold``: the page goes to Tesseract in black and white; None: in grey."""
    if threshold is None:
        image_path = job.workdir / f"{name}.pgm"
        image.save(image_path)
    else:
        image_path = job.workdir / f"{name}.pbm"
        image_path.write_bytes(cleanup.bitonal_pbm(image, threshold))
    options = job.options
    return tesseract.recognise(image_path, job.workdir / name, languages=options.languages, dpi=job.page.dpi,
                               timeout=options.timeout_seconds,
                               thresholding_method=options.thresholding_method)


def _best_reading(upright: Image.Image, threshold: int | None, correction: cleanup.Correction,
                  job: PageJob) -> tuple[tesseract.Reading, cleanup.Correction]:
    reading = _read(upright, threshold, job, "upright")
    if correction.uncertain and reading.words and reading.mean_confidence < job.options.retry_upside_down_below:
        turned = _read(upright.transpose(Image.Transpose.ROTATE_180), threshold, job, "turned")
        if turned.score > reading.score:
            return turned, correction.turned_over()
    return reading, correction


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


def process_page(job: PageJob) -> PageResult:
    """Recognise one page and write its one-page PDF into ``job.workdir``."""
    tesseract.check_available(job.options.languages)
    Image.MAX_IMAGE_PIXELS = job.options.limits.max_page_pixels
    job.workdir.mkdir(parents=True, exist_ok=True)
    gray = raster.load_gray(job.source, job.media_type, job.page)
    correction = cleanup.detect(gray)
    # Tesseract's default thresholding is a global Otsu, done here (cleanup.bitonal_pbm); adaptive
    # methods (Sauvola) must see the grey page.
    threshold = cleanup.otsu_threshold(gray) if job.options.thresholding_method == 0 else None
    upright = cleanup.apply(gray, correction, nearest=threshold is not None)
    reading, correction = _best_reading(upright, threshold, correction, job)

    is_pdf = job.media_type == sniff.PDF
    if is_pdf:
        mediabox, rotate = raster.pdf_page_geometry(job.source, job.page.number)
    else:
        mediabox, rotate = (0.0, 0.0, job.page.width_pt, job.page.height_pt), 0
    placement = geometry.layer_placement(raster_size=gray.size, dpi=job.page.dpi, correction=correction,
                                         mediabox=mediabox, rotate=rotate)
    page_pdf = job.workdir / "page.pdf"
    layers.write_page(
        page_pdf, text_only_pdf=reading.text_only_pdf, placement=placement, mediabox=mediabox,
        rotate=geometry.upright_rotate(rotate, correction),
        image=None if is_pdf else (job.source, job.page.number, job.media_type == sniff.JPEG),
    )
    words = _words(reading, job.page.dpi)
    upright_size = (gray.size[::-1] if correction.quarter_turns % 2 else gray.size)
    return PageResult(
        number=job.page.number, source=TextSource.OCR, text=_text(words), words=words,
        width_pt=upright_size[0] * 72 / job.page.dpi, height_pt=upright_size[1] * 72 / job.page.dpi,
        rotation=(360 - 90 * correction.quarter_turns) % 360, skew_degrees=correction.skew,
        page_pdf=page_pdf,
    )
