"""Personal API tokens: made in the account page or the API, shown once, hashed at rest, acting with
the account's rights at each call, read-only refused writes, revoked, expired, witnessed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from examples.letters import by_name
from examples.render import born_digital_pdf
from ged import witness
from ged.context import Context
from ged.db.people import ApiToken
from ged.services import accounts
from ged.services.ingest import IngestService
from ged.settings import load_settings
from web.app import create_app

from .helpers import Clock

PASSWORD = "un mot de passe solide"


@pytest.fixture
def site(context: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    monkeypatch.setenv("GED_WEB__SECURE_COOKIES", "false")
    clock = Clock(datetime(2026, 3, 2, 9, 0))
    ctx = Context.open(load_settings(), clock=clock)
    paths = []
    for letter in (by_name("declaration_prealable"), by_name("signalement_eclairage")):
        paths.append(tmp_path / f"{letter.name}.pdf")
        born_digital_pdf(letter, paths[-1])
    IngestService(ctx).ingest(paths)
    for login, role, services in (("urba", "agent", ["urbanisme"]), ("voirie", "agent", ["services_techniques"]),
                                  ("admin", "admin", [])):
        accounts.add_user(ctx, login, login.capitalize(), role, services, PASSWORD, actor="test")
    yield {"ctx": ctx, "app": create_app(ctx), "clock": clock}
    ctx.close()


def _client(site: dict[str, object], login: str) -> tuple[TestClient, str]:
    client = TestClient(site["app"])  # type: ignore[arg-type]
    assert client.post("/connexion", data={"login": login, "password": PASSWORD},
                       follow_redirects=False).status_code == 303
    return client, client.get("/api/session").json()["csrf"]


def _script(site: dict[str, object], secret: str) -> TestClient:
    """A script: no cookie, the token in the Authorization header."""
    return TestClient(site["app"], headers={"Authorization": f"Bearer {secret}"})  # type: ignore[arg-type]


def test_a_token_made_in_the_page_acts_as_its_account_in_the_api(site: dict[str, object]) -> None:
    urba, csrf = _client(site, "urba")
    assert urba.post("/compte/jetons", data={"csrf": "faux", "nom": "x"}).status_code == 403
    assert urba.post("/compte/jetons/1/revocation", data={"csrf": "faux"}).status_code == 403
    made = urba.post("/compte/jetons", data={"csrf": csrf, "nom": "script <b>des</b> relances", "duree": "30"})
    assert made.status_code == 201 and "il ne sera plus jamais affiché" in made.text
    assert "<b>des</b>" not in made.text and "script &lt;b&gt;des&lt;/b&gt; relances" in made.text
    secret = made.text.split('id="secret" readonly value="')[1].split('"')[0]
    assert secret.startswith("ged_") and len(secret) == 47
    assert secret not in urba.get("/compte").text  # shown once
    ctx: Context = site["ctx"]  # type: ignore[assignment]
    with ctx.db.session() as session:
        stored = session.scalars(select(ApiToken)).one()
        assert secret not in repr(stored.__dict__) and stored.prefix == secret[:12]
    script = _script(site, secret)
    assert [r["number"] for r in script.get("/api/demandes").json()["requests"]] == ["2026-URB-000001"]
    assert script.get("/api/demandes/2026-VOI-000001").status_code == 404  # the account's services only
    noted = script.post("/api/demandes/2026-URB-000001/notes", json={"note": "relance envoyée"})
    assert noted.status_code == 201  # no CSRF token: there is no cookie to forge
    history = script.get("/api/demandes/2026-URB-000001").json()["history"]
    assert (history[-1]["kind"], history[-1]["actor"]) == ("request.note", "web:urba")
    assert script.post("/api/jetons", json={"name": "autre"}).status_code == 403  # a token makes no token
    assert script.get("/recherche", follow_redirects=False).status_code == 303  # pages want a session
    with ctx.db.session() as session:
        assert witness.check(session) == []


def test_read_only_revoked_expired_and_disabled_tokens(site: dict[str, object]) -> None:
    urba, csrf = _client(site, "urba")
    headers = {"X-CSRF-Token": csrf}
    reader = urba.post("/api/jetons", json={"name": "tableau", "read_only": True, "days": 1}, headers=headers)
    writer = urba.post("/api/jetons", json={"name": "robot", "days": None}, headers=headers)
    assert reader.status_code == writer.status_code == 201 and writer.json()["expires_at"] is None
    assert urba.post("/api/jetons", json={"name": "x"}).status_code == 403  # CSRF for a browser
    assert urba.post("/api/jetons", json={"name": "x", "days": 5000}, headers=headers).status_code == 422
    read_only = _script(site, reader.json()["secret"])
    assert read_only.get("/api/demandes").status_code == 200
    refused = read_only.post("/api/demandes/2026-URB-000001/notes", json={"note": "x"})
    assert refused.status_code == 403 and "lecture seule" in refused.json()["detail"]
    clock: Clock = site["clock"]  # type: ignore[assignment]
    clock.now += timedelta(days=1, seconds=1)
    expired = read_only.get("/api/demandes")
    assert expired.status_code == 401 and expired.headers["www-authenticate"] == "Bearer"
    robot = _script(site, writer.json()["secret"])
    assert robot.get("/api/demandes").status_code == 200
    urba, csrf = _client(site, "urba")  # a day later: signed in again
    headers = {"X-CSRF-Token": csrf}
    voirie, voirie_csrf = _client(site, "voirie")
    assert voirie.delete(f"/api/jetons/{writer.json()['id']}", headers={"X-CSRF-Token": voirie_csrf}).status_code == 404
    assert [t["name"] for t in urba.get("/api/jetons").json()] == ["tableau", "robot"]
    assert urba.post(f"/compte/jetons/{writer.json()['id']}/revocation", data={"csrf": csrf},
                     follow_redirects=False).status_code == 303
    assert robot.get("/api/demandes").status_code == 401
    assert _script(site, "ged_" + "x" * 43).get("/api/demandes").status_code == 401
    assert _script(site, "n'importe quoi").get("/api/session").status_code == 401
    # A disabled account's tokens stop at once.
    another = urba.post("/api/jetons", json={"name": "encore"}, headers=headers).json()["secret"]
    accounts.disable(site["ctx"], "urba", actor="test")  # type: ignore[arg-type]
    assert _script(site, another).get("/api/demandes").status_code == 401


def test_an_administrator_revokes_anyone_s_token_and_it_is_journaled(site: dict[str, object]) -> None:
    voirie, csrf = _client(site, "voirie")
    token = voirie.post("/api/jetons", json={"name": "robot"}, headers={"X-CSRF-Token": csrf}).json()
    admin, admin_csrf = _client(site, "admin")
    revoked = admin.delete(f"/api/jetons/{token['id']}", headers={"X-CSRF-Token": admin_csrf})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert admin.delete("/api/jetons/99999", headers={"X-CSRF-Token": admin_csrf}).status_code == 404
    ctx: Context = site["ctx"]  # type: ignore[assignment]
    with ctx.db.session() as session:
        from ged.db.models import Event

        kinds = [(e.kind, e.actor) for e in session.scalars(select(Event).where(Event.kind.like("token.%")))]
        assert kinds == [("token.created", "web:voirie"), ("token.revoked", "web:admin")]
        assert witness.check(session) == []


def test_tokens_from_the_command_line(site: dict[str, object], run_cli) -> None:  # noqa: ANN001
    made = run_cli("users", "token", "create", "voirie", "--name", "robot de relance", "--read-only", "--days", "0")
    assert made.exit_code == 0, made.stderr
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("ged_") and _script(site, secret).get("/api/demandes").status_code == 200
    listed = run_cli("users", "token", "list", "voirie")
    assert "robot de relance" in listed.stdout and "lecture seule" in listed.stdout and secret not in listed.stdout
    token_id = listed.stdout.split()[0]
    assert run_cli("users", "token", "revoke", token_id).exit_code == 0
    assert _script(site, secret).get("/api/demandes").status_code == 401
    assert run_cli("users", "token", "create", "personne", "--name", "x").exit_code == 5
