"""Personal API tokens: scripts and robots acting as an account, without its password or a browser.

A token is ``ged_`` followed by 43 random characters (256 bits), shown once when made; only its
SHA-256 is stored, so a copy of the database gives no access. It carries the account's rights as
they are at each call: a service or a role taken from the account is taken from its tokens, and a
disabled account's tokens stop working. A token may be read-only (every POST refused), may expire,
and is revoked by its owner or an administrator; creating and revoking are journaled, and the rows
are witnessed like the accounts (an inserted token shows in ``ged journal verify``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import journal
from ..context import Context
from ..db.people import ApiToken, User
from ..errors import Forbidden, InvalidValue, NotFound
from .accounts import Principal, principal_of

PREFIX = "ged_"
MAX_DAYS = 3 * 365


@dataclass(frozen=True)
class TokenView:
    id: int
    login: str
    name: str
    prefix: str
    read_only: bool
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Bearer:
    """Who a token acts as, and whether it may only read."""

    principal: Principal
    read_only: bool
    token_id: int


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _view(token: ApiToken, login: str) -> TokenView:
    return TokenView(token.id, login, token.name, token.prefix, token.read_only, token.created_by,
                     token.created_at, token.expires_at, token.revoked_at)


def _may_manage(viewer: Principal | None, login: str) -> None:
    if viewer is not None and viewer.role != "admin" and viewer.login != login:
        raise Forbidden("seul un administrateur gère les jetons d'un autre compte")


def create(ctx: Context, login: str, name: str, *, actor: str, read_only: bool = False, days: int | None = 365,
           viewer: Principal | None = None) -> tuple[TokenView, str]:
    """A new token for the account; returns it with its secret, which is never shown again."""
    _may_manage(viewer, login)
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidValue("nom du jeton absent ou trop long (200 caractères au plus)")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise InvalidValue(f"durée de validité entre 1 et {MAX_DAYS} jours")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = ctx.clock()
    with ctx.db.session() as session:
        user = _user(session, login)
        token = ApiToken(user_id=user.id, name=name, token_hash=_digest(secret), prefix=secret[:12],
                         read_only=read_only, created_by=actor, created_at=now,
                         expires_at=now + timedelta(days=days) if days else None)
        session.add(token)
        session.flush()
        journal.append(session, "token.created", at=now, actor=actor, payload={
            "login": login, "token": token.id, "name": name, "read_only": read_only,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None})
        return _view(token, login), secret


def revoke(ctx: Context, token_id: int, *, actor: str, viewer: Principal | None = None) -> TokenView:
    with ctx.db.session() as session:
        token = session.get(ApiToken, token_id)
        owner = session.get(User, token.user_id) if token else None
        if token is None or owner is None or (viewer is not None and viewer.role != "admin"
                                              and viewer.login != owner.login):
            raise NotFound(f"jeton {token_id} introuvable")
        if token.revoked_at is None:
            token.revoked_at, token.revoked_by = ctx.clock(), actor
            journal.append(session, "token.revoked", at=ctx.clock(), actor=actor,
                           payload={"login": owner.login, "token": token.id, "name": token.name})
        return _view(token, owner.login)


def listed(ctx: Context, login: str, *, viewer: Principal | None = None) -> list[TokenView]:
    _may_manage(viewer, login)
    with ctx.db.session() as session:
        user = _user(session, login)
        return [_view(t, login) for t in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                                         .order_by(ApiToken.id))]


def bearer(ctx: Context, secret: str | None) -> Bearer | None:
    """Who a presented token acts as: None for an unknown, revoked or expired token, or a disabled account."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    with ctx.db.session() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
        if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= ctx.clock()):
            return None
        user = session.get(User, token.user_id)
        if user is None or user.disabled:
            return None
        return Bearer(principal_of(user), token.read_only, token.id)


def _user(session: Session, login: str) -> User:
    user = session.scalar(select(User).where(User.login == login))
    if user is None:
        raise NotFound(f"compte {login} introuvable")
    return user
