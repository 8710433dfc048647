"""Every format a mairie receives, through the same ingest path as scans: office documents written
by LibreOffice, e-mails written by Python's email package and Outlook files by ``msgfile``, text
and web pages, phone photos rendered at an angle on a table (HEIC written by pillow-heif)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from examples import render
from examples.letters import by_name
from ged.context import Context
from ged.db.models import Document, FileRole, Page
from ged.search import SearchRequest
from ged.services import documents
from ged.services.ingest import IngestService, Outcome
from ocr import sniff, webpage

from .msgfile import _compound_file, _Entry, _stream

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice absent (paquets libreoffice-*-nogui) : formats bureautiques "
                                       "non testés")

LETTER = by_name("signalement_eclairage")
"""A clear report about a street light: typed ``voirie`` from its text alone."""


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: what differs between formats happens in the workers, before any row is written
    (e-mails, whose links are queried, run on both databases in test_mail_files)."""
    return f"sqlite:///{tmp_path / 'ged.sqlite3'}"


def _soffice(source: Path, target: str, folder: Path) -> Path:
    import_filter = {".html": ["--infilter=HTML (StarWriter)"],  # a Writer document, not Writer/Web
                     ".csv": ["--infilter=CSV:59,34,76,1"]}.get(source.suffix, [])  # ';'-separated, UTF-8
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/profil", "--headless", *import_filter,
                    "--convert-to", target, "--outdir", str(folder), str(source)], check=True, capture_output=True,
                   timeout=180)
    return folder / f"{source.stem}.{target.split(':')[0]}"


def _letter_html() -> str:
    lines = [*LETTER.sender, "", LETTER.date, "", f"Objet : {LETTER.subject}", "", *LETTER.body, "", LETTER.signature]
    return webpage.page(LETTER.subject, webpage.text_as_html("\n".join(lines))).decode()


_FLAT_PRESENTATION = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.presentation">
<office:body><office:presentation><draw:page draw:name="p1">
<draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="10cm"><draw:text-box>
<text:p>Réunion publique : rénovation de l'éclairage du quartier des Lilas</text:p>
<text:p>Lampadaires remplacés par des luminaires à diodes</text:p>
</draw:text-box></draw:frame></draw:page></office:presentation></office:body></office:document>
"""


@pytest.fixture(scope="module")
def office_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same letter as Word, Word 97, OpenDocument and RTF; a budget as spreadsheets; a slide."""
    folder = tmp_path_factory.mktemp("bureautique")
    html = folder / "lettre.html"
    html.write_text(_letter_html(), encoding="utf-8")
    files = {kind: _soffice(html, f"{kind}:{writer}", folder) for kind, writer in
             (("docx", "MS Word 2007 XML"), ("odt", "writer8"), ("doc", "MS Word 97"), ("rtf", "Rich Text Format"))}
    csv = folder / "budget.csv"
    csv.write_text("Poste;Montant\nLampadaires rue des Lilas;12400\nCandélabres place du marché;8300\n",
                   encoding="utf-8")
    files |= {kind: _soffice(csv, kind, folder) for kind in ("xlsx", "ods")}
    slide = folder / "reunion.fodp"
    slide.write_text(_FLAT_PRESENTATION, encoding="utf-8")
    files |= {kind: _soffice(slide, kind, folder) for kind in ("pptx", "odp")}
    return files


def _ingest(ctx: Context, *paths: Path) -> list:
    return IngestService(ctx).ingest(list(paths))


def _document(ctx: Context, document_id: int) -> tuple[Document, list[Page], bytes]:
    """The document, its pages, and its original as ``ged export --original`` hands it out."""
    with ctx.db.session() as session:
        document = session.get_one(Document, document_id)
        pages = list(session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.number)))
        assert document.files  # loaded before the session ends
        session.expunge_all()
    exported = documents.export(ctx, document_id, ctx.settings.home / f"export-{document_id}", original=True,
                                actor="test")
    return document, pages, exported.read_bytes()


def _fields(ctx: Context, document_id: int) -> dict[str, object]:
    with ctx.db.session() as session:
        return {f.code: f.value for f in session.get_one(Document, document_id).fields}


def _found(ctx: Context, words: str) -> set[int]:
    return {hit.id for hit in ctx.search.search(SearchRequest(text=words, limit=50)).hits}


def test_sniffing_tells_containers_apart_by_what_they_hold(office_files: dict[str, Path], tmp_path: Path) -> None:
    expected = {"docx": sniff.DOCX, "odt": sniff.ODT, "doc": sniff.DOC, "rtf": sniff.RTF, "xlsx": sniff.XLSX,
                "ods": sniff.ODS, "pptx": sniff.PPTX, "odp": sniff.ODP}
    for kind, path in office_files.items():
        disguised = tmp_path / f"{kind}.pdf"  # the name says nothing
        shutil.copy(path, disguised)
        assert sniff.sniff_file(disguised) == expected[kind], kind


@pytest.mark.slow
def test_office_documents_are_read_from_their_text_searchable_typed_and_kept_byte_for_byte(
        context: Context, office_files: dict[str, Path]) -> None:
    reports = _ingest(context, *office_files.values())
    by_kind = {Path(r.source).suffix[1:]: r for r in reports}
    assert {r.outcome for r in reports} <= {Outcome.INGESTED, Outcome.NEEDS_REVIEW}, [r.reason for r in reports]
    for kind, report in by_kind.items():
        document, pages, original = _document(context, report.document_id)
        assert original == office_files[kind].read_bytes(), kind  # the original, not the conversion
        assert pages and {p.source for p in pages} == {"text_layer"}, kind  # LibreOffice's text: no OCR
        assert document.media_type == sniff.sniff_file(office_files[kind])
        assert document.file(FileRole.PDFA) is not None
    for kind in ("docx", "odt", "doc", "rtf"):
        assert by_kind[kind].doc_type == "voirie", kind
        assert by_kind[kind].document_id in _found(context, "lampadaires")
        assert "rue des Lilas" in str(_fields(context, by_kind[kind].document_id).get("localisation")), kind
    assert {by_kind["xlsx"].document_id, by_kind["ods"].document_id} <= _found(context, "candélabres")
    assert {by_kind["pptx"].document_id, by_kind["odp"].document_id} <= _found(context, "diodes")


def _encrypted_ooxml(path: Path) -> Path:
    """What Word writes for a password-protected document: an OLE file holding the encrypted package."""
    root = _Entry("Root Entry", 5, children=[_stream("EncryptionInfo", b"\x04\x00\x04\x00" + b"\0" * 200),
                                             _stream("EncryptedPackage", b"\x13" * 5000)])
    path.write_bytes(_compound_file(root))
    return path


def _docx_bomb(source: Path, path: Path) -> Path:
    """A real .docx with one more part that inflates to 40 MB of zeros (a thousand times its size)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in original.infolist():
            bomb.writestr(item, original.read(item.filename))
        bomb.writestr("word/media/image1.bin", b"\0" * 40_000_000)
    return path


@pytest.mark.slow
def test_hostile_and_broken_office_files_are_quarantined_with_a_reason(context: Context, tmp_path: Path,
                                                                        office_files: dict[str, Path]) -> None:
    truncated = tmp_path / "tronque.docx"
    truncated.write_bytes(office_files["docx"].read_bytes()[:1500])
    hidden = tmp_path / "secret.odt"
    with zipfile.ZipFile(office_files["odt"]) as original, zipfile.ZipFile(hidden, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "META-INF/manifest.xml":  # what LibreOffice writes for a password
                data = data.replace(b"/>", b"><manifest:encryption-data/></manifest:file-entry>", 1)
            copy.writestr(item, data)
    reports = _ingest(context, _encrypted_ooxml(tmp_path / "protege.docx"), hidden,
                      _docx_bomb(office_files["docx"], tmp_path / "bombe.docx"), truncated)
    outcomes = {Path(r.source).name: (r.outcome, r.reason_code, r.reason) for r in reports}
    assert outcomes["protege.docx"][:2] == (Outcome.QUARANTINED, "encrypted")
    assert outcomes["secret.odt"][:2] == (Outcome.QUARANTINED, "encrypted")
    assert outcomes["bombe.docx"][:2] == (Outcome.QUARANTINED, "too_large")
    assert outcomes["tronque.docx"][0] == Outcome.QUARANTINED
    assert all("mot de passe" in outcomes[n][2] for n in ("protege.docx", "secret.odt"))


@pytest.fixture
def short_conversions(ged_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_OCR__CONVERSION_TIMEOUT_SECONDS", "1")


@pytest.mark.slow
def test_a_conversion_past_its_time_is_killed_and_the_next_file_goes_on(
        short_conversions: None, context: Context, tmp_path: Path, samples: Path) -> None:
    """A spreadsheet of 20,000 rows takes LibreOffice far more than a second to print."""
    rows = "\n".join(f"{i};Ligne {i} du budget;{i * 3}" for i in range(20_000))
    heavy = tmp_path / "lourd.csv"
    heavy.write_text("N;Poste;Montant\n" + rows, encoding="utf-8")
    sheet = _soffice(heavy, "ods", tmp_path)
    reports = _ingest(context, sheet, samples / "facture_fournisseur.pdf")
    outcomes = {Path(r.source).name: r for r in reports}
    assert outcomes["lourd.ods"].outcome == Outcome.QUARANTINED and outcomes["lourd.ods"].reason_code == "timeout"
    assert "arrêtée après 1 s" in (outcomes["lourd.ods"].reason or "")
    assert outcomes["facture_fournisseur.pdf"].outcome == Outcome.INGESTED
    leftovers = subprocess.run(["pgrep", "-f", "soffice.bin.*document.ods"], capture_output=True, text=True).stdout
    assert leftovers == ""  # the whole process group was killed


_PROFILES = """
import multiprocessing, sys
from concurrent.futures import ProcessPoolExecutor
from ocr import office

if __name__ == "__main__":
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver")) as pool:
        print(pool.submit(office._profile).result())
    print(office._profile())
"""


def test_libreoffice_profiles_leave_with_their_process(tmp_path: Path) -> None:
    """A profile is made per process (worker included) and removed when it ends; one left by a killed
    process is removed by the next process that makes its own, and a living process's is kept."""
    ended = subprocess.Popen(["true"])
    ended.wait()
    stale = tmp_path / f"ged-libreoffice-{os.getuid()}-{ended.pid}"
    living = tmp_path / f"ged-libreoffice-{os.getuid()}-{os.getpid()}"
    for folder in (stale, living):
        (folder / "user").mkdir(parents=True)
    script = tmp_path / "profils.py"
    script.write_text(_PROFILES)
    made = subprocess.run([sys.executable, str(script)], env={**os.environ, "TMPDIR": str(tmp_path)},
                          capture_output=True, text=True, check=True).stdout.split()
    assert len(set(made)) == 2 and all(Path(m).parent == tmp_path for m in made)
    assert not any(Path(m).exists() for m in made)
    assert not stale.exists() and living.exists()


def test_received_pages_are_cleaned_before_anything_prints_them() -> None:
    body = webpage.cleaned_body(b"<html><head><link rel=stylesheet href='http://x.example/a.css'>"
                                b"<style>body{background:url(http://x.example/b.png)}</style></head><body>"
                                b"<p onclick='steal()'>Bonjour <img src='http://x.example/pixel.gif'>"
                                b"<img src='data:image/png;base64,iVBORw0KGgo='></p><iframe src='http://x.example'>"
                                b"</iframe><script>alert(1)</script></body></html>")
    assert "x.example" not in body and "script" not in body and "onclick" not in body
    assert "Bonjour" in body and "data:image/png" in body  # an image carried in the page itself stays
    assert webpage.decode_text("Été".encode("cp1252")) == "Été"


@pytest.mark.slow
def test_text_and_web_pages_are_printed_with_their_text(context: Context, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_bytes("Objet : nid de poule\nUn nid de poule s'est formé rue Pasteur, près de l'école.\n"
                     .encode("cp1252"))
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html><body><h1>Inscription</h1><p>Inscription à la cantine pour "
                    "l'année scolaire.</p><script>document.write('piège')</script></body></html>", encoding="utf-8")
    reports = _ingest(context, note, page)
    assert all(r.outcome in (Outcome.INGESTED, Outcome.NEEDS_REVIEW) for r in reports)
    texts = {Path(r.source).name: _document(context, r.document_id)[1][0].text for r in reports}
    assert "s'est formé rue Pasteur, près de l'école" in " ".join(texts["note.txt"].split())
    assert "cantine" in texts["page.html"] and "piège" not in texts["page.html"]
    assert {r.document_id for r in reports if r.source.endswith("note.txt")} <= _found(context, "Pasteur")


@pytest.fixture(scope="module")
def photographed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The civil status request, photographed at 20° on a table: as an iPhone (HEIC), as WebP,
    as a camera JPEG, as one whose EXIF orientation says how to turn it; and a close-up with no
    table around the page."""
    import pillow_heif

    folder = tmp_path_factory.mktemp("photos")
    page = render.render_scan(by_name("demande_acte_naissance"))
    photo = render.photograph(page, seed=11, size=(2448, 3264))
    files = {"heic": folder / "IMG_0001.HEIC", "webp": folder / "photo.webp", "jpeg": folder / "IMG_0002.jpg",
             "sideways": folder / "IMG_0004.jpg", "closeup": folder / "IMG_0003.jpg"}
    pillow_heif.from_pillow(photo).save(files["heic"], quality=80)
    photo.save(files["webp"], quality=85)
    photo.save(files["jpeg"], quality=88)  # no resolution declared: a camera's picture
    exif = Image.Exif()
    exif[0x0112] = 6  # the sensor's pixels are turned; the viewer turns them back 90° clockwise
    photo.transpose(Image.Transpose.ROTATE_90).save(files["sideways"], quality=88, exif=exif)
    page.convert("RGB").save(files["closeup"], quality=88, dpi=(72, 72))
    return files


@pytest.mark.slow
def test_phone_photos_are_straightened_read_and_kept_as_taken(context: Context,
                                                              photographed: dict[str, Path]) -> None:
    reports = _ingest(context, *photographed.values())
    assert all(r.outcome in (Outcome.INGESTED, Outcome.NEEDS_REVIEW) for r in reports), [r.reason for r in reports]
    for report in reports:
        document, pages, original = _document(context, report.document_id)
        assert original == Path(report.source).read_bytes()
        assert report.doc_type == "etat_civil", report.source
        assert "copie intégrale" in pages[0].text.lower()
        fields = _fields(context, report.document_id)
        assert fields.get("titulaire_nom") == "Martin", (report.source, fields)
        assert fields.get("date_evenement") == "1978-07-14", (report.source, fields)
    assert hashlib.sha256(photographed["heic"].read_bytes()).hexdigest() in {
        _document(context, r.document_id)[0].sha256 for r in reports}
    assert {r.document_id for r in reports} <= _found(context, "intégrale")


def test_a_photo_larger_than_the_pixel_limit_is_refused(tmp_path: Path) -> None:
    from ocr import LimitExceeded, OcrOptions, inspect

    huge = tmp_path / "panorama.webp"
    Image.new("RGB", (16000, 9000), "white").save(huge, quality=50)  # a tiny file, 144 megapixels
    with pytest.raises(LimitExceeded, match="photo démesurée"):
        inspect(huge, OcrOptions(), tmp_path / "rendu")
