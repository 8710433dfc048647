"""Sign-in through an OpenID Connect provider: a real provider on loopback (oidc-provider-mock, built
on Authlib) and the GED's web app, over HTTP and in Chromium. PKCE, state and nonce; role and services
from the groups claim, applied at every sign-in; unknown and disabled accounts refused; the answer
used once; sign-out at the provider too; ID tokens tampered, expired, for another client or another
nonce refused (checked against keys of our own, as a provider that misbehaves would sign them)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select

from ged.context import Context
from ged.db.models import Event
from ged.errors import InvalidValue
from ged.services import accounts, oidc
from ged.services.setup import init_home
from ged.settings import CONFIG_FILE_NAME, load_settings
from web.app import create_app

from .helpers import free_port
from .webserver import served

PASSWORD = "un mot de passe solide"


@pytest.fixture
def provider() -> Iterator[str]:
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock absent (pip)")
    with oidc_provider_mock.run_server_in_thread(port=free_port(), require_nonce=True) as server:
        yield f"http://127.0.0.1:{server.server_port}"


def _configure(home: Path, issuer: str, *, create_users: bool = True, groups: bool = True) -> None:
    with (home / CONFIG_FILE_NAME).open("a", encoding="utf-8") as config:
        config.write(f'''
[auth.oidc]
issuer = "{issuer}"
client_id = "ged-mairie"
label = "Se connecter avec Keycloak"
create_users = {str(create_users).lower()}
groups_claim = "{"groups" if groups else ""}"

[auth.oidc.roles]
"ged/archives" = "archiviste"

[auth.oidc.services]
"ged/urbanisme" = ["urbanisme"]
"ged/voirie" = ["services_techniques"]
"ged/archives" = ["urbanisme"]
''')


@pytest.fixture
def site(ged_home: Path, provider: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    monkeypatch.setenv("GED_WEB__SECURE_COOKIES", "false")
    monkeypatch.setenv("GED_OIDC_CLIENT_SECRET", "secret-de-test")
    init_home(ged_home)
    _configure(ged_home, provider)
    oidc._discovered.clear()  # noqa: SLF001 - each test's provider has its own keys
    ctx = Context.open(load_settings())
    yield {"ctx": ctx, "app": create_app(ctx), "provider": provider}
    ctx.close()


def _claims(provider: str, sub: str, **claims: object) -> None:
    assert httpx.put(f"{provider}/users/{sub}", json=claims).status_code == 204


def _through_provider(client: TestClient, sub: str, suite: str = "/demandes") -> tuple[httpx.Response, str]:
    """What a browser does: off to the provider, the person signs in there, back with a code."""
    start = client.get("/connexion/oidc", params={"suite": suite}, follow_redirects=False)
    assert start.status_code == 303, start.text
    authorize = start.headers["location"]
    asked = parse_qs(urlsplit(authorize).query)
    assert asked["code_challenge_method"] == ["S256"] and len(asked["code_challenge"][0]) == 43
    assert asked["nonce"][0] and asked["state"][0] and asked["client_id"] == ["ged-mairie"]
    assert asked["redirect_uri"] == ["http://testserver/connexion/oidc/retour"]
    approved = httpx.post(authorize, data={"sub": sub}, follow_redirects=False)
    back = approved.headers["location"]
    return client.get(back, follow_redirects=False), back


def test_groups_give_role_and_services_at_every_sign_in(site: dict[str, object]) -> None:
    provider = str(site["provider"])
    _claims(provider, "alice", email="Alice.Martin@Mairie.fr", name="Alice Martin", groups=["/ged/urbanisme"])
    client = TestClient(site["app"])  # type: ignore[arg-type]
    answer, back = _through_provider(client, "alice")
    assert answer.status_code == 200 and 'content="0;url=/demandes"' in answer.text and "ged_session" in answer.cookies
    session = client.get("/api/session").json()
    assert (session["login"], session["role"], session["services"]) == ("alice.martin@mairie.fr", "agent",
                                                                         ["urbanisme"])
    replay = TestClient(site["app"]).get(back, follow_redirects=False)  # type: ignore[arg-type]
    assert replay.status_code == 401 and "déjà utilisée" in replay.text
    # Moved from urban planning to the archives at the provider: the next sign-in says so.
    _claims(provider, "alice", email="alice.martin@mairie.fr", name="Alice Martin", groups=["ged/archives"])
    again = TestClient(site["app"])  # type: ignore[arg-type]
    assert _through_provider(again, "alice")[0].status_code == 200
    assert (again.get("/api/session").json()["role"], again.get("/api/session").json()["services"]) == (
        "archiviste", ["urbanisme"])
    _claims(provider, "alice", email="alice.martin@mairie.fr", name="Alice Martin", groups=[])
    third = TestClient(site["app"])  # type: ignore[arg-type]
    _through_provider(third, "alice")
    assert third.get("/api/session").json()["services"] == []  # removed from every group: no service left
    ctx: Context = site["ctx"]  # type: ignore[assignment]
    with ctx.db.session() as db:
        events = [(e.kind, e.payload.get("provider") or e.payload.get("source"))
                  for e in db.scalars(select(Event).where(Event.kind.in_(("user.created", "user.updated",
                                                                           "user.login"))).order_by(Event.id))]
    assert events == [("user.created", "oidc"), ("user.login", provider), ("user.updated", "oidc"),
                      ("user.login", provider), ("user.updated", "oidc"), ("user.login", provider)]


def test_unknown_and_disabled_accounts_are_refused(ged_home: Path, provider: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_WEB__SECURE_COOKIES", "false")
    monkeypatch.setenv("GED_OIDC_CLIENT_SECRET", "secret-de-test")
    init_home(ged_home)
    _configure(ged_home, provider, create_users=False)
    oidc._discovered.clear()  # noqa: SLF001
    ctx = Context.open(load_settings())
    app = create_app(ctx)
    _claims(provider, "bob", email="bob@mairie.fr", groups=["ged/voirie"])
    refused, _ = _through_provider(TestClient(app), "bob")
    assert refused.status_code == 403 and "aucun compte « bob@mairie.fr »" in refused.text
    accounts.add_user(ctx, "bob@mairie.fr", "Bob", "agent", [], PASSWORD, actor="test")
    client = TestClient(app)
    assert _through_provider(client, "bob")[0].status_code == 200
    assert client.get("/api/session").json()["services"] == ["services_techniques"]
    accounts.disable(ctx, "bob@mairie.fr", actor="test")
    assert _through_provider(TestClient(app), "bob")[0].status_code == 403
    ctx.close()


def test_without_a_groups_claim_role_and_services_stay_local(ged_home: Path, provider: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """As with ProConnect, which gives no groups: the account made here keeps what was given here."""
    monkeypatch.setenv("GED_WEB__SECURE_COOKIES", "false")
    init_home(ged_home)
    _configure(ged_home, provider, create_users=False, groups=False)
    oidc._discovered.clear()  # noqa: SLF001
    ctx = Context.open(load_settings())
    accounts.add_user(ctx, "eve@mairie.fr", "Eve", "archiviste", ["etat_civil"], PASSWORD, actor="test")
    _claims(provider, "eve", email="Eve@Mairie.fr", given_name="Ève", usual_name="Durand", groups=["ged/voirie"])
    client = TestClient(create_app(ctx))
    assert _through_provider(client, "eve")[0].status_code == 200
    session = client.get("/api/session").json()
    assert (session["login"], session["role"], session["services"]) == ("eve@mairie.fr", "archiviste",
                                                                         ["etat_civil"])
    ctx.close()


def test_sign_out_ends_the_provider_session_too(site: dict[str, object]) -> None:
    provider = str(site["provider"])
    _claims(provider, "carole", email="carole@mairie.fr", groups=["ged/voirie"])
    client = TestClient(site["app"])  # type: ignore[arg-type]
    _through_provider(client, "carole")
    csrf = client.get("/api/session").json()["csrf"]
    out = client.post("/deconnexion", data={"csrf": csrf}, follow_redirects=False)
    target = urlsplit(out.headers["location"])
    assert out.status_code == 303 and f"{target.scheme}://{target.netloc}" == provider
    hints = parse_qs(target.query)
    assert hints["post_logout_redirect_uri"] == ["http://testserver/connexion"] and hints["id_token_hint"][0]
    assert client.get("/api/session").status_code == 401


def test_provider_errors_and_a_provider_away(site: dict[str, object]) -> None:
    client = TestClient(site["app"])  # type: ignore[arg-type]
    denied = client.get("/connexion/oidc/retour", params={"error": "access_denied"})
    assert denied.status_code == 401 and "access_denied" in denied.text
    assert client.get("/connexion/oidc/retour", params={"code": "x", "state": "inconnu"}).status_code == 401
    page = client.get("/connexion")
    assert "Se connecter avec Keycloak" in page.text and 'name="password"' in page.text  # break-glass kept
    assert client.get("/connexion/oidc", params={"suite": "//ailleurs.example"},
                      follow_redirects=False).status_code == 303
    ctx: Context = site["ctx"]  # type: ignore[assignment]
    settings = ctx.settings.model_copy(deep=True)
    assert settings.auth.oidc is not None
    settings.auth.oidc.issuer = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    away = Context.open(settings)
    answer = TestClient(create_app(away)).get("/connexion/oidc")
    assert answer.status_code == 503 and "injoignable" in answer.text
    away.close()


def _token(key: RSAKey, **changes: object) -> str:
    now = int(time.time())
    claims = {"iss": "https://idp.example", "aud": "ged-mairie", "sub": "alice", "nonce": "n-1", "iat": now,
              "exp": now + 300, **changes}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def test_id_tokens_are_checked_signature_expiry_audience_nonce() -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    keys = KeySet([key])
    expected = {"issuer": "https://idp.example", "client_id": "ged-mairie", "nonce": "n-1"}
    assert oidc.check_id_token(_token(key), keys, **expected)["sub"] == "alice"
    header, payload, signature = _token(key).split(".")
    forged_payload = _token(key, sub="mallory").split(".")[1]
    for bad, _why in ((f"{header}.{forged_payload}.{signature}", "tampered"),
                     (_token(key, exp=int(time.time()) - 120), "expired"),
                     (_token(key, aud="another-app"), "audience"),
                     (_token(key, nonce="n-2"), "nonce"),
                     (_token(key, iss="https://evil.example"), "issuer"),
                     (_token(RSAKey.generate_key(2048, parameters={"kid": "k1"})), "other key"),
                     (f"{header}.{payload}.", "no signature")):
        with pytest.raises(InvalidValue, match="jeton d'identité refusé"):
            oidc.check_id_token(bad, keys, **expected)


def test_an_agent_signs_in_through_the_provider_in_chromium(site: dict[str, object], browser) -> None:  # noqa: ANN001
    """The button, the provider's own form, and back signed in on the page asked for."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    provider = str(site["provider"])
    _claims(provider, "dora", email="dora@mairie.fr", name="Dora Petit", groups=["ged/voirie"])
    ctx: Context = site["ctx"]  # type: ignore[assignment]
    with served(ctx) as url:
        browser.get(f"{url}/demandes")
        assert "/connexion" in browser.current_url
        browser.find_element(By.LINK_TEXT, "Se connecter avec Keycloak").click()
        WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(provider))
        browser.find_element(By.NAME, "sub").send_keys("dora")
        browser.find_element(By.XPATH, "//button[text()='Authorize']").click()
        WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(f"{url}/demandes"))
        assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Demandes")
        assert "Dora Petit (agent)" in browser.find_element(By.TAG_NAME, "header").text
