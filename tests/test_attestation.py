"""Attestations of digitisation: a watched folder's batch of real scans (grey JPEG at 300 dpi with a
blank back page, a 150 dpi page, a bitonal CCITT G4 TIFF, a corrupt file, a duplicate) is recorded
with what the files say of the scanner, the operator, the fingerprints and an RFC 3161 token from a
timestamp authority on loopback; the PDF/A attestation carries the quality control and travels with
the documents into a SEDA transfer; a batch the authority could not stamp waits and is finished later."""

from __future__ import annotations

import hashlib
import os
import pwd
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from PIL import Image
from sqlalchemy import select

import ocr
from archivage import seda
from examples.letters import by_name
from examples.render import image_pdf, render_scan
from ged.context import Context
from ged.db.models import Document, FileRole
from ged.db.scanning import BatchState
from ged.services import archiving, attestation, transfers
from ged.services.accounts import Principal
from ged.services.ingest import Outcome
from ged.services.mailroom import MailroomService
from ged.services.setup import install_demo_pki
from ged.services.upload import Sent, upload
from ged.settings import WatchedFolder, load_settings

from .helpers import Clock, free_port
from .tsa import TsaServer


@pytest.fixture
def tsa(context: Context) -> Iterator[TsaServer]:
    assert install_demo_pki(context.settings)
    pki = context.settings.home / "pki"
    server = TsaServer(pki / "demo-tsa.pem", pki / "demo-tsa.key.pem").start()
    yield server
    server.stop()


@pytest.fixture
def ctx(context: Context, tsa: TsaServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    monkeypatch.setenv("GED_ATTESTATION__ENABLED", "true")
    monkeypatch.setenv("GED_SIGNING__TSA_URL", tsa.url)
    opened = Context.open(load_settings(), clock=Clock(datetime(2026, 3, 2, 9, 0)))
    yield opened
    opened.close()


def _scans(folder: Path) -> list[Path]:
    """What a mail room's scanner leaves: a letter with its blank back, a low-resolution page, a G4 TIFF."""
    folder.mkdir(parents=True, exist_ok=True)
    page = render_scan(by_name("declaration_prealable"), dpi=300)
    image_pdf([page, Image.new("L", page.size, 255)], folder / "lettre-recto-verso.pdf", dpi=300)
    image_pdf([render_scan(by_name("demande_acte_naissance"), dpi=150)], folder / "acte-150dpi.pdf", dpi=150)
    tiff = render_scan(replace(by_name("facture_fournisseur"), signature="Atelier Durand"), dpi=300).convert("1")
    tiff.save(folder / "facture.tif", compression="group4", dpi=(300, 300))
    (folder / "abime.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<\n%%EOF garbage")
    return sorted(folder.iterdir())


def _text(path: Path) -> str:
    return " ".join(" ".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(path)).split())


def test_a_watched_folders_batch_is_attested(ctx: Context, tsa: TsaServer, tmp_path: Path, run_cli: Any) -> None:
    inbox = tmp_path / "scans"
    files = _scans(inbox)
    filed = MailroomService(ctx).take(WatchedFolder(path=inbox, doc_type="urbanisme"), files)
    assert len(filed) == 4
    [listed] = attestation.list_batches(ctx)
    view = attestation.show(ctx, listed["lot"])
    assert view.state == BatchState.ATTESTED and view.ok, view.checks
    assert view.operator == pwd.getpwuid(os.getuid()).pw_name and view.origin == f"dossier:{inbox}"
    assert tsa.requests == 1 and view.timestamped_at is not None and "Horodatage de TEST" in (view.tsa or "")
    entries = {e["fichier"]: e for e in view.manifest["fichiers"]}
    assert set(entries) == {"lettre-recto-verso.pdf", "acte-150dpi.pdf", "facture.tif"}
    letter, low, tiff = entries["lettre-recto-verso.pdf"], entries["acte-150dpi.pdf"], entries["facture.tif"]
    assert [(p["dpi"], p["mode"], p["compression"], p["blanche"]) for p in letter["profil"]] == [
        (300, "niveaux de gris", "JPEG", False), (300, "niveaux de gris", "JPEG", True)]
    assert [(p["dpi"], p["mode"], p["compression"]) for p in tiff["profil"]] == [(300, "noir et blanc", "CCITT G4")]
    assert low["profil"][0]["dpi"] == 150
    control = view.manifest["controle"]
    assert control["pages"] == 4
    assert control["pages_blanches"] == [f"n° {letter['document']} p. 2"]
    assert control["pages_sous_resolution"] == [f"n° {low['document']} p. 1"]
    assert [r.split(" (")[0] for r in control["non_enregistres"]] == ["abime.pdf"]
    with ctx.db.session() as session:
        for entry in entries.values():
            document = session.get_one(Document, entry["document"])
            assert document.sha256 == entry["sha256"]
            attached = document.file(FileRole.ATTESTATION)
            assert attached is not None and attached.sha256 == view.attestation_sha256
    pdf = attestation.attestation_file(ctx, view.id)
    assert ocr.is_valid_pdfa(pdf)
    text = _text(pdf)
    for expected in (f"Attestation de numérisation — lot n° {view.id}", view.manifest_sha256, "Contrôle qualité",
                     f"Pages blanches détectées : n° {letter['document']} p. 2",
                     "300 dpi, noir et blanc, CCITT G4", "Ce que la commune atteste par ailleurs"):
        assert expected in text, expected
    shown = run_cli("attestation", "show", str(view.id))
    assert shown.exit_code == 0 and "jeton d'horodatage valide" in shown.stdout, shown.stdout + shown.stderr
    written = tmp_path / "attestation.pdf"
    assert run_cli("attestation", "pdf", str(view.id), "-o", str(written)).exit_code == 0
    assert written.read_bytes() == pdf.read_bytes()
    assert run_cli("attestation", "show", "999").exit_code != 0
    # A copy changed afterwards: the batch no longer verifies, and says which.
    damaged = ctx.blobs.path_for(tiff["sha256"])
    damaged.chmod(0o644)
    damaged.write_bytes(damaged.read_bytes() + b"\0")
    assert any(c.startswith(f"ÉCHEC : document n° {tiff['document']}") for c in attestation.show(ctx, view.id).checks)
    assert run_cli("attestation", "show", str(view.id)).exit_code == 1


def test_a_batch_the_authority_cannot_stamp_waits_then_is_finished(ctx: Context, tsa: TsaServer, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_SIGNING__TSA_URL", f"http://127.0.0.1:{free_port()}/tsa")
    down = Context.open(load_settings(), clock=Clock(datetime(2026, 3, 2, 9, 0)))
    try:
        inbox = tmp_path / "scans"
        inbox.mkdir()
        image_pdf([render_scan(by_name("declaration_prealable"), dpi=200)], inbox / "dp.pdf", dpi=200)
        MailroomService(down).take(WatchedFolder(path=inbox), [inbox / "dp.pdf"])
        [listed] = attestation.list_batches(down)
        pending = attestation.show(down, listed["lot"])
        assert pending.state == BatchState.TIMESTAMP_PENDING and "horodatage impossible" in (pending.problem or "")
        assert pending.attestation_sha256 is None and pending.manifest["fichiers"][0]["profil"][0]["dpi"] == 200
    finally:
        down.close()
    assert attestation.complete_pending(ctx, actor="archiviste") == [listed["lot"]]
    done = attestation.show(ctx, listed["lot"])
    assert done.state == BatchState.ATTESTED and done.ok and done.manifest_sha256 == pending.manifest_sha256
    assert attestation.complete_pending(ctx, actor="archiviste") == []


def test_an_upload_is_one_batch_of_its_uploader(ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files of one upload are ingested together and attested as one batch; one past the size
    limit is refused while it is written, named in the attestation, and the others go on."""
    scan = tmp_path / "scan.pdf"
    image_pdf([render_scan(by_name("demande_acte_naissance"), dpi=300)], scan, dpi=300)
    monkeypatch.setattr(ctx.settings.limits, "max_file_bytes", scan.stat().st_size + 1000)
    agent = Principal(1, "cmartin", "Claire Martin", "agent", frozenset({"etat_civil"}))
    note = "Bonjour, je souhaite une copie intégrale de mon acte de mariage. Jeanne Leroy".encode()
    too_large = BytesIO(b"0" * (scan.stat().st_size + 5000))
    with scan.open("rb") as stream:
        sent = [Sent("scan.pdf", stream), Sent("trop-gros.pdf", too_large), Sent("scan.pdf", BytesIO(note))]
        reports = upload(ctx, sent, uploader=agent, service="etat_civil")
    assert [(r.source, r.outcome) for r in reports] == [
        ("scan.pdf", Outcome.INGESTED), ("trop-gros.pdf", Outcome.REFUSED), ("scan.pdf", Outcome.INGESTED)]
    assert "trop volumineux" in (reports[1].reason or "") and reports[0].document_id != reports[2].document_id
    [listed] = attestation.list_batches(ctx)
    view = attestation.show(ctx, listed["lot"])
    assert view.operator == "Claire Martin (cmartin)" and view.origin == "televersement:cmartin"
    assert [e["document"] for e in view.manifest["fichiers"]] == [reports[0].document_id, reports[2].document_id]
    [refused] = view.manifest["controle"]["non_enregistres"]
    assert refused.startswith("trop-gros.pdf (fichier trop volumineux (plus de ")
    assert view.ok


def test_the_attestation_is_transferred_with_the_documents(ctx: Context, tmp_path: Path) -> None:
    inbox = tmp_path / "scans"
    inbox.mkdir()
    for name in ("dp-1", "dp-2"):
        image_pdf([render_scan(replace(by_name("declaration_prealable"), signature=name), dpi=200)],
                  inbox / f"{name}.pdf", dpi=200)
    filed = MailroomService(ctx).take(WatchedFolder(path=inbox, doc_type="urbanisme"), sorted(inbox.glob("*.pdf")))
    ids = [f.report.document_id for f in filed]
    [listed] = attestation.list_batches(ctx)
    view = attestation.show(ctx, listed["lot"])
    archiving.archive(ctx, ids, actor="archiviste")
    sent = transfers.send(ctx, tmp_path / "versement.zip", actor="archiviste")
    unit = f"ATT-{view.id}"
    assert sorted(sent.units) == sorted([f"GED-DOC-{i}" for i in ids] + [unit])
    with zipfile.ZipFile(sent.path) as package:
        manifest = package.read("manifest.xml")
        carried = package.read(f"content/{unit}/attestation-numerisation.pdf")
    assert seda.validate(manifest) == []
    assert carried == attestation.attestation_file(ctx, view.id).read_bytes()
    assert hashlib.sha512(carried).hexdigest().encode() in manifest
    assert manifest.count(f"<ArchiveUnitRefId>AU-{unit}</ArchiveUnitRefId>".encode()) == 2  # once per document
    with ctx.db.session() as session:
        assert session.scalar(select(Document.id).where(Document.id.in_(ids))) is not None


def test_the_document_page_names_its_attestation_and_archivists_download_it(
        ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An agent sees which attested batch a document came in; the attestation itself lists every file of
    the batch, so only an archivist who may see the document downloads it."""
    from fastapi.testclient import TestClient

    from ged.services import accounts
    from web.app import create_app

    monkeypatch.setenv("GED_WEB__SECURE_COOKIES", "false")
    agent = Principal(1, "cmartin", "Claire Martin", "agent", frozenset({"etat_civil"}))
    note = "Bonjour, je souhaite une copie intégrale de mon acte de naissance. Jeanne Leroy".encode()
    [report] = upload(ctx, [Sent("demande.txt", BytesIO(note))], uploader=agent, service="etat_civil")
    [listed] = attestation.list_batches(ctx)
    for login, role in (("civil", "agent"), ("archives", "archiviste")):
        accounts.add_user(ctx, login, login, role, ["etat_civil"], "mot de passe solide 2026", actor="test")
    pages = {}
    with Context.open(load_settings(), clock=ctx.clock) as site:
        app = create_app(site)
        for login in ("civil", "archives"):
            client = TestClient(app)
            client.post("/connexion", data={"login": login, "password": "mot de passe solide 2026"})
            pages[login] = (client.get(f"/documents/{report.document_id}").text,
                            client.get(f"/documents/{report.document_id}/attestation.pdf"))
            api = client.get(f"/api/documents/{report.document_id}/attestation")
            assert api.status_code == (200 if login == "archives" else 403)
            described = client.get(f"/api/documents/{report.document_id}").json()["attestation"]
            assert described["batch"] == listed["lot"] and described["timestamped_at"].endswith("Z")
    page, download = pages["civil"]
    assert f"lot n° {listed['lot']}, horodaté le" in page and "attestation.pdf" not in page
    assert download.status_code == 403
    page, download = pages["archives"]
    assert "télécharger l&#39;attestation" in page or "télécharger l'attestation" in page
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert "Attestation" in " ".join(pypdfium2.PdfDocument(download.content)[0].get_textpage().get_text_range().split())
