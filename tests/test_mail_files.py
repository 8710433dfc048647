"""E-mail files (.eml written by Python's email package, Outlook .msg by ``msgfile``): the message
and each attachment a document, linked, found together; on SQLite and PostgreSQL (the links are
queried in the documents' JSON attributes)."""

from __future__ import annotations

import io
import shutil
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from examples import render
from examples.letters import by_name
from ged.context import Context
from ged.db.models import Document, Request
from ged.search import SearchRequest
from ged.services import documents
from ged.services.ingest import IngestService, Outcome
from ocr import sniff

from .msgfile import write_msg

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice absent (paquet libreoffice-writer-nogui) : courriels non testés")


def _found(ctx: Context, words: str) -> set[int]:
    return {hit.id for hit in ctx.search.search(SearchRequest(text=words, limit=50)).hits}


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
    reports = IngestService(context).ingest([path])
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
    exported = documents.export(context, ids[0], tmp_path / "export.eml", original=True, actor="test")
    assert exported.read_bytes() == path.read_bytes()  # the mail file itself, byte for byte
    again = IngestService(context).ingest([path])
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
    reports = IngestService(context).ingest([path])
    assert [r.outcome for r in reports] != [] and all(r.outcome != Outcome.QUARANTINED for r in reports)
    with context.db.session() as session:
        message, invoice = session.scalars(select(Document).order_by(Document.id)).all()
        assert message.media_type == sniff.MSG and "ci-joint notre facture" in message.text
        assert invoice.attributes["courriel"] == message.sha256 and invoice.doc_type == "facture"
        assert invoice.attributes["objet"] == "Facture de mars"
        ids = {message.id, invoice.id}
    assert ids <= _found(context, "Générale de l'Ouest")


@pytest.mark.slow
def test_an_email_with_two_hundred_attachments_is_quarantined_whole(context: Context, tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"], message["Subject"], message["Date"] = "x@spam.example", "Pièces", "Mon, 02 Mar 2026 08:15:00"
    message.set_content("Voir les pièces jointes.")
    for index in range(200):
        message.add_attachment(f"pièce {index}".encode(), maintype="text", subtype="plain", filename=f"{index}.txt")
    path = tmp_path / "masse.eml"
    path.write_bytes(message.as_bytes())
    [report] = IngestService(context).ingest([path])
    assert (report.outcome, report.reason_code) == (Outcome.QUARANTINED, "too_large")
    assert "trop de pièces jointes (200" in report.reason
