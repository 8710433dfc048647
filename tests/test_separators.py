"""Batch scans with separator sheets: printed, found after scanning, split into documents."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from examples import render
from examples.letters import by_name
from ged.context import Context
from ged.db.models import Document, Event
from ged.services.ingest import IngestService, Outcome, print_separator
from ocr import separators, sniff


def scanned_sheet(doc_type: str | None, service: str | None, tmp_path: Path) -> Image.Image:
    """The printed sheet as it comes back from the scanner: rasterised, skewed, noisy."""
    sheet = print_separator(tmp_path / f"sep-{doc_type}.pdf", doc_type=doc_type, service=service)
    page = pdfium.PdfDocument(sheet)[0].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
    return render.degrade(page, seed=5, skew=1.2, noise=8)


def patch_t_sheet(dpi: int = 200) -> Image.Image:
    mm = dpi / 25.4
    page = Image.new("L", (round(210 * mm), round(297 * mm)), 255)
    draw = ImageDraw.Draw(page)
    x = 80 * mm
    for width in (2, 5, 2, 5):  # bars narrow, wide, narrow, wide; spaces 2 mm
        draw.rectangle((x, 20 * mm, x + width * mm, 277 * mm), fill=0)
        x += (width + 2) * mm
    return render.degrade(page, seed=6, noise=6)


def letter(name: str) -> Image.Image:
    return render.degrade(render.render_scan(by_name(name), dpi=200), seed=len(name))


@pytest.fixture
def batch_pdf(tmp_path: Path) -> Path:
    """sheet(urbanisme) · letter · letter · PATCH-T · letter"""
    pages = [scanned_sheet("urbanisme", "urbanisme", tmp_path), letter("declaration_prealable"),
             letter("courrier_divers"), patch_t_sheet(), letter("reclamation_dechets")]
    path = tmp_path / "lot-du-matin.pdf"
    render.image_pdf(pages, path, dpi=200)
    return path


def test_payload_round_trip() -> None:
    text = separators.payload("etat_civil", "etat_civil")
    assert separators.parse_payload(text) == separators.Separator("qr", "etat_civil", "etat_civil")
    assert separators.parse_payload("https://exemple.fr") is None
    assert separators.parse_payload(separators.payload(None, None)) == separators.Separator("qr")


def test_sheets_are_found_and_letters_are_not(tmp_path: Path, batch_pdf: Path) -> None:
    batch = separators.scan(batch_pdf, sniff.PDF)
    assert batch.page_count == 5
    assert batch.separators == {1: separators.Separator("qr", "urbanisme", "urbanisme"),
                                4: separators.Separator("patch-t")}


def test_split_drops_sheets_and_is_deterministic(tmp_path: Path, batch_pdf: Path) -> None:
    batch = separators.scan(batch_pdf, sniff.PDF)
    first = separators.split(batch_pdf, sniff.PDF, batch, tmp_path / "a")
    again = separators.split(batch_pdf, sniff.PDF, batch, tmp_path / "b")
    assert [(s.pages, s.separator.kind if s.separator else None) for s in first] == [((2, 3), "qr"), ((5,), "patch-t")]
    assert [s.path.name for s in first] == ["lot-du-matin-p2-3.pdf", "lot-du-matin-p5-5.pdf"]
    assert [hashlib.sha256(s.path.read_bytes()).digest() for s in first] == [
        hashlib.sha256(s.path.read_bytes()).digest() for s in again]
    with pikepdf.open(first[0].path) as pdf:
        assert len(pdf.pages) == 2


def test_tiff_batch_is_split_into_tiffs(tmp_path: Path) -> None:
    frames = [letter("courrier_divers"), scanned_sheet(None, "accueil", tmp_path), letter("reclamation_dechets")]
    path = tmp_path / "lot.tif"
    bilevel = [f.point(lambda v: 255 if v > 140 else 0).convert("1") for f in frames]
    bilevel[0].save(path, compression="group4", save_all=True, append_images=bilevel[1:], dpi=(200, 200))
    batch = separators.scan(path, sniff.TIFF)
    assert batch.separators == {2: separators.Separator("qr", None, "accueil")}
    segments = separators.split(path, sniff.TIFF, batch, tmp_path / "out")
    assert [(s.pages, s.separator) for s in segments] == [((1,), None), ((3,), batch.separators[2])]
    with Image.open(segments[1].path) as image:
        assert image.n_frames == 1 and image.mode == "1"


def test_single_page_files_are_not_scanned(samples: Path) -> None:
    assert separators.scan(samples / "facture_fournisseur.pdf", sniff.PDF) == separators.Batch(page_count=1)


def test_bad_codes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="invalide"):
        print_separator(tmp_path / "x.pdf", doc_type="a;service=x", service=None)


@pytest.mark.slow
def test_a_batch_becomes_one_document_per_segment(context: Context, batch_pdf: Path, tmp_path: Path) -> None:
    reports = IngestService(context).ingest([batch_pdf])
    assert [(r.outcome, r.page_count) for r in reports] == [(Outcome.INGESTED, 2), (Outcome.INGESTED, 1)]
    assert {r.source for r in reports} == {str(batch_pdf)}
    batch_sha = hashlib.sha256(batch_pdf.read_bytes()).hexdigest()
    assert context.blobs.path_for(batch_sha).read_bytes() == batch_pdf.read_bytes()  # the batch, byte for byte
    with context.db.session() as session:
        documents = list(session.scalars(select(Document).order_by(Document.id)))
        assert [(d.filename, d.doc_type, d.service) for d in documents] == [
            ("lot-du-matin-p2-3.pdf", "urbanisme", "urbanisme"),  # the QR sheet's type and service, kept
            ("lot-du-matin-p5-5.pdf", "reclamation", "accueil")]  # after a PATCH-T sheet: classified and routed
        assert documents[0].attributes["lot"] == batch_sha and documents[0].attributes["pages"] == [2, 3]
        assert "DP 044 162 25 00031" in documents[0].text and "Marché" in documents[1].text
        split = session.scalar(select(Event).where(Event.kind == "batch.split"))
        assert split.payload["segments"] == [[2, 3], [5]] and split.payload["separators"] == {"1": "qr", "4": "patch-t"}
    copy = tmp_path / "encore.pdf"
    copy.write_bytes(batch_pdf.read_bytes())
    again = IngestService(context).ingest([copy])
    assert [(r.outcome, r.duplicate_of) for r in again] == [(Outcome.DUPLICATE, 1), (Outcome.DUPLICATE, 2)]


@pytest.mark.slow
def test_watched_batch_is_filed_once_and_split(ged_home: Path, run_cli, batch_pdf: Path, tmp_path: Path,  # noqa: ANN001
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_WATCH__SETTLE_SECONDS", "0.2")
    assert run_cli("init").exit_code == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / batch_pdf.name).write_bytes(batch_pdf.read_bytes())
    result = run_cli("watch", inbox, "--once")
    assert result.exit_code == 0 and "└ document 2" in result.stdout
    assert [p.name for p in inbox.rglob("*") if p.is_file()] == ["lot-du-matin.pdf"]
    assert (inbox / "done" / "lot-du-matin.pdf").exists()
    assert run_cli("search", "moulin", "--service", "urbanisme", "--json").json()["total"] == 1
