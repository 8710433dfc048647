"""Ingestion end to end through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import event, func, select

import ocr
from ged import journal
from ged.context import Context
from ged.db.models import Document, DocumentState, Event, FileRole, Page
from ged.ingest._pool import OcrPool
from ged.search import SearchRequest
from ged.services.ingest import IngestReport, IngestService, Outcome
from ged.settings import load_settings


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _events(ctx: Context, document_id: int | None = None) -> list[str]:
    with ctx.db.session() as session:
        query = select(Event.kind).order_by(Event.id)
        if document_id is not None:
            query = query.where(Event.document_id == document_id)
        return list(session.scalars(query))


@pytest.fixture
def inbox(tmp_path: Path, samples: Path) -> Path:
    folder = tmp_path / "courrier"
    (folder / "finances").mkdir(parents=True)
    shutil.copy(samples / "facture_fournisseur.pdf", folder / "finances")
    shutil.copy(samples / "demande_subvention.pdf", folder)
    shutil.copy(samples / "signalement_eclairage.png", folder)
    (folder / "Thumbs.db").write_bytes(b"litter")
    (folder / ".~lock.x#").write_bytes(b"litter")
    return folder


@pytest.mark.slow
def test_folder_is_ingested_processed_and_searchable(context: Context, inbox: Path) -> None:
    reports = IngestService(context).ingest([inbox])
    assert [(Path(r.source).name, r.outcome) for r in reports] == [
        ("demande_subvention.pdf", Outcome.INGESTED), ("facture_fournisseur.pdf", Outcome.INGESTED),
        ("signalement_eclairage.png", Outcome.INGESTED)]
    with context.db.session() as session:
        documents = list(session.scalars(select(Document).order_by(Document.id)))
        assert {d.state for d in documents} == {DocumentState.PROCESSED}
        scan = documents[2]
        assert scan.media_type == "image/png" and scan.page_count == 1 and scan.indexed_at is not None
        page = session.scalar(select(Page).where(Page.document_id == scan.id))
        assert page.source == "ocr" and page.skew == pytest.approx(-1.5, abs=0.2) and len(page.words) > 100
        for document in documents:
            original, pdfa = document.file(FileRole.ORIGINAL), document.file(FileRole.PDFA)
            assert original is not None and original.sha256 == document.sha256
            assert pdfa is not None and ocr.is_valid_pdfa(context.blobs.verified_path(pdfa.sha256))
    assert context.blobs.path_for(scan.sha256).read_bytes() == (inbox / "signalement_eclairage.png").read_bytes()
    assert _events(context, scan.id)[:3] == ["document.received", "document.processed", "document.classified"]
    result = context.search.search(SearchRequest(text="éclairage rue des Lilas"))
    assert result.hits[0].id == scan.id and "<mark>" in result.hits[0].snippet


def test_same_bytes_twice_are_a_duplicate_linked_to_the_first(context: Context, samples: Path, tmp_path: Path) -> None:
    service = IngestService(context)
    first = service.ingest([samples / "facture_fournisseur.pdf"])[0]
    renamed = tmp_path / "copie de la facture.pdf"
    shutil.copy(samples / "facture_fournisseur.pdf", renamed)
    second = service.ingest([renamed])[0]
    assert second.outcome == Outcome.DUPLICATE and second.duplicate_of == first.document_id
    assert second.page_count == 1
    with context.db.session() as session:
        assert session.scalar(select(func.count(Document.id))) == 1
    assert _events(context, first.document_id)[-1] == "document.duplicate"
    assert not list((context.settings.blobs_path / "incoming").iterdir())


def test_bad_files_are_quarantined_and_the_batch_goes_on(context: Context, samples: Path, tmp_path: Path) -> None:
    batch = tmp_path / "lot"
    batch.mkdir()
    (batch / "a_vide.pdf").write_bytes(b"")
    (batch / "b_tronque.pdf").write_bytes((samples / "facture_fournisseur.pdf").read_bytes()[:3000])
    (batch / "c_lettre.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (batch / "d_tronquee.jpg").write_bytes((samples / "inscription_scolaire.jpg").read_bytes()[:150_000])
    with pikepdf.open(samples / "facture_fournisseur.pdf") as pdf:
        pdf.save(batch / "e_chiffre.pdf", encryption=pikepdf.Encryption(user="x", owner="x"))
    shutil.copy(samples / "demande_subvention.pdf", batch / "f_bon.pdf")

    reports = IngestService(context).ingest([batch])
    outcomes = {Path(r.source).name: (r.outcome, r.reason_code) for r in reports}
    assert outcomes == {
        "a_vide.pdf": (Outcome.QUARANTINED, "empty"), "b_tronque.pdf": (Outcome.QUARANTINED, "corrupt"),
        "c_lettre.docx": (Outcome.QUARANTINED, "unsupported"), "d_tronquee.jpg": (Outcome.QUARANTINED, "corrupt"),
        "e_chiffre.pdf": (Outcome.QUARANTINED, "encrypted"), "f_bon.pdf": (Outcome.INGESTED, None),
    }
    quarantine = context.settings.quarantine_path
    for source in batch.iterdir():
        if source.name == "f_bon.pdf":
            continue
        [copy] = [p for p in quarantine.iterdir() if p.name.endswith(source.name)]
        assert copy.read_bytes() == source.read_bytes()
        reason = Path(str(copy) + ".motif.txt").read_text(encoding="utf-8")
        assert f"Empreinte SHA-256 : {_sha(source)}" in reason and "Motif : " in reason
    with context.db.session() as session:
        states = dict(session.execute(select(Document.filename, Document.state)).all())
    assert states["f_bon.pdf"] == DocumentState.PROCESSED
    assert states["b_tronque.pdf"] == DocumentState.QUARANTINED


def test_file_over_the_size_limit_is_kept_in_quarantine_only(context: Context, samples: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context.settings.limits, "max_file_bytes", 1000)
    source = samples / "facture_fournisseur.pdf"
    report = IngestService(context).ingest([source])[0]
    assert report.outcome == Outcome.QUARANTINED and report.reason_code == "too_large"
    assert report.document_id is None
    [copy] = [p for p in context.settings.quarantine_path.iterdir() if p.name.endswith(".pdf")]
    assert copy.read_bytes() == source.read_bytes() and copy.name.startswith(_sha(source)[:12])
    assert _events(context)[1:] == ["document.refused"]  # after the model installed by init


def test_a_crash_after_storing_is_resumed_without_duplicates(context: Context, samples: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(self: OcrPool, documents: Iterable[object]) -> None:
        next(iter(documents))  # the pool asks for the document: it is stored, then the machine stops
        raise KeyboardInterrupt("machine arrêtée pendant l'OCR")

    with monkeypatch.context() as patch:
        patch.setattr(OcrPool, "process", crash)
        with pytest.raises(KeyboardInterrupt):
            IngestService(context).ingest([samples / "demande_subvention.pdf"])
    service = IngestService(context)
    assert [d.filename for d in service.pending()] == ["demande_subvention.pdf"]
    [resumed] = service.resume()
    assert resumed.outcome == Outcome.INGESTED
    again = service.ingest([samples / "demande_subvention.pdf"])[0]
    assert again.outcome == Outcome.DUPLICATE and again.duplicate_of == resumed.document_id
    with context.db.session() as session:
        assert session.scalar(select(func.count(Document.id))) == 1
    assert context.search.search(SearchRequest(text="subvention jardin")).total == 1


def test_signed_pdf_is_kept_as_it_is(context: Context, samples: Path, tmp_path: Path) -> None:
    signed = tmp_path / "signe.pdf"
    with pikepdf.open(samples / "facture_fournisseur.pdf") as pdf:
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), SigFlags=3)
        pdf.save(signed)
    report = IngestService(context).ingest([signed])[0]
    assert report.outcome == Outcome.INGESTED
    with context.db.session() as session:
        document = session.get_one(Document, report.document_id)
        assert document.file(FileRole.PDFA) is None and "Électricité" in document.text
        processed = session.scalar(select(Event).where(Event.kind == "document.processed"))
        assert "PDF signé" in processed.payload["warning"]


def test_two_processes_ingesting_the_same_file_store_it_once(context: Context, samples: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_DATABASE_URL", context.settings.db_url)
    command = [sys.executable, "-c", "from cli.app import main; main()", "ingest", "--json",
               str(samples / "facture_fournisseur.pdf")]
    root = Path(__file__).parents[1]
    runs = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    with context.db.session() as session:
        assert session.scalar(select(func.count(Document.id))) == 1
    kinds = _events(context)
    assert kinds.count("document.received") == 1 and kinds.count("document.duplicate") == 1


def test_the_same_bytes_twice_in_one_batch_are_stored_once(context: Context, samples: Path, tmp_path: Path) -> None:
    """Files are received a few to a transaction: the second copy sees the first one's uncommitted row."""
    batch = tmp_path / "lot"
    batch.mkdir()
    for name in ("a.pdf", "b.pdf"):
        shutil.copy(samples / "facture_fournisseur.pdf", batch / name)
    first, second = IngestService(context).ingest([batch])
    assert first.outcome == Outcome.INGESTED
    assert second.outcome == Outcome.DUPLICATE and second.duplicate_of == first.document_id
    with context.db.session() as session:
        assert session.scalar(select(func.count(Document.id))) == 1
        assert not journal.verify(session)
    assert not list((context.settings.blobs_path / "incoming").iterdir())


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite locks before the check
def test_a_file_another_process_stores_first_is_a_duplicate_and_the_rest_of_its_batch_is_stored(
        context: Context, samples: Path, tmp_path: Path) -> None:
    """The other process commits the same bytes between our duplicate check and our insert: the batch's
    transaction fails on the unique fingerprint, and each file is then stored in a transaction of its own."""
    batch = tmp_path / "lot"
    batch.mkdir()
    for name in ("a_facture.pdf", "b_subvention.pdf", "c_courrier.pdf"):
        source = {"a": "facture_fournisseur.pdf", "b": "demande_subvention.pdf", "c": "courrier_divers.pdf"}[name[0]]
        shutil.copy(samples / source, batch / name)
    other = Context.open(load_settings(workers={"enabled": True}))  # stores and enqueues only: no OCR
    raced: list[IngestReport] = []

    def another_process_first(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("INSERT INTO documents") and not raced:
            raced.extend(IngestService(other).ingest([samples / "facture_fournisseur.pdf"]))

    event.listen(context.db.engine, "before_cursor_execute", another_process_first)
    try:
        reports = {Path(r.source).name: r for r in IngestService(context).ingest([batch])}
    finally:
        event.remove(context.db.engine, "before_cursor_execute", another_process_first)
        other.close()
    [theirs] = raced
    assert theirs.outcome == Outcome.QUEUED
    assert reports["a_facture.pdf"].outcome == Outcome.DUPLICATE
    assert reports["a_facture.pdf"].duplicate_of == theirs.document_id
    assert {reports[n].outcome for n in ("b_subvention.pdf", "c_courrier.pdf")} <= {Outcome.INGESTED,
                                                                                   Outcome.NEEDS_REVIEW}
    with context.db.session() as session:
        assert session.scalar(select(func.count(Document.id))) == 3
        assert not journal.verify(session)
    assert not list((context.settings.blobs_path / "incoming").iterdir())
    for report in reports.values():
        document_id = report.document_id or report.duplicate_of
        with context.db.session() as session:
            sha256 = session.get_one(Document, document_id).sha256
        assert context.blobs.verified_path(sha256)


@pytest.mark.slow
def test_pdf_with_a_text_page_and_a_scanned_page(context: Context, samples: Path, tmp_path: Path) -> None:
    """Only the page without text is OCR'd; the copy keeps both pages and is valid PDF/A."""
    mixed = tmp_path / "mixte.pdf"
    with (pikepdf.open(samples / "facture_fournisseur.pdf") as pdf,
          pikepdf.open(samples / "courrier_divers.pdf") as scan):
        pdf.pages.append(scan.pages[0])
        pdf.save(mixed)
    report = IngestService(context).ingest([mixed])[0]
    assert report.page_count == 2
    # An invoice and a leaflet in one file: either type may win, or it goes to review; OCR is what is tested here.
    assert report.outcome == Outcome.INGESTED or report.reason_code == "type_uncertain"
    with context.db.session() as session:
        document = session.get_one(Document, report.document_id)
        assert [(p.number, p.source) for p in document.pages] == [(1, "text_layer"), (2, "ocr")]
        assert "Électricité" in document.pages[0].text and "manifestations estivales" in document.pages[1].text
        copy = context.blobs.verified_path(document.file(FileRole.PDFA).sha256)
    assert ocr.is_valid_pdfa(copy)
    with pikepdf.open(copy) as pdf:
        assert len(pdf.pages) == 2


def test_files_staged_ahead_and_never_taken_are_discarded(context: Context, samples: Path, tmp_path: Path) -> None:
    """The thread copies the next file into the store before it is asked for: a batch that stops
    early (a missing dependency, an interrupted command) must not leave that copy behind."""
    files = []
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        files.append(tmp_path / name)
        shutil.copy(samples / "facture_fournisseur.pdf", files[-1])
    files[-1].write_bytes(files[-1].read_bytes() + b"\n%autre\n")
    ahead = IngestService(context)._staged_ahead([*files, tmp_path / "absent.pdf"])
    first_path, first = next(ahead)
    incoming = context.blobs.root / "incoming"
    assert first_path == files[0] and first.temp_path.parent == incoming and first.sha256 == _sha(files[0])
    ahead.close()
    assert sorted(incoming.iterdir()) == [first.temp_path]  # the caller's copy only: b.pdf's was discarded
    taken = list(IngestService(context)._staged_ahead([files[2], tmp_path / "absent.pdf"]))
    assert [path for path, _ in taken] == [files[2], tmp_path / "absent.pdf"]
    assert taken[0][1].sha256 == _sha(files[2]) and isinstance(taken[1][1], FileNotFoundError)
