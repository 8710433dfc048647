"""The web UI and its API through HTTP: sign-in, permissions by service everywhere, CSRF, escaping, journal."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from examples.letters import by_name
from examples.render import born_digital_pdf
from ged.context import Context
from ged.db.models import Document, Event, FileRole
from ged.services import accounts
from ged.services.ingest import IngestService
from ged.settings import load_settings
from web.app import create_app

PASSWORD = "un mot de passe solide"


@pytest.fixture
def site(context: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    monkeypatch.setenv("GED_WEB__SECURE_COOKIES", "false")  # plain HTTP on the test client
    ctx = Context.open(load_settings())
    paths = []
    hostile = replace(by_name("signalement_eclairage"), name="hostile",
                      body=("Madame, Monsieur,", "Le lampadaire <script>alert('xss')</script> est éteint rue des "
                            "Lilas <img src=x onerror=alert(1)>.", "Salutations."))
    for letter in (by_name("declaration_prealable"), hostile):
        paths.append(tmp_path / f"{letter.name}.pdf")
        born_digital_pdf(letter, paths[-1])
    urbanisme, voirie = (r.document_id for r in IngestService(ctx).ingest(paths))
    accounts.add_user(ctx, "urba", "Agent urbanisme", "agent", ["urbanisme"], PASSWORD, actor="test")
    accounts.add_user(ctx, "voirie", "Agent voirie", "agent", ["services_techniques"], PASSWORD, actor="test")
    accounts.add_user(ctx, "admin", "Administratrice", "admin", [], PASSWORD, actor="test")
    yield {"ctx": ctx, "app": create_app(ctx), "urbanisme": urbanisme, "voirie": voirie}
    ctx.close()


def _client(site: dict[str, object], login: str) -> TestClient:
    client = TestClient(site["app"])  # type: ignore[arg-type]
    response = client.post("/connexion", data={"login": login, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303 and "ged_session" in response.cookies
    return client


def test_pages_need_a_session_and_bad_passwords_are_rate_limited(site: dict[str, object]) -> None:
    anonymous = TestClient(site["app"])  # type: ignore[arg-type]
    assert anonymous.get("/recherche", follow_redirects=False).headers["location"].startswith("/connexion")
    assert anonymous.get("/api/recherche").status_code == 401
    for _ in range(5):
        wrong = anonymous.post("/connexion", data={"login": "urba", "password": "faux"})
        assert wrong.status_code == 401 and "incorrect" in wrong.text
    limited = anonymous.post("/connexion", data={"login": "urba", "password": PASSWORD})
    assert limited.status_code == 429 and "réessayez" in limited.text
    assert _client(site, "voirie").cookies.get("ged_session")  # colleagues behind the same address still sign in
    ctx: Context = site["ctx"]  # type: ignore[assignment]
    with ctx.db.session() as session:
        assert session.scalar(select(Event).where(Event.kind == "user.login_failed")) is not None


def test_an_agent_sees_only_their_service_by_search_url_api_and_download(site: dict[str, object]) -> None:
    urba, voirie_doc = _client(site, "urba"), site["voirie"]
    page = urba.get("/recherche", params={"q": "lampadaire"})
    assert page.status_code == 200 and "0 document(s)" in page.text
    assert urba.get("/api/recherche", params={"q": "lampadaire"}).json()["total"] == 0
    assert urba.get(f"/documents/{voirie_doc}").status_code == 404
    assert urba.get(f"/api/documents/{voirie_doc}").status_code == 404
    assert urba.get(f"/documents/{voirie_doc}/pdf").status_code == 404
    assert urba.get(f"/documents/{voirie_doc}/pdf?original=1").status_code == 404
    assert [r["number"] for r in urba.get("/api/demandes").json()["requests"]] == ["2026-URB-000001"]
    own = urba.get(f"/documents/{site['urbanisme']}")
    assert own.status_code == 200 and "DP 044 162 25 00031" in own.text
    pdf = urba.get(f"/documents/{site['urbanisme']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    thumbnail = urba.get(f"/documents/{site['urbanisme']}/pages/1.png")
    assert thumbnail.status_code == 200 and thumbnail.content.startswith(b"\x89PNG")
    assert urba.get(f"/documents/{voirie_doc}/pages/1.png").status_code == 404
    assert urba.get(f"/documents/{site['urbanisme']}/pages/9.png").status_code == 404
    admin = _client(site, "admin")
    assert admin.get("/api/recherche", params={"q": "lampadaire"}).json()["total"] == 1
    ctx: Context = site["ctx"]  # type: ignore[assignment]
    with ctx.db.session() as session:
        kinds = {(e.kind, e.actor) for e in session.scalars(select(Event).where(
            Event.document_id == site["urbanisme"]))}
    assert ("document.viewed", "web:urba") in kinds and ("document.downloaded", "web:urba") in kinds


def test_ocr_text_is_displayed_inert(site: dict[str, object]) -> None:
    voirie = _client(site, "voirie")
    results = voirie.get("/recherche", params={"q": "lampadaire"}).text
    document = voirie.get(f"/documents/{site['voirie']}").text
    for html in (results, document):
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in document
    assert "default-src 'self'" in voirie.get("/recherche").headers["content-security-policy"]


def test_correcting_a_field_needs_the_csrf_token_and_shows_in_history(site: dict[str, object]) -> None:
    urba = _client(site, "urba")
    document_id = site["urbanisme"]
    refused = urba.post(f"/documents/{document_id}/valider", data={"csrf": "faux", "type": "urbanisme",
                                                                     "champ_surface_plancher": "25"})
    assert refused.status_code == 403
    csrf = urba.get("/api/session").json()["csrf"]
    saved = urba.post(f"/documents/{document_id}/valider", data={"csrf": csrf, "type": "urbanisme",
                                                                   "champ_surface_plancher": "25"},
                      follow_redirects=False)
    assert saved.status_code == 303
    page = urba.get(saved.headers["location"]).text
    assert "Document validé" in page and "validé <small>web:urba</small>" in page and 'value="25"' in page
    assert "Surface de plancher (m²)" in page and ">surface_plancher<" not in page  # labels, not codes
    assert "document.validated" not in page
    title = re.search(r"<h1>(.*?)</h1>", page, re.S)
    # its type and its requester, not its file name
    assert title and title.group(1).startswith("Autorisation d&#39;urbanisme — M. et Mme Rousseau"), title
    invalid = urba.post(f"/documents/{document_id}/valider", data={"csrf": csrf, "type": "urbanisme",
                                                                     "champ_reference_cadastrale": "n'importe"})
    assert invalid.status_code == 400 and "valeur invalide" in invalid.text
    api = urba.post(f"/api/documents/{document_id}/validation", json={"values": {"surface_plancher": "30"}})
    assert api.status_code == 403
    api = urba.post(f"/api/documents/{document_id}/validation", json={"values": {"surface_plancher": "30"}},
                    headers={"X-CSRF-Token": csrf})
    assert api.status_code == 200 and api.json()["changes"] == {"surface_plancher": [25, 30]}


def test_review_requests_dashboard_and_openapi(site: dict[str, object]) -> None:
    admin = _client(site, "admin")
    assert admin.get("/a-verifier").status_code == 200
    requests_page = admin.get("/demandes")
    assert requests_page.status_code == 200 and "2026-URB-000001" in requests_page.text
    dashboard = admin.get("/tableau-de-bord")
    assert dashboard.status_code == 200 and "Documents reçus" in dashboard.text and "Urbanisme" in dashboard.text
    schema = admin.get("/api/openapi.json").json()
    assert {"/api/recherche", "/api/documents/{document_id}", "/api/demandes", "/api/a-verifier",
            "/api/tableau-de-bord", "/api/documents/{document_id}/validation"} <= set(schema["paths"])
    [urbanisme] = [row for row in admin.get("/api/tableau-de-bord").json() if row["service"] == "urbanisme"]
    assert urbanisme["open"] == 1 and urbanisme["months"][0]["received"] == 1
    signed_out = admin.post("/deconnexion", data={"csrf": admin.get("/api/session").json()["csrf"]},
                            follow_redirects=False)
    assert signed_out.status_code == 303 and admin.get("/api/session").status_code == 401


def test_a_damaged_file_is_refused_with_410_and_journaled(site: dict[str, object]) -> None:
    ctx: Context = site["ctx"]  # type: ignore[assignment]
    with ctx.db.session() as session:
        copy = session.get_one(Document, site["urbanisme"]).file(FileRole.PDFA)
        assert copy is not None
        ctx.blobs.path_for(copy.sha256).unlink()
    urba = _client(site, "urba")
    pdf = urba.get(f"/documents/{site['urbanisme']}/pdf")
    assert pdf.status_code == 410 and "absent du stockage" in pdf.text and not pdf.content.startswith(b"%PDF")
    assert urba.get(f"/documents/{site['urbanisme']}/pages/1.png").status_code == 410
    with ctx.db.session() as session:
        incidents = [(e.payload["during"], e.actor) for e in session.scalars(
            select(Event).where(Event.kind == "blob.incident"))]
    assert incidents == [("téléchargement", "web:urba"), ("vignette", "web:urba")]


def test_wrong_passwords_from_one_address_do_not_lock_the_agent_out_elsewhere(
        site: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind the mairie's trusted proxy: 30 wrong passwords from one address stop that address, not
    the agent signing in from another; a client's own X-Forwarded-For is not believed."""
    monkeypatch.setenv("GED_WEB__TRUSTED_PROXIES", '["testclient", "10.0.0.0/8"]')  # the test client's peer, a LAN
    ctx = Context.open(load_settings())
    try:
        behind_proxy = TestClient(create_app(ctx))

        def attempt(password: str, address: str) -> int:
            return behind_proxy.post("/connexion", data={"login": "urba", "password": password},
                                     headers={"X-Forwarded-For": f"{address}, 10.0.0.1"},
                                     follow_redirects=False).status_code

        codes = [attempt("faux", "203.0.113.5") for _ in range(30)]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        assert attempt(PASSWORD, "203.0.113.5") == 429  # the attacker's address stays stopped
        assert attempt(PASSWORD, "198.51.100.7") == 303  # the agent, from elsewhere, is not
    finally:
        ctx.close()
    direct = TestClient(site["app"])  # type: ignore[arg-type]  # no trusted proxy: the header is ignored
    for _ in range(5):
        direct.post("/connexion", data={"login": "voirie", "password": "faux"},
                    headers={"X-Forwarded-For": "192.0.2.99"})
    assert direct.post("/connexion", data={"login": "voirie", "password": PASSWORD},
                       headers={"X-Forwarded-For": "192.0.2.100"}).status_code == 429


def test_unknown_and_known_logins_cost_the_same(site: dict[str, object]) -> None:
    """An unknown login is checked against a decoy hash: one argon2 verification either way, so the
    time of a refusal does not tell whether the account exists (it was 35 ms against 640 ms)."""
    import statistics
    import time

    ctx: Context = site["ctx"]  # type: ignore[assignment]

    def refusal_seconds(login: str, attempt: int) -> float:
        started = time.perf_counter()
        with pytest.raises(accounts.InvalidValue):
            accounts.sign_in(ctx, login, "faux", address=f"192.0.2.{attempt}")
        return time.perf_counter() - started

    known, unknown = [], []
    for attempt in range(7):  # interleaved, so that a slow moment of the machine hurts both alike
        known.append(refusal_seconds("urba", attempt))
        unknown.append(refusal_seconds("personne", attempt))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.8 <= ratio <= 1.25, (known, unknown)


def test_bad_addresses_answer_422_and_documents_are_never_cached_nor_show_server_paths(
        site: dict[str, object]) -> None:
    urba = _client(site, "urba")
    huge = "99999999999999999999999"
    for url in (f"/documents/{huge}", f"/api/documents/{huge}", f"/documents/{huge}/pdf",
                f"/documents/{huge}/pages/1.png", "/documents/0", "/api/documents/abc"):
        assert urba.get(url).status_code == 422, url
    assert "paramètre invalide" in urba.get(f"/documents/{huge}").text
    own = site["urbanisme"]
    for url in (f"/documents/{own}", f"/documents/{own}/pdf", f"/documents/{own}/pages/1.png",
                f"/api/documents/{own}", "/recherche"):
        assert urba.get(url).headers["cache-control"] == "no-store", url
    api = urba.get(f"/api/documents/{own}")
    assert "source_path" not in api.json() and "/tmp" not in api.text and "pytest" not in api.text


def test_upload_through_the_api_takes_the_ingest_path_with_statuses(site: dict[str, object], tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    urba = _client(site, "urba")
    csrf = urba.get("/api/session").json()["csrf"]
    letter = tmp_path / "dp.pdf"
    born_digital_pdf(replace(by_name("declaration_prealable"), name="dp2", date="Saint-Herblain, le 4 mars 2026"),
                     letter)  # not the site's own letter: other bytes

    def send(name: str, data: bytes, csrf_token: str | None = csrf, **form: str) -> Any:
        return urba.post("/api/televersement", files={"fichier": (name, data)}, data=form,
                         headers={"X-CSRF-Token": csrf_token} if csrf_token else {})

    assert send("dp.pdf", letter.read_bytes(), csrf_token=None).status_code == 403
    assert send("dp.pdf", letter.read_bytes(), service="services_techniques").status_code == 400  # not theirs
    stored = send("../../etc/dp.pdf", letter.read_bytes())
    assert stored.status_code == 201, stored.text
    [result] = stored.json()["results"]
    assert result["outcome"] in ("ingested", "needs_review") and result["source"] == "../../etc/dp.pdf"
    assert result["doc_type"] == "urbanisme" and "/tmp" not in stored.text
    ctx: Context = site["ctx"]  # type: ignore[assignment]
    with ctx.db.session() as session:
        document = session.get_one(Document, result["document_id"])
        assert (document.filename, document.service) == ("dp.pdf", "urbanisme")
        assert document.attributes["channel"] == "televersement:web:urba"
        received = session.scalars(select(Event).where(Event.document_id == document.id,
                                                       Event.kind == "document.received")).one()
        assert received.actor == "web:urba"
    assert urba.get(f"/documents/{result['document_id']}").status_code == 200
    again = send("copie.pdf", letter.read_bytes())
    assert again.status_code == 409 and again.json()["results"][0]["duplicate_of"] == result["document_id"]
    refused = send("image.gif", b"GIF89a" + b"\0" * 100)
    assert refused.status_code == 422
    assert "format non pris en charge : GIF" in refused.json()["results"][0]["label"]
    together = urba.post("/api/televersement", headers={"X-CSRF-Token": csrf}, files=[
        ("fichier", ("a.txt", "Permis de construire : pièces complémentaires, dossier PC 044 1".encode())),
        ("fichier", ("b.txt", "Déclaration préalable : photo de la façade, dossier DP 044 2".encode()))])
    assert together.status_code == 201 and together.json()["files"] == ["a.txt", "b.txt"]
    assert [r["source"] for r in together.json()["results"]] == ["a.txt", "b.txt"]
    monkeypatch.setattr(ctx.settings.limits, "max_file_bytes", 1000)
    too_large = send("gros.pdf", b"%PDF-1.7\n" + b"0" * 2000)
    assert too_large.status_code == 413
    assert "refusé : fichier trop volumineux" in too_large.json()["results"][0]["label"]


def test_upload_form_works_without_javascript(site: dict[str, object], tmp_path: Path) -> None:
    voirie = _client(site, "voirie")
    page = voirie.get("/televersement")
    assert page.status_code == 200 and 'type="file"' in page.text and "Services techniques" in page.text
    csrf = voirie.get("/api/session").json()["csrf"]
    note = "Un nid de poule rue Pasteur devant l'école <script>alert(1)</script>.".encode()
    response = voirie.post("/televersement", data={"csrf": csrf},
                           files=[("fichiers", ("nid.txt", note)), ("fichiers", ("vide.pdf", b"")),
                                  ("fichiers", ("<img src=x onerror=alert(1)>.txt", b"Banc du square."))])
    assert response.status_code == 200
    assert "nid.txt — intégré" in response.text and "vide.pdf — refusé" in response.text
    assert "<script>alert(1)" not in response.text and "<img src=x" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;.txt — intégré" in response.text
    anonymous = TestClient(site["app"])  # type: ignore[arg-type]
    assert anonymous.get("/televersement", follow_redirects=False).status_code == 303
    assert anonymous.post("/api/televersement", files={"fichier": ("a.txt", b"x")}).status_code == 401
    assert voirie.post("/televersement", data={"csrf": "faux"},
                       files=[("fichiers", ("a.txt", b"Bonjour"))]).status_code == 403


def test_search_filters_by_state_and_dates_as_the_form_sends_them(site: dict[str, object]) -> None:
    admin = _client(site, "admin")
    every = admin.get("/recherche", params={"q": "", "du": "", "au": ""})  # empty date fields, as a browser sends
    assert every.status_code == 200 and "2 document(s)" in every.text and "<h2>État</h2>" in every.text
    assert admin.get("/recherche", params={"du": "2099-01-01"}).text.count("0 document(s)") == 1
    today = admin.get("/api/recherche", params={"du": "2020-01-01", "au": "2099-12-31"}).json()
    assert today["total"] == 2
    [state] = today["facets"]["state"]
    only = admin.get("/api/recherche", params={"etat": state}).json()
    assert only["total"] == today["facets"]["state"][state]
    assert admin.get("/api/recherche", params={"etat": "inexistant"}).json()["total"] == 0
    old_link = admin.get("/recherche", params={"etat": "processed"}).text  # a bookmark from before 0013
    assert state == "traite" and 'class="selected" aria-current="true"' in old_link and "2 document(s)" in old_link
    assert admin.get("/recherche", params={"du": "2026-13-45"}).status_code == 422
    assert admin.get("/api/recherche", params={"au": "hier"}).status_code == 422
    assert admin.get("/demandes", params={"echeance_du": "", "echeance_au": ""}).status_code == 200
