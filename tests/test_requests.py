"""Requests: typed mail opens a registered, routed request with its due date and acknowledgement;
later mail joins it; people validate and correct; numbers never repeat, even across processes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from sqlalchemy import select

from classifiers.fields.extract import ExtractedField
from examples.letters import LETTERS, Letter, by_name
from examples.render import born_digital_pdf
from ged import journal
from ged.context import Context
from ged.db.models import Document, DocumentField, DocumentState, Event, FileRole, Request
from ged.errors import InvalidValue
from ged.ingest import _understanding as understanding
from ged.services import casework, validation
from ged.services.ingest import IngestService, Outcome
from ged.settings import load_settings

from .helpers import Clock

MONDAY = datetime(2026, 3, 2, 9, 30)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def ctx(context: Context, clock: Clock) -> Iterator[Context]:
    """The installation of ``context`` (SQLite or PostgreSQL), on a clock the test controls."""
    opened = Context.open(context.settings, clock=clock)
    yield opened
    opened.close()


def _pdf(folder: Path, letter: Letter) -> Path:
    path = folder / f"{letter.name}.pdf"
    born_digital_pdf(letter, path)
    return path


def _text(path: Path) -> str:
    document = pypdfium2.PdfDocument(path)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_sample_mail_is_typed_routed_and_registered(ctx: Context, tmp_path: Path) -> None:
    paths = [_pdf(tmp_path, letter) for letter in LETTERS]
    reports = {Path(r.source).stem: r for r in IngestService(ctx).ingest(paths)}
    expected = {"signalement_eclairage": ("voirie", "2026-VOI-000001"),
                "demande_acte_naissance": ("etat_civil", "2026-ECV-000001"),
                "facture_fournisseur": ("facture", "2026-FAC-000001"),
                "inscription_scolaire": ("scolaire", "2026-SCO-000001"),
                "declaration_prealable": ("urbanisme", "2026-URB-000001"),
                "demande_subvention": ("subvention", "2026-SUB-000001"),
                "reclamation_dechets": ("reclamation", "2026-REC-000001"),
                "courrier_divers": ("autre", None)}
    assert {stem: (r.doc_type, r.request) for stem, r in reports.items()} == expected
    assert all(r.outcome == Outcome.INGESTED for r in reports.values())

    urbanisme = casework.show(ctx, "2026-URB-000001")
    assert (urbanisme.service, urbanisme.status, urbanisme.requester) == ("urbanisme", "nouvelle",
                                                                           "M. et Mme Rousseau")
    # A déclaration préalable is instructed in one month; silence then means acceptance.
    assert (urbanisme.due_on, urbanisme.silence, urbanisme.silence_on) == (date(2026, 4, 2), "acceptation",
                                                                           date(2026, 4, 2))
    assert urbanisme.file_reference == "DP 044 162 25 00031"
    assert urbanisme.fields["reference_cadastrale"]["value"] == "AB 0123"
    # Ten working days from Monday 2 March 2026: Monday 16 March; silence after two months means rejection.
    civil = casework.show(ctx, "2026-ECV-000001")
    assert (civil.due_on, civil.silence, civil.silence_on) == (date(2026, 3, 16), "rejet", date(2026, 5, 2))
    assert casework.show(ctx, "2026-FAC-000001").due_on == date(2026, 4, 1)
    with ctx.db.session() as session:
        document = session.scalar(select(Document).where(Document.filename == "courrier_divers.pdf"))
        assert document.doc_type == "autre" and document.service == "courrier" and document.request_id is None
        invoice = session.scalar(select(Document).where(Document.filename == "facture_fournisseur.pdf"))
        assert invoice.file(FileRole.ACK_LETTER) is None  # no acknowledgement for a supplier's invoice


def test_acknowledgement_carries_the_mentions_the_code_requires(ctx: Context, tmp_path: Path) -> None:
    report = IngestService(ctx).ingest([_pdf(tmp_path, by_name("demande_acte_naissance"))])[0]
    letter = casework.export_acknowledgement(ctx, report.request, tmp_path / "ar.pdf", email=False, actor="test")
    email = casework.export_acknowledgement(ctx, report.request, tmp_path / "ar.txt", email=True, actor="test")
    text = " ".join(_text(letter).split())
    for mention in ("2026-ECV-000001", "reçue le 2 mars 2026", "État civil", "02 28 25 20 00",
                    "etat-civil@mairie.example.fr", "décision implicite de rejet", "2 mai 2026",
                    "16 mars 2026", "recours", "tribunal administratif de Nantes"):
        assert mention in text
    mail = email.read_text(encoding="utf-8")
    assert mail.startswith("Objet : Accusé de réception de votre demande n° 2026-ECV-000001")
    assert "décision implicite de rejet" in mail and "2 mai 2026" in mail
    with ctx.db.session() as session:
        kinds = [e.kind for e in session.scalars(select(Event).order_by(Event.id))]
    assert kinds.count("request.acknowledgement_exported") == 2


def test_later_mail_citing_the_number_joins_the_request(ctx: Context, clock: Clock, tmp_path: Path) -> None:
    first = IngestService(ctx).ingest([_pdf(tmp_path, by_name("signalement_eclairage"))])[0]
    casework.set_status(ctx, first.request, "en attente de pièces", actor="agent", note="photos demandées")
    reminder = replace(by_name("signalement_eclairage"), name="relance",
                       subject="Objet : relance — signalement enregistré sous le n° 2026-VOI-000001",
                       body=("Madame, Monsieur,", "Je vous adresse les photos demandées pour mon signalement "
                             "2026-VOI-000001 concernant l'éclairage public de la rue des Lilas.",
                             "Salutations."))
    clock.now = datetime(2026, 3, 4, 10, 0)
    second = IngestService(ctx).ingest([_pdf(tmp_path, reminder)])[0]
    assert second.request == "2026-VOI-000001"
    view = casework.show(ctx, "2026-VOI-000001")
    assert view.documents == [first.document_id, second.document_id]
    assert view.status == "en_cours"  # the awaited pieces arrived
    assert [e["kind"] for e in view.history] == ["request.created", "request.status", "request.document_joined"]
    assert view.history[1]["payload"]["note"] == "photos demandées"
    with ctx.db.session() as session:
        assert session.query(Request).count() == 1
        assert journal.verify(session) == []


def test_file_number_of_urban_planning_joins_too(ctx: Context, tmp_path: Path) -> None:
    IngestService(ctx).ingest([_pdf(tmp_path, by_name("declaration_prealable"))])
    pieces = replace(by_name("declaration_prealable"), name="pieces",
                     subject="Objet : pièces complémentaires",
                     body=("Monsieur le Maire,", "Veuillez trouver les plans demandés pour la déclaration préalable "
                           "DP 044 162 25 00031.", "Salutations."))
    report = IngestService(ctx).ingest([_pdf(tmp_path, pieces)])[0]
    assert report.request == "2026-URB-000001"


def test_numbers_restart_every_year_and_overdue_requests_are_listed(ctx: Context, clock: Clock,
                                                                    tmp_path: Path) -> None:
    service = IngestService(ctx)
    service.ingest([_pdf(tmp_path, by_name("signalement_eclairage"))])
    other = replace(by_name("signalement_eclairage"), name="nid",
                    body=("Madame, Monsieur,", "Un nid de poule dangereux s'est formé sur la chaussée de l'avenue "
                          "Pasteur depuis le 2 janvier 2027.", "Merci."))
    clock.now = datetime(2027, 1, 5, 8, 0)
    assert service.ingest([_pdf(tmp_path, other)])[0].request == "2027-VOI-000001"
    overdue = casework.list_requests(ctx, overdue=True)
    assert [v.number for v in overdue] == ["2026-VOI-000001"] and overdue[0].overdue
    casework.assign(ctx, "2026-VOI-000001", "jdupont", actor="chef")
    assert casework.list_requests(ctx, assignee="jdupont")[0].status == "en_cours"
    casework.set_status(ctx, "2026-VOI-000001", "cloturee", actor="jdupont")
    assert casework.list_requests(ctx, overdue=True) == []
    assert [v.number for v in casework.list_requests(ctx, service="services_techniques")] == [
        "2026-VOI-000001", "2027-VOI-000001"]
    with pytest.raises(InvalidValue):
        casework.set_status(ctx, "2027-VOI-000001", "perdue", actor="x")


def test_an_uncertain_document_waits_for_a_person_who_validates_it(context: Context, clock: Clock, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_CLASSIFICATION__THRESHOLD", "0.9")
    ctx = Context.open(load_settings(), clock=clock)
    mixed = Letter("mixte", ("M. Paul Durand", "3 rue Pasteur", "44800 Saint-Herblain"), "le 1er mars 2026",
                   "Objet : plusieurs sujets", ("Bonjour,", "Je souhaite inscrire mon fils à la cantine. Par ailleurs "
                                                "le lampadaire devant l'école est éteint depuis une semaine.",
                                                "Cordialement."), "Paul Durand")
    report = IngestService(ctx).ingest([_pdf(tmp_path, mixed)])[0]
    assert report.outcome == Outcome.NEEDS_REVIEW and report.reason_code == "type_uncertain"
    with ctx.db.session() as session:
        document = session.get_one(Document, report.document_id)
        assert document.state == DocumentState.NEEDS_REVIEW and "type incertain" in document.state_reason
        assert document.request_id is None

    with pytest.raises(InvalidValue, match="siret"):
        validation.validate(ctx, report.document_id, doc_type="subvention", values={"siret": "812 345 678 00019"},
                            actor="agent")
    with pytest.raises(InvalidValue, match="inconnu"):
        validation.validate(ctx, report.document_id, doc_type="voirie", values={"iban": "x"}, actor="agent")
    result = validation.validate(ctx, report.document_id, doc_type="voirie",
                                 values={"nature": "chaussee", "localisation": "3 rue Pasteur",
                                         "contact": "06 12 34 56 78"}, actor="agent")
    assert result.request_number == "2026-VOI-000001"
    assert result.changes["type"][1] == "voirie" and result.changes["contact"] == [None, "+33612345678"]
    with ctx.db.session() as session:
        document = session.get_one(Document, report.document_id)
        assert document.state == DocumentState.VALIDATED and document.type_confidence == 1.0
        assert document.service == "services_techniques"
        fields = {f.code: (f.value, f.method, f.confidence) for f in document.fields}
        assert fields["localisation"] == ("3 rue Pasteur", "agent", 1.0)
        validated = session.scalar(select(Event).where(Event.kind == "document.validated"))
        assert validated.actor == "agent" and validated.payload["changes"]["nature"][1] == "chaussee"
    # Corrections survive: validating again with nothing new changes nothing.
    assert validation.validate(ctx, report.document_id, actor="agent").changes == {}
    ctx.close()


def test_two_processes_never_give_the_same_number(context: Context, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_DATABASE_URL", context.settings.db_url)
    batches = []
    for batch in range(2):
        folder = tmp_path / f"lot{batch}"
        folder.mkdir()
        for index in range(3):
            letter = replace(by_name("signalement_eclairage"), name=f"s{batch}{index}",
                             signature=f"Habitant {batch}-{index}")
            _pdf(folder, letter)
        batches.append(folder)
    command = [sys.executable, "-c", "from cli.app import main; main()", "ingest", "--json"]
    root = Path(__file__).parents[1]
    runs = [subprocess.Popen([*command, str(folder)], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for folder in batches]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    with context.db.session() as session:
        numbers = sorted(session.scalars(select(Request.number)))
    year = datetime.now().year
    assert numbers == [f"{year}-VOI-{n:06d}" for n in range(1, 7)]


def test_settings_override_one_key_of_a_type_and_keep_the_rest(ged_home: Path) -> None:
    ged_home.mkdir(parents=True)
    (ged_home / "ged.toml").write_text('[types.voirie]\nservice = "urbanisme"\n'
                                       '[services.urbanisme]\nemail = "urba@ville.fr"\n', encoding="utf-8")
    settings = load_settings()
    assert settings.types["voirie"].service == "urbanisme"
    assert settings.types["voirie"].deadline is not None and settings.types["voirie"].deadline.amount == 5
    assert settings.services["urbanisme"].email == "urba@ville.fr" and settings.services["urbanisme"].label
    (ged_home / "ged.toml").write_text('[types.voirie]\nservice = "inconnu"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="inconnu"):
        load_settings()



def test_fields_to_check_are_those_read_with_low_confidence_and_not_corrected(ctx: Context, tmp_path: Path) -> None:
    report = IngestService(ctx).ingest([_pdf(tmp_path, by_name("facture_fournisseur"))])[0]
    threshold = ctx.settings.classification.field_threshold
    with ctx.db.session() as session:
        classified = session.scalar(select(Event).where(Event.kind == "document.classified",
                                                        Event.document_id == report.document_id))
        document = session.get_one(Document, report.document_id)
        assert sorted(classified.payload.get("fields_to_check", [])) == sorted(
            f.code for f in document.fields if f.confidence < threshold)
    low = ExtractedField("iban", "FR7630006000011234567890189", 0.2)
    sure = ExtractedField("montant_ttc", "120.00", 0.99)
    with ctx.db.session() as session:
        document = session.get_one(Document, report.document_id)
        corrected = next((f for f in document.fields if f.code == "siret"), None) or DocumentField(
            document_id=document.id, code="siret", confidence=1.0, page=None)
        corrected.value, corrected.method = "73282932000074", "agent"  # as `ged doc validate` does
        session.add(corrected)
        session.flush()
        session.expire(document, ["fields"])
        values, written = understanding.store_fields(session, document, [
            low, sure, ExtractedField("siret", "00000000000000", 0.1)])
        assert values == {"siret": "73282932000074", "iban": low.value, "montant_ttc": "120.00"}
        assert written == [low, sure]  # the person's siret stays; the one read again is neither written nor flagged
        assert {(f.code, f.method) for f in document.fields} == {("siret", "agent"), ("iban", "texte"),
                                                                 ("montant_ttc", "texte")}


def test_a_document_with_the_same_identifying_fields_joins_the_open_request(ctx: Context, clock: Clock,
                                                                             tmp_path: Path) -> None:
    """A cover letter, a reminder or the same invoice sent again names no request number, yet it is
    the same request: the type's ``same_request`` fields decide (the child of an enrolment, an
    invoice's number and amount). A sibling, a closed request or one from last term opens a new one."""
    letter = by_name("inscription_scolaire")
    service = IngestService(ctx)
    first = service.ingest([_pdf(tmp_path, letter)])[0]
    assert first.request == "2026-SCO-000001"
    pieces = replace(letter, name="pieces", subject="Objet : pièces pour l'inscription de ma fille",
                     body=("Madame, Monsieur,",
                           "Je souhaite inscrire ma fille LINA BENALI, née le 5 septembre 2020, en moyenne section "
                           "à l'école maternelle Jules Verne : voici le justificatif de domicile demandé.",
                           "Salutations respectueuses."))
    clock.now = datetime(2026, 3, 9, 11, 0)
    joined = service.ingest([_pdf(tmp_path, pieces)])[0]
    assert joined.request == "2026-SCO-000001"
    view = casework.show(ctx, "2026-SCO-000001")
    assert view.documents == [first.document_id, joined.document_id]
    assert view.history[-1]["payload"]["same_fields"] == ["enfant_nom", "enfant_prenom", "enfant_date_naissance"]
    sibling = replace(letter, name="frere", subject="Objet : inscription scolaire de mon fils Adam",
                      body=("Madame, Monsieur,",
                            "Je souhaite inscrire mon fils Adam Benali, né le 14 mars 2022, en petite section à "
                            "l'école maternelle Jules Verne pour la rentrée de septembre 2025.",
                            "Salutations respectueuses."))
    assert service.ingest([_pdf(tmp_path, sibling)])[0].request == "2026-SCO-000002"
    casework.set_status(ctx, "2026-SCO-000001", "clôturée", actor="agent")
    again = replace(pieces, name="encore", signature="Aïcha Benali, mère de Lina")
    assert service.ingest([_pdf(tmp_path, again)])[0].request == "2026-SCO-000003"  # the first one is closed
    with ctx.db.session() as session:
        assert journal.verify(session) == []


def test_an_invoice_received_twice_is_one_request_and_an_old_one_is_not_joined(ctx: Context, clock: Clock,
                                                                               tmp_path: Path) -> None:
    invoice = by_name("facture_fournisseur")
    service = IngestService(ctx)
    assert service.ingest([_pdf(tmp_path, invoice)])[0].request == "2026-FAC-000001"
    by_mail = replace(invoice, name="par-courriel", signature="Le service comptabilité (copie envoyée par courriel)")
    clock.now = datetime(2026, 3, 3, 9, 0)
    assert service.ingest([_pdf(tmp_path, by_mail)])[0].request == "2026-FAC-000001"
    clock.now = datetime(2026, 7, 1, 9, 0)  # past SAME_REQUEST_DAYS: another request, whatever it says
    late = replace(invoice, name="tardive", signature="Le service comptabilité (duplicata)")
    assert service.ingest([_pdf(tmp_path, late)])[0].request == "2026-FAC-000002"



def test_a_letter_and_its_cover_letter_finished_together_make_one_request(ctx: Context, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The OCR workers often finish a letter and its cover letter together, and the batch is recorded
    in one transaction that flushes nothing before its commit: the second must still find the request
    the first opened (it opened a second one, one time in two or three)."""
    from ged.ingest._pool import OcrPool

    finish = OcrPool.process

    def together(pool: OcrPool, documents: Iterable[Any]) -> Iterator[list[Any]]:
        finished = []
        for batch in finish(pool, documents):
            for processed in batch:  # the pool removes a batch's work files once the next is asked for
                if processed.copy is not None:
                    processed.copy = Path(shutil.copy(processed.copy, tmp_path / f"copie-{len(finished)}.pdf"))
                finished.append(processed)
        yield finished

    monkeypatch.setattr(OcrPool, "process", together)
    letter = by_name("inscription_scolaire")
    cover = replace(letter, name="lettre", subject="Objet : justificatif pour l'inscription de ma fille")
    reports = IngestService(ctx).ingest([_pdf(tmp_path, letter), _pdf(tmp_path, cover)])
    assert [r.request for r in reports] == ["2026-SCO-000001", "2026-SCO-000001"]
    view = casework.show(ctx, "2026-SCO-000001")
    assert view.documents == sorted(r.document_id for r in reports)
    assert view.history[-1]["payload"]["same_fields"] == ["enfant_nom", "enfant_prenom", "enfant_date_naissance"]
