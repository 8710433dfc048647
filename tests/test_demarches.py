"""Online démarches: the robot pulls dossiers from a local HTTP server that speaks démarches-simplifiées'
GraphQL shape (the query's fields, cursor pagination, ``updatedSince``, bearer token, files by URL
with their MD5 checksum); each dossier becomes one request with its attachments, its number the file
reference, its answers the fields; never twice across runs, a failing page retried, a crash between
the download and the commit recovered without a second request."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from examples.letters import by_name
from examples.render import born_digital_pdf
from ged.context import Context
from ged.db.models import Document, DocumentField, ExternalDossier, Request
from ged.services import automation, casework, dossiers
from ged.settings import load_settings
from robots.definitions import load_robot
from robots.runner import run_robot

from .helpers import Clock, free_port

TOKEN = "jeton-de-test-ds"


class DemarchesServer:
    """Pages of ``page_size`` dossiers; ``fail_pages`` answer 503 once each; files served by name."""

    def __init__(self, nodes: list[dict[str, Any]], files: dict[str, bytes], *, page_size: int = 2) -> None:
        self.nodes, self.files, self.page_size = nodes, files, page_size
        self.fail_pages: set[int] = set()
        self.asked: list[dict[str, Any]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._send(401, {"errors": [{"message": "Unauthorized"}]})
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                assert "dossiers(first: 100, after: $after, updatedSince: $updatedSince" in body["query"]
                return self._send(*outer.page(body["variables"]))

            def do_GET(self) -> None:  # noqa: N802
                name = self.path.rsplit("/", 1)[-1]
                if name not in outer.files:
                    return self._send(404, {})
                data = outer.files[name]
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def page(self, variables: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.asked.append(variables)
        since = variables.get("updatedSince")
        nodes = [n for n in self.nodes if since is None or n["dateDerniereModification"] > since]
        start = int(base64.b64decode(variables["after"])) if variables.get("after") else 0
        index = start // self.page_size
        if index in self.fail_pages:
            self.fail_pages.discard(index)
            return 503, {"errors": [{"message": "Service Unavailable"}]}
        chunk = nodes[start:start + self.page_size]
        end = start + len(chunk)
        return 200, {"data": {"demarche": {"title": "Déclaration préalable de travaux", "dossiers": {
            "pageInfo": {"hasNextPage": end < len(nodes), "endCursor": base64.b64encode(str(end).encode()).decode()},
            "nodes": chunk}}}}

    def stop(self) -> None:
        self.server.shutdown()


def _file(server_files: dict[str, bytes], name: str, data: bytes, url: str) -> dict[str, Any]:
    server_files[name] = data
    return {"filename": name, "contentType": "application/pdf", "byteSize": str(len(data)),
            "checksum": base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode(),
            "url": f"{url}/fichiers/{name}"}


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[DemarchesServer]:
    files: dict[str, bytes] = {}
    server = DemarchesServer([], files)
    plan = tmp_path / "plan.pdf"
    born_digital_pdf(by_name("declaration_prealable"), plan)
    server.nodes = [
        {"number": 18273645, "state": "en_construction", "dateDepot": "2026-03-02T08:15:00+01:00",
         "dateDerniereModification": "2026-03-02T08:15:00+01:00", "usager": {"email": "jean.dupuis@exemple.fr"},
         "demandeur": {"__typename": "PersonnePhysique", "civilite": "M.", "nom": "Dupuis", "prenom": "Jean"},
         "champs": [{"__typename": "TextChamp", "label": "Nom et prénom du déclarant", "stringValue": "Jean Dupuis"},
                    {"__typename": "AddressChamp", "label": "Adresse du terrain",
                     "stringValue": "12 rue des Lilas 44800 Saint-Herblain"},
                    {"__typename": "IntegerNumberChamp", "label": "Surface de plancher créée (m²)",
                     "stringValue": "18"},
                    {"__typename": "PieceJustificativeChamp", "label": "Plan de situation", "stringValue": "",
                     "files": [_file(files, "plan-situation.pdf", plan.read_bytes(), server.url)]}]},
        {"number": 18273700, "state": "en_instruction", "dateDepot": "2026-03-03T14:00:00Z",
         "dateDerniereModification": "2026-03-04T09:00:00Z", "usager": {"email": "contact@sci-tilleuls.fr"},
         "demandeur": {"__typename": "PersonneMorale", "siret": "73282932000074",
                       "entreprise": {"raisonSociale": "SCI Les Tilleuls"}},
         "champs": [{"__typename": "TextChamp", "label": "Adresse du terrain", "stringValue": "4 allée des Tilleuls"},
                    {"__typename": "PieceJustificativeChamp", "label": "Photographies", "stringValue": "",
                     "files": [_file(files, "photo-facade.pdf", b"%PDF-1.4\n" + plan.read_bytes()[9:], server.url)]}]},
        {"number": 18273999, "state": "brouillon", "dateDepot": "2026-03-05T10:00:00Z",
         "dateDerniereModification": "2026-03-05T10:00:00Z", "usager": {"email": "x@exemple.fr"},
         "demandeur": None, "champs": []},
    ]
    yield server
    server.stop()


ROBOT = """
description = "Les déclarations préalables déposées en ligne"
[trigger]
interval_minutes = 15
[[actions]]
action = "releve_demarches"
demarche = 4521
type = "urbanisme"
url = "{url}/api/v2/graphql"
[actions.fields]
"Nom et prénom du déclarant" = "demandeur_nom"
"Adresse du terrain" = "adresse_terrain"
"Surface de plancher créée (m²)" = "surface_plancher"
"""


@pytest.fixture
def ctx(context: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    monkeypatch.setenv("GED_DS_TOKEN", TOKEN)
    monkeypatch.setenv("GED_ROBOTS__BACKOFF_SECONDS", "2")
    opened = Context.open(load_settings(), clock=Clock(datetime(2026, 3, 6, 9, 0)))
    opened.settings.robots_path.mkdir(parents=True, exist_ok=True)
    yield opened
    opened.close()


def _robot(ctx: Context, platform: DemarchesServer) -> Any:
    path = ctx.settings.robots_path / "dp-en-ligne.toml"
    path.write_text(ROBOT.format(url=platform.url), encoding="utf-8")
    return load_robot(path)


def test_each_dossier_becomes_one_request_with_its_pieces(ctx: Context, platform: DemarchesServer) -> None:
    result = run_robot(ctx, _robot(ctx, platform), trigger="manuel", sleep=lambda _s: None)
    assert result.outcome == "ok", result.error
    assert (result.counts["dossiers"], result.counts["demandes"], result.counts["ignores"]) == (3, 2, 1)
    with ctx.db.session() as session:
        request = session.scalar(select(Request).where(Request.file_reference == "18273645"))
        assert request is not None
        number = request.number
    view = casework.show(ctx, number)
    assert (view.requester, view.contact, view.service, view.doc_type) == (
        "Jean Dupuis", "jean.dupuis@exemple.fr", "urbanisme", "urbanisme")
    assert view.received_on == date(2026, 3, 2)  # filed at 08:15 in Paris: its legal date of receipt
    assert len(view.documents) == 2  # the dossier's summary, then the plan, joined
    assert view.fields["surface_plancher"]["value"] == 18.0 and view.fields["surface_plancher"]["method"] == "en ligne"
    assert view.fields["adresse_terrain"]["value"].startswith("12 rue des Lilas")
    company = casework.show(ctx, next(r.number for r in casework.list_requests(ctx) if r.file_reference == "18273700"))
    assert company.requester == "SCI Les Tilleuls" and len(company.documents) == 2
    history = automation.history(ctx, "dp-en-ligne")
    assert history[0].outcome == "ok" and history[0].counts["demandes"] == 2
    # The next pass asks only for what changed; a dossier changed since is known, never taken twice.
    platform.nodes[0]["dateDerniereModification"] = "2026-03-06T08:55:00Z"
    again = run_robot(ctx, _robot(ctx, platform), trigger="manuel", sleep=lambda _s: None)
    assert again.outcome == "ok" and (again.counts["deja_recus"], again.counts["demandes"]) == (1, 0)
    assert platform.asked[-1]["updatedSince"] is not None
    with ctx.db.session() as session:
        assert session.scalar(select(func.count(Request.id))) == 2


def test_a_failing_page_is_retried_and_nothing_is_taken_twice(ctx: Context, platform: DemarchesServer) -> None:
    platform.page_size = 1
    platform.fail_pages = {1}  # the second page answers 503 once
    waits: list[float] = []
    result = run_robot(ctx, _robot(ctx, platform), trigger="manuel", sleep=waits.append)
    assert result.outcome == "ok" and waits == [2]
    assert result.counts["demandes"] == 2 and result.counts["deja_recus"] == 1  # page 1, again on the retry
    assert automation.history(ctx, "dp-en-ligne")[0].attempts == 2
    with ctx.db.session() as session:
        assert session.scalar(select(func.count(Request.id))) == 2
        assert session.scalar(select(func.count(ExternalDossier.reference))) == 2


def test_a_crash_between_download_and_commit_is_taken_again_once(ctx: Context, platform: DemarchesServer,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    platform.nodes = platform.nodes[:1]
    real = dossiers.journal.append

    def dies_at_the_ledger(session: Any, kind: str, **values: Any) -> Any:
        if kind == "request.filed_online":
            raise RuntimeError("coupure de courant")
        return real(session, kind, **values)

    monkeypatch.setattr(dossiers.journal, "append", dies_at_the_ledger)
    crashed = run_robot(ctx, _robot(ctx, platform), trigger="manuel", sleep=lambda _s: None)
    assert crashed.outcome == "erreur" and "coupure" in (crashed.error or "")
    monkeypatch.setattr(dossiers.journal, "append", real)
    resumed = run_robot(ctx, _robot(ctx, platform), trigger="manuel", sleep=lambda _s: None)
    assert resumed.outcome == "ok" and resumed.counts["demandes"] == 1
    with ctx.db.session() as session:
        assert session.scalar(select(func.count(Request.id))) == 1
        assert session.scalar(select(func.count(Document.id))) == 2  # the summary and the plan, once each
        ledger = session.get_one(ExternalDossier, ("demarches-simplifiees:4521", "18273645"))
        assert len(ledger.documents) == 2
        assert session.scalar(select(func.count(DocumentField.id)).where(DocumentField.method == "en ligne")) == 3


def test_a_refused_token_or_a_missing_file_is_reported(ctx: Context, platform: DemarchesServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_DS_TOKEN", "faux")
    refused = run_robot(ctx, _robot(ctx, platform), trigger="manuel", sleep=lambda _s: None)
    assert refused.outcome == "erreur" and "refuse le jeton (401)" in (refused.error or "")
    monkeypatch.setenv("GED_DS_TOKEN", TOKEN)
    del platform.files["plan-situation.pdf"]
    missing = run_robot(ctx, _robot(ctx, platform), trigger="manuel", sleep=lambda _s: None)
    assert missing.outcome == "erreur" and "pièce jointe non téléchargée (404)" in (missing.error or "")
    with ctx.db.session() as session:
        assert session.scalar(select(func.count(Document.id))) == 0  # nothing stored before every file is here
