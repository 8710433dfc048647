"""Sign-in through an OpenID Connect provider (ProConnect, Keycloak, LemonLDAP::NG): authorization
code with PKCE, the provider's discovery document and keys, ``state`` and ``nonce``, the ID token
checked (signature against the provider's JWKS, issuer, audience, expiry, nonce), its claims mapped
to the local account's login, name, role and services.

Authlib builds the authorization request and exchanges the code; joserfc checks the tokens. The
sign-in in progress is kept in the database (``OidcLogin``, used once, ten minutes at most), so any
process of the web server can take the provider's answer. The provider is the authority on who the
person is; with a groups claim configured it is also the authority on their role and services,
applied at every sign-in (someone removed from a group loses the service at their next sign-in).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import journal
from ..context import Context
from ..db.people import OidcLogin, User
from ..errors import Forbidden, InvalidValue, NotConfigured, Transient
from ..settings import OidcSettings
from .accounts import ROLES, Principal, open_session

PENDING = timedelta(minutes=10)
"""How long a person may take at the provider's sign-in page."""
LEEWAY_SECONDS = 60
"""Clock difference tolerated between the provider and us."""
_DISCOVERY_SECONDS = 3600
_discovered: dict[str, tuple[float, dict[str, Any], KeySet]] = {}


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    token: str
    csrf: str
    next_path: str


def settings_of(ctx: Context) -> OidcSettings:
    oidc = ctx.settings.auth.oidc
    if oidc is None:
        raise NotConfigured("connexion par fournisseur d'identité non configurée ([auth.oidc])")
    return oidc


def _secret(oidc: OidcSettings, ctx: Context) -> str | None:
    if oidc.client_secret_file is not None:
        return ctx.settings.resolve(oidc.client_secret_file).read_text(encoding="utf-8").strip()
    return os.environ.get(oidc.client_secret_env)


def _verify(ctx: Context, oidc: OidcSettings) -> ssl.SSLContext | bool:
    """The provider's certificate checked against the system's CAs, or the configured one (an internal Keycloak)."""
    if oidc.ca_file is None:
        return True
    return ssl.create_default_context(cafile=str(ctx.settings.resolve(oidc.ca_file)))


def _http(ctx: Context, oidc: OidcSettings) -> httpx.Client:
    return httpx.Client(timeout=oidc.timeout_seconds, verify=_verify(ctx, oidc), follow_redirects=False)


def provider(ctx: Context) -> tuple[dict[str, Any], KeySet]:
    """The discovery document and the signing keys, fetched once an hour per process."""
    oidc = settings_of(ctx)
    found = _discovered.get(oidc.issuer)
    if found is not None and time.monotonic() - found[0] < _DISCOVERY_SECONDS:
        return found[1], found[2]
    try:
        with _http(ctx, oidc) as client:
            document = client.get(oidc.issuer.rstrip("/") + "/.well-known/openid-configuration")
            document.raise_for_status()
            metadata = document.json()
            keys = client.get(metadata["jwks_uri"])
            keys.raise_for_status()
            key_set = KeySet.import_key_set(keys.json())
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise Transient(f"fournisseur d'identité injoignable ({oidc.issuer}) : {exc}") from exc
    if metadata.get("issuer", "").rstrip("/") != oidc.issuer.rstrip("/"):
        raise NotConfigured(f"le fournisseur se déclare « {metadata.get('issuer')} », pas « {oidc.issuer} »")
    _discovered[oidc.issuer] = (time.monotonic(), metadata, key_set)
    return metadata, key_set


def _client(ctx: Context, oidc: OidcSettings, redirect_uri: str, metadata: dict[str, Any]) -> OAuth2Client:
    """Authlib's client; the secret sent the way the provider says it takes it (ProConnect: in the form)."""
    offered = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = "client_secret_basic" if "client_secret_basic" in offered else "client_secret_post"
    return OAuth2Client(client_id=oidc.client_id, client_secret=_secret(oidc, ctx), scope=" ".join(oidc.scopes),
                        redirect_uri=redirect_uri, code_challenge_method="S256", timeout=oidc.timeout_seconds,
                        verify=_verify(ctx, oidc), token_endpoint_auth_method=method)


def begin(ctx: Context, redirect_uri: str, next_path: str) -> str:
    """The provider's address to send the browser to, with a fresh state, nonce and PKCE verifier."""
    oidc = settings_of(ctx)
    metadata, _keys = provider(ctx)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    extra = {"acr_values": oidc.acr_values} if oidc.acr_values else {}
    with _client(ctx, oidc, redirect_uri, metadata) as client:
        url, _ = client.create_authorization_url(metadata["authorization_endpoint"], state=state, nonce=nonce,
                                                 code_verifier=verifier, **extra)
    now = ctx.clock()
    with ctx.db.session() as session:
        session.execute(delete(OidcLogin).where(OidcLogin.created_at < now - PENDING))
        session.add(OidcLogin(state_hash=_digest(state), nonce=nonce, code_verifier=verifier,
                              redirect_uri=redirect_uri, next_path=next_path, created_at=now))
    return str(url)


def check_id_token(id_token: str, keys: KeySet, *, issuer: str, client_id: str, nonce: str,
                   now: float | None = None) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, expiry and nonce are right."""
    try:
        token = jwt.decode(id_token, keys)
        registry = jwt.JWTClaimsRegistry(now=int(now) if now is not None else None, leeway=LEEWAY_SECONDS,
                                         iss={"essential": True, "value": issuer},
                                         aud={"essential": True, "value": client_id},
                                         exp={"essential": True}, sub={"essential": True},
                                         nonce={"essential": True, "value": nonce})
        registry.validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise InvalidValue(f"jeton d'identité refusé : {exc}") from exc
    claims = dict(token.claims)
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise InvalidValue("jeton d'identité refusé : destiné à un autre client (azp)")
    return claims


def complete(ctx: Context, code: str, state: str, *, address: str) -> SignedIn:
    """Take the provider's answer: the code exchanged, the ID token checked, the account found or
    created and brought in line with the claims, a session opened."""
    oidc = settings_of(ctx)
    with ctx.db.session() as session:
        pending = session.get(OidcLogin, _digest(state))
        if pending is not None:
            session.delete(pending)  # once only, whatever follows
    if pending is None or pending.created_at < ctx.clock() - PENDING:
        raise InvalidValue("connexion expirée ou déjà utilisée : recommencez")
    metadata, keys = provider(ctx)
    try:
        with _client(ctx, oidc, pending.redirect_uri, metadata) as client:
            tokens = client.fetch_token(metadata["token_endpoint"], code=code, code_verifier=pending.code_verifier,
                                        grant_type="authorization_code")
            id_token = str(tokens.get("id_token") or "")
            claims = check_id_token(id_token, keys, issuer=metadata["issuer"], client_id=oidc.client_id,
                                    nonce=pending.nonce, now=ctx.clock().replace(tzinfo=UTC).timestamp())
            claims = {**_userinfo(client, metadata, keys, claims["sub"]), **claims}
    except httpx.HTTPError as exc:
        raise Transient(f"fournisseur d'identité injoignable : {exc}") from exc
    except AuthlibBaseError as exc:  # the provider refused the code (expired, replayed, wrong verifier)
        raise InvalidValue(f"le fournisseur d'identité a refusé la connexion : {exc}") from exc
    with ctx.db.session() as session:
        user = _account(ctx, session, oidc, claims)
        principal, token, csrf = open_session(ctx, session, user, address=address, provider=metadata["issuer"],
                                              id_token=id_token)
    return SignedIn(principal, token, csrf, pending.next_path)


def end_session_url(ctx: Context, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser so that the provider ends its own session too (None if it cannot)."""
    metadata, _keys = provider(ctx)
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    return str(httpx.URL(endpoint, params={"id_token_hint": id_token,
                                           "post_logout_redirect_uri": post_logout_redirect_uri}))


def _userinfo(client: OAuth2Client, metadata: dict[str, Any], keys: KeySet, subject: str) -> dict[str, Any]:
    """The userinfo claims; ProConnect answers with a signed JWT, others with JSON."""
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint:
        return {}
    answer = client.get(endpoint)
    answer.raise_for_status()
    if answer.headers.get("content-type", "").startswith("application/jwt"):
        try:
            claims = dict(jwt.decode(answer.text.strip(), keys).claims)
        except JoseError as exc:
            raise InvalidValue(f"informations de l'utilisateur refusées : {exc}") from exc
    else:
        claims = answer.json()
    if claims.get("sub") != subject:
        raise InvalidValue("informations de l'utilisateur refusées : autre sujet que le jeton d'identité")
    return dict(claims)


def _groups(oidc: OidcSettings, claims: dict[str, Any]) -> list[str] | None:
    if not oidc.groups_claim:
        return None
    value = claims.get(oidc.groups_claim) or []
    groups = [value] if isinstance(value, str) else list(value)
    return [str(g).strip("/") for g in groups]  # Keycloak writes full paths: /agents/urbanisme


def _account(ctx: Context, session: Session, oidc: OidcSettings, claims: dict[str, Any]) -> User:
    login = str(claims.get(oidc.login_claim) or "").strip()
    if not login:
        raise InvalidValue(f"le fournisseur n'a pas donné « {oidc.login_claim} » : connexion impossible")
    login = login.lower() if "@" in login else login
    name = " ".join(str(claims[c]) for c in oidc.name_claims if claims.get(c)) or login
    groups = _groups(oidc, claims)
    role = services = None
    if groups is not None:
        mapped = [oidc.roles[g] for g in groups if g in oidc.roles]
        role = max(mapped, key=ROLES.index) if mapped else oidc.default_role
        services = sorted({s for g in groups for s in oidc.services.get(g, [])})
        unknown = [s for s in services if s not in ctx.settings.services]
        if unknown:
            raise NotConfigured(f"[auth.oidc] services : service(s) inconnu(s) {', '.join(unknown)}")
    user = session.scalar(select(User).where(User.login == login))
    now = ctx.clock()
    actor = f"oidc:{oidc.issuer}"
    if user is None:
        if not oidc.create_users:
            raise Forbidden(f"aucun compte « {login} » dans la GED : demandez à un administrateur de le créer")
        user = User(login=login, name=name[:200], password_hash="!" + secrets.token_hex(16),
                    role=role or oidc.default_role, services=services or [], disabled=False, created_at=now)
        session.add(user)
        session.flush()
        journal.append(session, "user.created", at=now, actor=actor,
                       payload={"login": login, "role": user.role, "services": user.services, "source": "oidc"})
        return user
    if user.disabled:
        raise Forbidden(f"le compte « {login} » est désactivé")
    if role is not None and (user.role, sorted(user.services)) != (role, services):
        before = {"role": user.role, "services": sorted(user.services)}
        user.role, user.services = role, services or []
        journal.append(session, "user.updated", at=now, actor=actor, payload={
            "login": login, "before": before, "after": {"role": role, "services": services}, "source": "oidc"})
    return user


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
