"""Every format a mairie receives, through the same ingest path as scans: office documents written
by LibreOffice, e-mails written by Python's email package and Outlook files by ``msgfile``, text
and web pages, phone photos rendered at an angle on a table (HEIC written by pillow-heif)."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import zipfile
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from examples import render
from examples.letters import by_name
from ged.context import Context
from ged.db.models import Document, FileRole, Page, Request
from ged.search import SearchRequest
from ged.services import documents
from ged.services.ingest import IngestService, Outcome
from ocr import sniff, webpage

from .msgfile import _compound_file, _Entry, _stream, write_msg

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice absent (paquets libreoffice-*-nogui) : formats bureautiques "
                                       "non testés")

LETTER = by_name("signalement_eclairage")
"""A clear report about a street light: typed ``voirie`` from its text alone."""


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
    with ctx.db.session() as session:
        document = session.get_one(Document, document_id)
        pages = list(session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.number)))
        original = document.file(FileRole.ORIGINAL)
        assert original is not None
        session.expunge_all()
    return document, pages, ctx.blobs.path_for(original.sha256).read_bytes()


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


def _mail(tmp_path: Path, samples: Path) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"] = "Jeanne Martin <jeanne.martin@exemple.fr>", "courrier@mairie.example.fr"
    message["Subject"], message["Date"] = "Demande d'acte et lampadaire en panne", "Mon, 02 Mar 2026 08:15:00 +0100"
    message["Message-ID"] = "<demande-42@exemple.fr>"
    message.set_content("Bonjour,\nvous trouverez ma demande et une photo.\nJeanne Martin")
    logo = io.BytesIO()
    Image.new("RGB", (120, 40), "navy").save(logo, "PNG")
    message.add_alternative("<p>Bonjour,<br>vous trouverez ma <b>demande</b>.<img src='cid:logo'>"
                            "<img src='http://traceur.example/ouvert.png'><script>alert(1)</script></p>",
                            subtype="html")
    message.get_payload()[1].add_related(logo.getvalue(), "image", "png", cid="<logo>")
    letter = tmp_path / "demande_acte_naissance.pdf"
    render.born_digital_pdf(by_name("demande_acte_naissance"), letter)
    message.add_attachment(letter.read_bytes(), maintype="application", subtype="pdf", filename=letter.name)
    message.add_attachment((samples / "signalement_eclairage.png").read_bytes(), maintype="image", subtype="png",
                           filename="photo lampadaire.png")
    return message


@pytest.mark.slow
def test_an_email_file_is_its_message_and_its_attachments_linked_found_together(
        context: Context, tmp_path: Path, samples: Path) -> None:
    path = tmp_path / "courriel.eml"
    path.write_bytes(_mail(tmp_path, samples).as_bytes())
    reports = _ingest(context, path)
    assert len(reports) == 3 and all(r.outcome != Outcome.QUARANTINED for r in reports)  # the logo is left out
    with context.db.session() as session:
        message, acte, photo = session.scalars(select(Document).order_by(Document.id)).all()
        assert message.media_type == sniff.EML and message.filename == "courriel.eml"
        assert acte.attributes["courriel"] == photo.attributes["courriel"] == message.sha256
        assert acte.attributes["expediteur"] == "Jeanne Martin <jeanne.martin@exemple.fr>"
        message_text = message.text
        request = session.scalars(select(Request).where(Request.id == acte.request_id)).one()
        assert request.contact == "jeanne.martin@exemple.fr"  # the sender's address is how to answer
        assert (acte.doc_type, photo.doc_type) == ("etat_civil", "voirie")
        ids = (message.id, acte.id, photo.id)
    assert "De Jeanne Martin" in message_text and "vous trouverez ma demande" in message_text
    assert "alert" not in message_text and "traceur" not in message_text
    assert set(ids) <= _found(context, "Jeanne Martin")  # found together, by the mail's sender
    assert documents.show(context, ids[1]).mail == {"id": ids[0], "filename": "courriel.eml"}
    assert [a["id"] for a in documents.show(context, ids[0]).attachments] == [ids[1], ids[2]]
    again = _ingest(context, path)
    assert {r.outcome for r in again} == {Outcome.DUPLICATE}  # the same file again: nothing new


@pytest.mark.slow
def test_an_outlook_message_is_read_like_an_eml(context: Context, tmp_path: Path) -> None:
    letter = tmp_path / "facture.pdf"
    render.born_digital_pdf(by_name("facture_fournisseur"), letter)
    path = tmp_path / "message.msg"
    path.write_bytes(write_msg(
        sender_name="Électricité Générale de l'Ouest", sender_address="compta@ego.example.fr", to="mairie@exemple.fr",
        subject="Facture de mars", body="Bonjour,\nci-joint notre facture.", sent=datetime(2026, 3, 3, 9, 30),
        attachments=[(letter.name, letter.read_bytes(), "application/pdf")]))
    assert sniff.sniff_file(path) == sniff.MSG
    reports = _ingest(context, path)
    assert [r.outcome for r in reports] != [] and all(r.outcome != Outcome.QUARANTINED for r in reports)
    with context.db.session() as session:
        message, invoice = session.scalars(select(Document).order_by(Document.id)).all()
        assert message.media_type == sniff.MSG and "ci-joint notre facture" in message.text
        assert invoice.attributes["courriel"] == message.sha256 and invoice.doc_type == "facture"
        assert invoice.attributes["objet"] == "Facture de mars"


@pytest.mark.slow
def test_an_email_with_two_hundred_attachments_is_quarantined_whole(context: Context, tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"], message["Subject"], message["Date"] = "x@spam.example", "Pièces", "Mon, 02 Mar 2026 08:15:00"
    message.set_content("Voir les pièces jointes.")
    for index in range(200):
        message.add_attachment(f"pièce {index}".encode(), maintype="text", subtype="plain", filename=f"{index}.txt")
    path = tmp_path / "masse.eml"
    path.write_bytes(message.as_bytes())
    [report] = _ingest(context, path)
    assert (report.outcome, report.reason_code) == (Outcome.QUARANTINED, "too_large")
    assert "trop de pièces jointes (200" in report.reason


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


@pytest.fixture(scope="module")
def photographed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The civil status request, photographed at 20° on a table: as an iPhone (HEIC), as WebP,
    as a camera JPEG; and a close-up with no table around the page."""
    import pillow_heif

    folder = tmp_path_factory.mktemp("photos")
    page = render.render_scan(by_name("demande_acte_naissance"))
    photo = render.photograph(page, seed=11, size=(2448, 3264))
    files = {"heic": folder / "IMG_0001.HEIC", "webp": folder / "photo.webp", "jpeg": folder / "IMG_0002.jpg",
             "closeup": folder / "IMG_0003.jpg"}
    pillow_heif.from_pillow(photo).save(files["heic"], quality=80)
    photo.save(files["webp"], quality=85)
    photo.save(files["jpeg"], quality=88)  # no resolution declared: a camera's picture
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
        with context.db.session() as session:
            fields = {f.code: f.value for f in session.get_one(Document, report.document_id).fields}
        assert fields.get("titulaire_nom") == "Martin", (report.source, fields)
    assert hashlib.sha256(photographed["heic"].read_bytes()).hexdigest() in {
        _document(context, r.document_id)[0].sha256 for r in reports}


def test_a_photo_larger_than_the_pixel_limit_is_refused(tmp_path: Path) -> None:
    from ocr import LimitExceeded, OcrOptions, inspect

    huge = tmp_path / "panorama.webp"
    Image.new("RGB", (16000, 9000), "white").save(huge, quality=50)  # a tiny file, 144 megapixels
    with pytest.raises(LimitExceeded, match="photo démesurée"):
        inspect(huge, OcrOptions(), tmp_path / "rendu")
