"""The searchable PDF/A-2b copy of a document, assembled from its pages and validated.

pikepdf writes, declares and validates PDF/A itself (``pikepdf.pdfa.save`` re-reads what it
wrote), so scans need no Ghostscript; only born-digital PDFs whose fonts are not embedded
go through Ghostscript first.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import pikepdf
import pikepdf.pdfa

from . import ghostscript, sniff
from .errors import EngineError
from .plan import DocumentPlan
from .results import PageResult

# pikepdf's PDF/A check reads embedded fonts with fontTools, which warns on stderr about details
# of fonts that LibreOffice writes ("'modified' timestamp seems very low"): noise to a user.
logging.getLogger("fontTools").setLevel(logging.ERROR)

FLAVOUR = "2b"


class PdfaFailed(EngineError):
    """No valid PDF/A copy could be made; the document keeps its original only."""


def _overlay(page: pikepdf.Page, layer: pikepdf.Page, pdf: pikepdf.Pdf) -> None:
    form = pdf.copy_foreign(layer.as_form_xobject())
    rotate = int(layer.obj.get("/Rotate", 0))
    name = page.add_resource(form, pikepdf.Name.XObject, prefix="GedOcr")
    # Isolate the original drawing so that a graphics state it leaves open cannot move the text.
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream(b"\nQ q " + str(name).encode() + b" Do Q\n"), prepend=False)
    page.obj.Rotate = rotate


def _drop_presentation(pdf: pikepdf.Pdf) -> None:
    """Remove what only affects slide shows or is never drawn, which PDF/A validation cannot vouch for."""
    for page in pdf.pages:
        for key in ("/Trans", "/Dur", "/PZ"):
            if key in page.obj:
                del page.obj[key]
    pdf.remove_unreferenced_resources()


def _assemble(source: Path, media_type: str, pages: Sequence[PageResult], opened: ExitStack) -> pikepdf.Pdf:
    """The document to save; page PDFs stay open in ``opened`` until then (qpdf copies their streams lazily)."""
    layers = {p.number: opened.enter_context(pikepdf.open(p.page_pdf)).pages[0]
              for p in pages if p.page_pdf is not None}
    if media_type != sniff.PDF:
        pdf = opened.enter_context(pikepdf.new())
        for number in sorted(layers):
            pdf.pages.append(layers[number])
        return pdf
    pdf = opened.enter_context(pikepdf.open(source))
    for number, layer in layers.items():
        _overlay(pdf.pages[number - 1], layer, pdf)
    _drop_presentation(pdf)
    return pdf


def build_searchable_pdf(source: Path, media_type: str, pages: Sequence[PageResult], destination: Path,
                         *, timeout: int = 300) -> None:
    """Write the PDF/A-2b copy to ``destination`` or raise ``PdfaFailed`` with a French reason."""
    with ExitStack() as opened:
        pdf = _assemble(source, media_type, pages, opened)
        try:
            pikepdf.pdfa.save(pdf, destination, FLAVOUR)
            return
        except pikepdf.pdfa.PdfaError as exc:
            first_failure = str(exc)
        if not ghostscript.available():
            raise PdfaFailed(f"copie PDF/A impossible ({first_failure[:300]}) et Ghostscript absent")
        with tempfile.TemporaryDirectory(prefix="ged-pdfa-") as work:
            assembled, rewritten = Path(work) / "in.pdf", Path(work) / "gs.pdf"
            pdf.save(assembled)
            ghostscript.rewrite_for_pdfa(assembled, rewritten, timeout)
            with pikepdf.open(rewritten) as rescued:
                try:
                    pikepdf.pdfa.save(rescued, destination, FLAVOUR)
                except pikepdf.pdfa.PdfaError as exc:
                    raise PdfaFailed(f"copie PDF/A non conforme même après Ghostscript ({str(exc)[:300]})") from exc


def generated_pdfa(data: bytes, destination: Path) -> None:
    """Write a PDF the toolkit generated (a report, a letter; fonts embedded) as PDF/A-2b, or raise ``PdfaFailed``."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        _drop_presentation(pdf)
        try:
            pikepdf.pdfa.save(pdf, destination, FLAVOUR)
        except pikepdf.pdfa.PdfaError as exc:
            raise PdfaFailed(f"copie PDF/A impossible ({str(exc)[:300]})") from exc


def write_searchable_copy(source: Path, plan: DocumentPlan, pages: Sequence[PageResult], destination: Path,
                          *, timeout: int) -> str | None:
    """Write the copy and return None, or return why there is none (a worker-process entry point)."""
    if plan.signed:
        return "PDF signé : conservé tel quel, sans copie PDF/A (la signature serait rompue)"
    try:
        build_searchable_pdf(source, plan.media_type, pages, destination, timeout=timeout)
    except EngineError as exc:
        return str(exc)
    return None


def is_valid_pdfa(path: Path) -> bool:
    """Whether the file passes pikepdf's PDF/A-2b allowlist validator as it stands."""
    with pikepdf.open(path) as pdf:
        return pikepdf.pdfa.check(pdf, FLAVOUR).verdict == "pass"
