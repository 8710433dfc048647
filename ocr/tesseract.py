"""Tesseract behind one thin wrapper: availability probed once, several pages per run.

A single pass writes both the TSV (words, boxes, confidences) and the text-only PDF that
becomes the searchable layer: the layer costs no second recognition. Each run loads the
language models first (≈ 0.1 CPU-s for fra+eng), so a worker reads the pages it is given
in one run: one image, or a list file naming them, one PDF page and TSV page each.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytesseract

from .errors import EngineError, MissingDependency


@dataclass(frozen=True)
class RawWord:
    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    line: int


@dataclass(frozen=True)
class Reading:
    words: tuple[RawWord, ...]
    text_only_pdf: Path
    layer_index: int = 0
    """This page's page (0-based) in ``text_only_pdf``."""

    @property
    def mean_confidence(self) -> float:
        return sum(w.confidence for w in self.words) / len(self.words) if self.words else 0.0

    @property
    def score(self) -> float:
        """Total confidence of plausible words: compares two readings of one page."""
        return sum(w.confidence for w in self.words if w.confidence >= 30 and len(w.text) > 1)


@cache
def check_available(languages: str) -> str:
    """Tesseract's version, once it is known that it and every language pack are installed."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise MissingDependency("Tesseract est introuvable : installez le paquet tesseract-ocr")
    installed = set(pytesseract.get_languages(config=""))
    missing = [lang for lang in languages.split("+") if lang not in installed]
    if missing:
        raise MissingDependency(
            "langue(s) Tesseract absente(s) : " + ", ".join(missing)
            + " (paquets " + ", ".join(f"tesseract-ocr-{m}" for m in missing) + ")"
        )
    return str(pytesseract.get_tesseract_version())


def recognise(images: Sequence[Path], output_base: Path, *, languages: str, dpi: int, timeout: int,
              thresholding_method: int) -> list[Reading]:
    """Read the page images in one run, one reading each in their order; the caller owns the output files."""
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one thread per process: 2.5–7× faster here (FIELD-NOTES)
    config = (f"--dpi {dpi} -c textonly_pdf=1 -c tessedit_create_tsv=1 "
              f"-c thresholding_method={thresholding_method}")
    source = images[0]
    if len(images) > 1:
        source = output_base.with_suffix(".list")
        source.write_text("".join(f"{image}\n" for image in images), encoding="utf-8")
    try:
        pytesseract.pytesseract.run_tesseract(str(source), str(output_base), "pdf", languages, config,
                                              timeout=timeout * len(images))
    except pytesseract.TesseractError as exc:  # a RuntimeError too: caught first
        raise EngineError(f"échec de Tesseract : {exc.message}") from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise EngineError(f"Tesseract a dépassé le délai de {timeout} s par page") from exc
    pages = _parse_tsv(output_base.with_suffix(".tsv"))
    return [Reading(pages.get(index + 1, ()), output_base.with_suffix(".pdf"), index) for index in range(len(images))]


_OSD_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.MULTILINE)
_OSD_CONFIDENCE = re.compile(r"^Orientation confidence:\s*([\d.]+)", re.MULTILINE)
MIN_OSD_CONFIDENCE = 2.0
"""Tesseract's orientation confidence under which its answer is not taken (measured: 3–16 on pages
of text, under 1 on a page of a few words)."""


def orientation(image: Path, *, dpi: int, timeout: int) -> int | None:
    """Clockwise degrees (0, 90, 180, 270) that make the page upright, by Tesseract's orientation and
    script detection (``--psm 0``, needs ``osd.traineddata``); None when it cannot tell (too little text).
    Stopping after 15 characters (Tesseract tries 50) halves its cost, to 0.3–0.5 CPU-s for an A4
    page at 200–300 dpi with an orientation confidence of 3–6 on a letter; still half a reading, so
    it is asked only when cheaper cues fail."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        output = pytesseract.pytesseract.run_and_get_output(
            str(image), "osd", "osd", f"--psm 0 --dpi {dpi} -c min_characters_to_try=15", timeout=timeout)
    except pytesseract.TesseractError:  # a RuntimeError too: caught first, or it read as a timeout
        return None  # "Too few characters": nothing to decide from
    except RuntimeError as exc:
        raise EngineError(f"Tesseract a dépassé le délai de {timeout} s par page") from exc
    rotate, confidence = _OSD_ROTATE.search(output), _OSD_CONFIDENCE.search(output)
    if rotate is None or confidence is None or float(confidence.group(1)) < MIN_OSD_CONFIDENCE:
        return None
    return int(rotate.group(1)) % 360


def _parse_tsv(path: Path) -> dict[int, tuple[RawWord, ...]]:
    """Words by page number (1-based); line numbers restart with each page."""
    pages: dict[int, list[RawWord]] = {}
    lines: dict[int, dict[tuple[str, str, str], int]] = {}
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE):
            text = (row.get("text") or "").strip()
            if row["level"] != "5" or not text:
                continue
            page = int(row["page_num"])
            words = pages.setdefault(page, [])
            numbered = lines.setdefault(page, {})
            line = numbered.setdefault((row["block_num"], row["par_num"], row["line_num"]), len(numbered))
            words.append(RawWord(text, int(row["left"]), int(row["top"]), int(row["width"]),
                                 int(row["height"]), max(float(row["conf"]), 0.0), line))
    return {page: tuple(words) for page, words in pages.items()}
