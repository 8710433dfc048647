"""The agents' desk and casework, through the services: baskets and their counts, filters and pages,
assignment to colleagues, status with a note, notes, transfer with the documents, the acknowledgement
sent by e-mail, a retyped document taking its request along; permissions on every action."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from examples.letters import LETTERS, by_name
from examples.render import born_digital_pdf
from ged import journal
from ged.context import Context
from ged.db.models import Document, Event, Request
from ged.errors import Conflict, Forbidden, InvalidValue, NotFound, Unavailable
from ged.search import SearchRequest
from ged.services import accounts, casework, citizens, indicators, validation
from ged.services import search as search_service
from ged.services.desk import NOBODY, Basket, DeskFilter, Sort, desk
from ged.services.ingest import IngestService
from ged.settings import load_settings

from .helpers import Clock
from .mailservers import SmtpServer

PASSWORD = "un mot de passe solide"


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def ctx(context: Context, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Context]:
    """The sample letters ingested on 2 March 2026 (seven requests), and four accounts."""
    for key, value in (("HOST", "127.0.0.1"), ("PORT", str(smtp.port)), ("SECURITY", "starttls"),
                       ("CA_FILE", str(smtp.ca))):
        monkeypatch.setenv(f"GED_SMTP__{key}", value)
    clock = Clock(datetime(2026, 3, 2, 9, 30))
    opened = Context.open(load_settings(), clock=clock)
    paths = []
    for letter in LETTERS:
        paths.append(tmp_path / f"{letter.name}.pdf")
        born_digital_pdf(letter, paths[-1])
    IngestService(opened).ingest(paths)
    for login, role, services in (("urba", "agent", ["urbanisme"]), ("urba2", "agent", ["urbanisme"]),
                                  ("voirie", "agent", ["services_techniques"]),
                                  ("archives", "archiviste", ["urbanisme"]), ("admin", "admin", [])):
        accounts.add_user(opened, login, login.capitalize(), role, services, PASSWORD, actor="test")
    clock.now = datetime(2026, 4, 20, 9, 0)  # most deadlines have passed
    yield opened
    opened.close()


def _principal(ctx: Context, login: str) -> accounts.Principal:
    principal, _token, _csrf = accounts.sign_in(ctx, login, PASSWORD, address="127.0.0.1")
    return principal


def test_baskets_count_filter_sort_and_page(ctx: Context) -> None:
    admin, urba = _principal(ctx, "admin"), _principal(ctx, "urba")
    every = desk(ctx, admin, DeskFilter(basket=Basket.ALL))
    assert every.total == 7 and every.counts[Basket.ALL] == 7 and every.counts[Basket.MINE] == 0
    assert every.counts[Basket.TO_DO] == 7 and every.counts[Basket.CLOSED] == 0
    assert [r.due_on for r in every.rows] == sorted(r.due_on for r in every.rows)  # most urgent first
    assert every.counts[Basket.OVERDUE] == sum(r.overdue for r in every.rows) > 0
    # An agent's desk holds their service only, counts included.
    mine = desk(ctx, urba, DeskFilter(basket=Basket.ALL))
    assert [r.number for r in mine.rows] == ["2026-URB-000001"] and mine.counts[Basket.ALL] == 1
    assert mine.rows[0].type_label == "Autorisation d'urbanisme" and mine.rows[0].first_document is not None
    casework.assign(ctx, "2026-URB-000001", "urba", actor="web:urba", viewer=urba)
    assert desk(ctx, urba, DeskFilter(basket=Basket.MINE)).counts[Basket.MINE] == 1
    # Pages of two, by requester descending: three pages, the last holds one row.
    pages = [desk(ctx, admin, DeskFilter(basket=Basket.ALL, sort=Sort.NUMBER, descending=True, page=n, page_size=3))
             for n in (1, 2, 3, 9)]
    numbers = [r.number for p in pages[:3] for r in p.rows]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) == 7 and pages[0].pages == 3
    assert pages[3].filter.page == 3  # past the end: the last page
    assert [r.number for r in desk(ctx, admin, DeskFilter(basket=Basket.ALL, assignee=NOBODY)).rows].count(
        "2026-URB-000001") == 0
    scoped = desk(ctx, admin, DeskFilter(basket=Basket.ALL, doc_type="voirie", due_from=date(2026, 3, 1),
                                         due_to=date(2026, 12, 31)))
    assert [r.number for r in scoped.rows] == ["2026-VOI-000001"] and scoped.counts[Basket.ALL] == 1
    with pytest.raises(InvalidValue):
        desk(ctx, admin, DeskFilter(status="perdue"))


def test_assign_status_and_notes_from_the_desk_with_permissions(ctx: Context) -> None:
    urba, archives, voirie = _principal(ctx, "urba"), _principal(ctx, "archives"), _principal(ctx, "voirie")
    number = "2026-URB-000001"
    assert [login for login, _ in casework.colleagues(ctx, "urbanisme")] == ["admin", "urba", "urba2"]
    with pytest.raises(InvalidValue, match="ne traite pas"):
        casework.assign(ctx, number, "voirie", actor="web:urba", viewer=urba)
    with pytest.raises(NotFound):
        casework.assign(ctx, number, "voirie", actor="web:voirie", viewer=voirie)
    with pytest.raises(Forbidden):
        casework.add_note(ctx, number, "vu", actor="web:archives", viewer=archives)
    assert casework.show(ctx, number, viewer=archives).number == number  # reading is allowed
    view = casework.assign(ctx, number, "urba2", actor="web:urba", viewer=urba)
    assert (view.assignee, view.status) == ("urba2", "en_cours")
    view = casework.set_status(ctx, number, "en_attente", note="plan de masse demandé", actor="web:urba2",
                               viewer=_principal(ctx, "urba2"))
    casework.add_note(ctx, number, "  Appel du demandeur : plan envoyé par courrier. ", actor="web:urba", viewer=urba)
    with pytest.raises(InvalidValue):
        casework.add_note(ctx, number, "   ", actor="web:urba", viewer=urba)
    with pytest.raises(InvalidValue, match="trop longue"):
        casework.add_note(ctx, number, "x" * 2001, actor="web:urba", viewer=urba)
    view = casework.set_status(ctx, number, "cloturee", actor="web:urba", viewer=urba)
    with pytest.raises(Conflict):
        casework.assign(ctx, number, "urba", actor="web:urba", viewer=urba)
    history = [(e["kind"], e["payload"].get("note")) for e in view.history]
    assert history[-4:] == [("request.assigned", None), ("request.status", "plan de masse demandé"),
                            ("request.note", "Appel du demandeur : plan envoyé par courrier."),
                            ("request.status", None)]
    assert desk(ctx, urba, DeskFilter(basket=Basket.CLOSED)).total == 1


def test_transfer_moves_the_request_and_its_documents_together(ctx: Context) -> None:
    voirie, urba = _principal(ctx, "voirie"), _principal(ctx, "urba")
    number = "2026-VOI-000001"
    casework.assign(ctx, number, "voirie", actor="web:voirie", viewer=voirie)
    with pytest.raises(InvalidValue, match="service inconnu"):
        casework.transfer(ctx, number, "cuisine", actor="web:voirie", viewer=voirie)
    sent = casework.transfer(ctx, number, "urbanisme", note="concerne un permis en cours", actor="web:voirie",
                             viewer=voirie)
    assert sent.history == [] and sent.fields == {}  # the sender is told what they knew, nothing more
    with pytest.raises(NotFound):
        casework.show(ctx, number, viewer=voirie)
    received = casework.show(ctx, number, viewer=urba)
    assert (received.service, received.assignee) == ("urbanisme", None)
    assert received.history[-1]["kind"] == "request.transferred"
    assert received.history[-1]["payload"]["service"] == ["services_techniques", "urbanisme"]

    def found(principal: accounts.Principal) -> int:
        return search_service.search(ctx, SearchRequest(text="lampadaire",
                                                        allowed_services=principal.allowed_services)).total

    assert (found(voirie), found(urba)) == (0, 1)
    with ctx.db.session() as session:
        document = session.scalar(select(Document).join(Request).where(Request.number == number))
        assert document is not None and document.service == "urbanisme"
        assert [e.kind for e in journal.history(session, document.id)][-1] == "document.transferred"
        assert journal.verify(session) == []
    casework.set_status(ctx, number, "cloturee", actor="web:urba", viewer=urba)
    with pytest.raises(Conflict):
        casework.transfer(ctx, number, "services_techniques", actor="web:urba", viewer=urba)


def test_acknowledgement_is_downloaded_and_sent_through_smtp(ctx: Context, smtp: SmtpServer) -> None:
    admin = _principal(ctx, "admin")
    number = "2026-SCO-000001"  # Mme Benali wrote with her e-mail address
    path, media_type = casework.acknowledgement_file(ctx, number, email=False, actor="web:admin", viewer=admin)
    assert media_type == "application/pdf" and path.read_bytes().startswith(b"%PDF")
    assert casework.send_acknowledgement(ctx, number, actor="web:admin", viewer=admin) == "aicha.benali@exemple.fr"
    message = smtp.messages[-1]
    assert message["To"] == "aicha.benali@exemple.fr"
    assert message["Subject"] == "Accusé de réception de votre demande n° 2026-SCO-000001"
    assert "2026-SCO-000001" in message.get_payload(decode=True).decode()
    kinds = [e["kind"] for e in casework.show(ctx, number).history]
    assert kinds[-2:] == ["request.acknowledgement_downloaded", "request.acknowledgement_sent"]
    with pytest.raises(Unavailable, match="adresse électronique"):
        casework.send_acknowledgement(ctx, "2026-VOI-000001", actor="web:admin", viewer=admin)
    with pytest.raises(Unavailable, match="pas d'accusé"):  # reports of a supplier's invoice are not acknowledged
        casework.acknowledgement_file(ctx, "2026-FAC-000001", email=False, actor="web:admin", viewer=admin)


def test_a_retyped_document_takes_its_request_along(ctx: Context) -> None:
    voirie, urba = _principal(ctx, "voirie"), _principal(ctx, "urba")
    with ctx.db.session() as session:
        document_id = session.scalar(select(Document.id).join(Request).where(Request.number == "2026-VOI-000001"))
    assert document_id is not None
    validation.validate(ctx, document_id, doc_type="reclamation", actor="web:voirie", viewer=voirie)
    moved = casework.show(ctx, "2026-VOI-000001", viewer=_principal(ctx, "admin"))
    assert (moved.doc_type, moved.service) == ("reclamation", "accueil")
    rerouted = moved.history[-1]
    assert rerouted["kind"] == "request.rerouted" and rerouted["payload"]["type"] == ["voirie", "reclamation"]
    with pytest.raises(NotFound):
        casework.show(ctx, "2026-VOI-000001", viewer=voirie)  # the old service keeps nothing it cannot open
    # Retyped as something that is no request at all: the request is closed where the document went.
    with ctx.db.session() as session:
        urban_document = session.scalar(select(Document.id).join(Request).where(Request.number == "2026-URB-000001"))
    assert urban_document is not None
    validation.validate(ctx, urban_document, doc_type="autre", actor="web:urba", viewer=urba)
    closed = casework.show(ctx, "2026-URB-000001")
    assert closed.status == "cloturee" and closed.service == ctx.settings.types["autre"].service
    with ctx.db.session() as session:
        assert session.scalar(select(Event).where(Event.kind == "request.rerouted",
                                                  Event.request_id == session.scalar(
                                                      select(Request.id).where(Request.number == "2026-URB-000001"))
                                                  )) is not None


def test_dashboard_figures_come_from_aggregates_per_service(ctx: Context) -> None:
    clock = ctx.clock
    assert isinstance(clock, Clock)
    clock.now = datetime(2026, 3, 10, 11, 0)
    casework.set_status(ctx, "2026-ECV-000001", "cloturee", actor="agent")  # due 16 March: on time, 8 days
    clock.now = datetime(2026, 4, 20, 9, 0)
    casework.set_status(ctx, "2026-URB-000001", "cloturee", actor="agent")  # due 2 April: late, 49 days
    rows = {row.service: row for row in indicators.indicators(ctx, _principal(ctx, "admin"))}
    civil, urban = rows["etat_civil"], rows["urbanisme"]
    march = {p.label: p for p in civil.months}["2026-03"]
    assert (march.received, march.opened, march.closed, march.on_time_share, march.average_days) == (1, 1, 1, 1.0, 8.0)
    april = {p.label: p for p in urban.months}["2026-04"]
    assert (april.closed, april.on_time_share, april.average_days) == (1, 0.0, 49.0)
    assert (civil.open_now, urban.open_now) == (0, 0)
    assert rows["services_techniques"].open_now == rows["services_techniques"].overdue_now == 1
    assert [p.label for p in urban.weeks] == ["2026-S10", "2026-S17"]  # received, closed: last quarter only
    only = indicators.indicators(ctx, _principal(ctx, "urba"))
    assert [row.service for row in only] == ["urbanisme"]


def test_the_citizen_s_file_links_by_contact_or_name_and_address(ctx: Context, tmp_path: Path) -> None:
    """Mme Benali enrolled her daughter (e-mail, 3 impasse des Mésanges); she writes again."""
    def complaint(name: str, sender: tuple[str, ...], about: str) -> Path:
        letter = replace(by_name("reclamation_dechets"), name=name, sender=sender,
                         subject=f"Objet : réclamation concernant {about}",
                         body=("Madame, Monsieur,", f"Je vous signale un problème persistant concernant {about}, "
                               "malgré mes appels au standard.", "Je vous prie d'intervenir rapidement.",
                               "Salutations."), signature=sender[0].split(" ", 1)[1])
        born_digital_pdf(letter, tmp_path / f"{name}.pdf")
        return tmp_path / f"{name}.pdf"

    paths = [complaint("same_address", ("Mme Aïcha BENALI", "3 impasse des Mesanges", "44800 Saint-Herblain",
                                        "Tél. 06 11 22 33 44"), "la collecte des déchets de l'impasse"),
             complaint("same_mail", ("Mme A. Benali", "12 rue Nationale", "44000 Nantes",
                                     "aicha.benali@exemple.fr"), "le bruit du marché du samedi"),
             complaint("homonym", ("Mme Aïcha Benali", "40 boulevard Jean Moulin", "44100 Nantes",
                                   "Tél. 07 55 44 33 22"), "le stationnement devant l'école")]
    reports = IngestService(ctx).ingest(paths)
    numbers = {Path(r.source).stem: r.request or validation.validate(  # short letters: a person confirms the type
        ctx, r.document_id, doc_type="reclamation", actor="accueil").request_number for r in reports}
    assert all(numbers.values()), numbers
    found = citizens.citizen_file(ctx, "2026-SCO-000001", viewer=_principal(ctx, "admin"))
    linked = {e.reference: e.reasons for e in found.linked}
    assert linked == {numbers["same_address"]: [citizens.Match.NAME_AND_ADDRESS],
                      numbers["same_mail"]: [citizens.Match.EMAIL]}
    assert [e.reference for e in found.possible] == [numbers["homonym"]]
    # An agent sees only what their services hold: the complaints go to the front desk, not to them.
    accounts.add_user(ctx, "ecole", "Ecole", "agent", ["affaires_scolaires"], PASSWORD, actor="test")
    theirs = citizens.citizen_file(ctx, "2026-SCO-000001", viewer=_principal(ctx, "ecole"))
    assert theirs.linked == [] and theirs.possible == []
    with pytest.raises(NotFound):
        citizens.citizen_file(ctx, "2026-SCO-000001", viewer=_principal(ctx, "urba"))
