"""The mail-room service: files filed after commit, crash re-takes, routing and status."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ged.context import Context
from ged.db.models import Document
from ged.services.ingest import IngestService, Outcome
from ged.services.mailroom import MailroomService, Placement, hints, is_candidate, status, waiting_files
from ged.settings import FolderRouting, WatchedFolder


@pytest.fixture
def folder(tmp_path: Path) -> WatchedFolder:
    root = tmp_path / "scans"
    root.mkdir()
    return WatchedFolder(path=root, service="courrier", tags=["accueil"],
                         subfolders={"urbanisme": FolderRouting(service="urbanisme", doc_type="urbanisme")})


def test_candidates_exclude_outputs_and_litter(folder: WatchedFolder) -> None:
    for name in ("a.pdf", "done/b.pdf", "quarantine/c.pdf", "duplicates/d.pdf", "sub/e.tif", ".f.pdf",
                 "g.pdf.part", "Thumbs.db", "@eaDir/h.jpg", "~$i.pdf"):
        path = folder.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    assert [p.relative_to(folder.path).as_posix() for p in waiting_files(folder)] == ["a.pdf", "sub/e.tif"]
    assert not is_candidate(folder, Path("/elsewhere/a.pdf"))


def test_subfolder_routing_refines_the_folder(folder: WatchedFolder) -> None:
    plain = hints(folder, folder.path / "a.pdf")
    routed = hints(folder, folder.path / "urbanisme" / "pc.pdf")
    assert (plain.service, plain.doc_type, plain.tags) == ("courrier", None, ("accueil",))
    assert (routed.service, routed.doc_type) == ("urbanisme", "urbanisme")
    assert routed.channel == f"dossier:{folder.path}"


def test_files_are_filed_by_outcome(context: Context, folder: WatchedFolder, samples: Path) -> None:
    (folder.path / "urbanisme").mkdir()
    shutil.copy(samples / "facture_fournisseur.pdf", folder.path / "urbanisme" / "dp.pdf")
    shutil.copy(samples / "demande_subvention.pdf", folder.path / "a_lettre.pdf")
    shutil.copy(samples / "demande_subvention.pdf", folder.path / "b_encore.pdf")
    (folder.path / "vide.pdf").write_bytes(b"")
    filed = MailroomService(context).take(folder, waiting_files(folder))
    by_name = {Path(f.report.source).name: f for f in filed}
    assert by_name["dp.pdf"].placement == by_name["a_lettre.pdf"].placement == Placement.DONE
    assert by_name["b_encore.pdf"].placement == Placement.DUPLICATES
    assert by_name["vide.pdf"].placement == Placement.QUARANTINE
    assert sorted(p.relative_to(folder.path).as_posix() for p in folder.path.rglob("*") if p.is_file()) == [
        "done/a_lettre.pdf", "done/dp.pdf", "duplicates/b_encore.pdf", "duplicates/b_encore.pdf.motif.txt",
        "quarantine/vide.pdf", "quarantine/vide.pdf.motif.txt"]
    assert "vide" in (folder.path / "quarantine/vide.pdf.motif.txt").read_text(encoding="utf-8")
    with context.db.session() as session:
        document = session.get_one(Document, by_name["dp.pdf"].report.document_id)
        assert (document.service, document.doc_type) == ("urbanisme", "urbanisme")
        assert document.attributes["tags"] == ["accueil"]


def test_a_file_taken_before_a_crash_is_itself_not_a_duplicate(context: Context, folder: WatchedFolder,
                                                                samples: Path) -> None:
    source = folder.path / "lettre.pdf"
    shutil.copy(samples / "facture_fournisseur.pdf", source)
    IngestService(context).ingest([source])  # stored, then the daemon died before filing the source
    [filed] = MailroomService(context).take(folder, [source])
    assert filed.report.outcome == Outcome.INGESTED and filed.placement == Placement.DONE
    assert filed.moved_to == folder.path / "done" / "lettre.pdf" and not source.exists()
    with context.db.session() as session:
        assert session.scalar(select(func.count(Document.id))) == 1


def test_a_refused_file_taken_before_a_crash_goes_to_quarantine(context: Context, folder: WatchedFolder) -> None:
    source = folder.path / "vide.pdf"
    source.write_bytes(b"")
    IngestService(context).ingest([source])
    [filed] = MailroomService(context).take(folder, [source])
    assert filed.placement == Placement.QUARANTINE and "vide" in (filed.report.reason or "")


def test_delete_after_commit(context: Context, folder: WatchedFolder, samples: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context.settings.watch, "after", "delete")
    shutil.copy(samples / "demande_subvention.pdf", folder.path / "a.pdf")
    [filed] = MailroomService(context).take(folder, waiting_files(folder))
    assert filed.placement == Placement.DONE and filed.moved_to is None
    assert not any(folder.path.rglob("*.pdf"))
    stored = context.blobs.path_for(_sha(samples / "demande_subvention.pdf"))
    assert stored.read_bytes() == (samples / "demande_subvention.pdf").read_bytes()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_status_counts_today_quarantine_and_waiting(context: Context, folder: WatchedFolder, samples: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context.settings.watch, "folders", [folder])
    (folder.path / "vide.pdf").write_bytes(b"")
    shutil.copy(samples / "demande_subvention.pdf", folder.path / "a.pdf")
    MailroomService(context).take(folder, [folder.path / "vide.pdf"])
    current = status(context)
    assert current.waiting == {str(folder.path): 1}
    assert current.today == {"quarantaine": 1}
    assert current.quarantined[0]["filename"] == "vide.pdf" and "vide" in current.quarantined[0]["reason"]
