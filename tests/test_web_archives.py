"""The archivist's pages over HTTP: due list, propose, the visa refused to the proposer and recorded
by a colleague, the elimination confirmed, holds; roles, CSRF, hostile reasons, statuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from examples.letters import by_name
from examples.render import born_digital_pdf
from ged.context import Context
from ged.db.models import Document, DocumentState, Event
from ged.services import accounts, archiving
from ged.services.ingest import IngestService
from ged.services.setup import install_demo_pki
from ged.settings import load_settings
from web.app import create_app

from .helpers import Clock

PASSWORD = "un mot de passe solide"


def archived_installation(ctx: Context, folder: Path) -> list[int]:
    """Two civil-status requests and an urban-planning file archived in March 2026; the accounts."""
    paths = []
    for name in ("demande_acte_naissance", "declaration_prealable", "facture_fournisseur"):
        paths.append(folder / f"{name}.pdf")
        born_digital_pdf(by_name(name), paths[-1])
    ids = [r.document_id for r in IngestService(ctx).ingest(paths)]
    archiving.archive(ctx, ids, actor="test")
    for login, role, services in (("archives", "archiviste", ["etat_civil"]), ("archives2", "archiviste", []),
                                  ("civil", "agent", ["etat_civil"])):
        accounts.add_user(ctx, login, login.capitalize(), role, services, PASSWORD, actor="test")
    return ids


@pytest.fixture
def site(context: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    monkeypatch.setenv("GED_WEB__SECURE_COOKIES", "false")
    assert install_demo_pki(context.settings)
    clock = Clock(datetime(2026, 3, 2, 9, 0))
    ctx = Context.open(load_settings(), clock=clock)
    ids = archived_installation(ctx, tmp_path)
    clock.now = datetime(2027, 6, 1, 9, 0)  # the civil-status request's year is over
    yield {"ctx": ctx, "app": create_app(ctx), "ids": ids}
    ctx.close()


def _client(site: dict[str, object], login: str) -> tuple[TestClient, str]:
    client = TestClient(site["app"])  # type: ignore[arg-type]
    assert client.post("/connexion", data={"login": login, "password": PASSWORD},
                       follow_redirects=False).status_code == 303
    return client, client.get("/api/session").json()["csrf"]


def test_propose_visa_by_a_colleague_then_eliminate(site: dict[str, object]) -> None:
    civil, planning, _invoice = site["ids"]  # type: ignore[misc]
    first, csrf = _client(site, "archives")
    page = first.get("/archives")
    assert page.status_code == 200 and "document(s) archivé(s) à DUA échue" in page.text
    proposed = first.post("/archives/eliminations", data={"csrf": csrf}, follow_redirects=False)
    assert proposed.status_code == 303
    number = proposed.headers["location"].split("/")[-1].split("?")[0]
    shown = first.get(proposed.headers["location"]).text
    assert "proposée, en attente du visa" in shown and f"GED-DOC-{civil}" in shown
    assert f"GED-DOC-{planning}" not in shown  # kept for ever (sort final C): never proposed
    refused = first.post(f"/archives/eliminations/{number}/visa", data={"csrf": csrf, "reference": "AD44-2027-1"})
    assert refused.status_code == 403 and "autre personne" in refused.text
    bordereau = first.get(f"/archives/eliminations/{number}/fichiers/bordereau")
    assert bordereau.status_code == 200 and bordereau.content.startswith(b"%PDF")
    second, csrf2 = _client(site, "archives2")
    assert second.post(f"/archives/eliminations/{number}/visa", data={"csrf": csrf2, "reference": "AD44-2027-1"},
                       follow_redirects=False).status_code == 303
    again = second.post(f"/archives/eliminations/{number}/visa", data={"csrf": csrf2, "reference": "AD44-2027-2"})
    assert again.status_code == 409
    unconfirmed = second.post(f"/archives/eliminations/{number}/execution", data={"csrf": csrf2})
    assert unconfirmed.status_code == 422 and "confirmation" in unconfirmed.text
    done = second.post(f"/archives/eliminations/{number}/execution", data={"csrf": csrf2, "confirmation": "true"},
                       follow_redirects=False)
    assert done.status_code == 303
    attestation = second.get(f"/archives/eliminations/{number}/fichiers/attestation")
    assert attestation.status_code == 200 and attestation.content.startswith(b"%PDF")
    ctx: Context = site["ctx"]  # type: ignore[assignment]
    with ctx.db.session() as session:
        assert session.get_one(Document, civil).state == DocumentState.ELIMINATED
        actors = {e.kind: e.actor for e in session.scalars(select(Event).where(Event.kind.like("retention.%")))}
    assert actors == {"retention.proposed": "web:archives", "retention.approved": "web:archives2",
                      "retention.eliminated": "web:archives2"}


def test_holds_from_the_page_with_reasons_shown_inert(site: dict[str, object]) -> None:
    civil = site["ids"][0]  # type: ignore[index]
    client, csrf = _client(site, "archives")
    hostile = "contentieux <script>alert(1)</script>"
    assert client.post("/archives/gels", data={"csrf": csrf, "document": civil, "motif": hostile},
                       follow_redirects=False).status_code == 303
    page = client.get("/archives").text
    assert "<script>alert(1)" not in page and "contentieux &lt;script&gt;" in page and "<strong>gelé</strong>" in page
    assert client.post("/archives/gels", data={"csrf": csrf, "document": civil, "motif": "encore"}).status_code == 422
    assert client.post("/archives/gels", data={"csrf": csrf, "document": 999999, "motif": "x"}).status_code == 404
    nothing = client.post("/archives/eliminations", data={"csrf": csrf})
    assert nothing.status_code == 409 and "aucun document" in nothing.text  # the only due record is held
    assert client.post(f"/archives/gels/{civil}/levee", data={"csrf": csrf, "motif": "jugement rendu"},
                       follow_redirects=False).status_code == 303
    assert client.post(f"/archives/gels/{civil}/levee", data={"csrf": csrf, "motif": "x"}).status_code == 404


def test_archive_pages_are_for_archivists_and_every_post_wants_csrf(site: dict[str, object]) -> None:
    civil = site["ids"][0]  # type: ignore[index]
    agent, agent_csrf = _client(site, "civil")
    for path in ("/archives", "/archives/eliminations/ELIM-2027-0001",
                 "/archives/eliminations/ELIM-2027-0001/fichiers/bordereau"):
        assert agent.get(path).status_code == 403, path
    for path, data in (("/archives/eliminations", {}), ("/archives/gels", {"document": civil, "motif": "x"}),
                       (f"/archives/gels/{civil}/levee", {"motif": "x"}),
                       ("/archives/eliminations/ELIM-2027-0001/visa", {"reference": "x"})):
        assert agent.post(path, data={**data, "csrf": agent_csrf}).status_code in (403, 404), path
    assert "/archives" not in agent.get("/recherche").text  # no menu entry either
    archivist, csrf = _client(site, "archives")
    number = archivist.post("/archives/eliminations", data={"csrf": csrf},
                            follow_redirects=False).headers["location"].split("/")[-1].split("?")[0]
    assert archivist.post("/archives/gels", data={"csrf": csrf, "document": site["ids"][1],  # type: ignore[index]
                                                  "motif": "x"}, follow_redirects=False).status_code == 303
    colleague, _ = _client(site, "archives2")
    for client, path, data in (
            (archivist, "/archives/eliminations", {}), (archivist, "/archives/gels", {"document": civil, "motif": "x"}),
            (archivist, f"/archives/gels/{site['ids'][1]}/levee", {"motif": "x"}),  # type: ignore[index]
            (colleague, f"/archives/eliminations/{number}/visa", {"reference": "AD44-1"}),
            (colleague, f"/archives/eliminations/{number}/execution", {"confirmation": "true"})):
        assert client.post(path, data={**data, "csrf": "faux"}).status_code == 403, path
        assert client.post(path, data=data).status_code in (403, 422), path
    assert archivist.get("/archives/eliminations/ELIM-2027-0099").status_code == 404
    assert archivist.get("/archives/eliminations/rien").status_code == 422
    assert archivist.get("/archives/eliminations/ELIM-2027-0001/fichiers/..%2Fetc").status_code in (404, 422)
    ctx: Context = site["ctx"]  # type: ignore[assignment]
    with ctx.db.session() as session:
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.kind.like("retention.%")
                                                                     | Event.kind.like("hold.%")))]
    assert kinds == ["retention.proposed", "hold.added"]  # the refused ones left nothing
