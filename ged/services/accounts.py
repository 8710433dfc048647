"""Local accounts, sign-in and web sessions: argon2 hashes, roles, per-service access, rate limiting.

Sessions and failed attempts live in the database so that they hold across the web server's
processes and restarts. The cookie carries a random token; only its SHA-256 is stored, so a
copy of the database does not let anyone sign in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .. import journal
from ..context import Context
from ..db.people import LoginAttempt, User, WebSession
from ..errors import Forbidden, InvalidValue, NotFound

ROLES = ("courrier", "agent", "archiviste", "admin")
ARCHIVISTS = frozenset({"archiviste", "admin"})
"""Who keeps the archive: due lists, elimination lists and their visa, holds."""
_HASHER = PasswordHasher()
SESSION_HOURS = 10
"""A working day: an agent signs in in the morning, the session ends in the evening."""
MAX_FAILURES = 5
"""Per account *and* address: a password is not guessed five times in a quarter of an hour from one
place, and the real user, elsewhere, is not locked out by whoever tries (anyone could otherwise lock
out any agent by typing their login wrong five times)."""
MAX_FAILURES_PER_ADDRESS = 30
"""Per address, whatever the account, higher: a town hall's agents often share one address behind its router."""
FAILURE_WINDOW = timedelta(minutes=15)
_DECOY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
"""Checked against when the login is unknown or disabled, so that every refusal costs one argon2
verification: without it an unknown login answered in 35 ms and a known one in 640 ms, which
told an attacker which logins exist."""


@dataclass(frozen=True)
class Principal:
    """Who is acting, and what they may see."""

    id: int
    login: str
    name: str
    role: str
    services: frozenset[str]

    @property
    def allowed_services(self) -> frozenset[str] | None:
        """None: every service (administrators)."""
        return None if self.role == "admin" else self.services

    def may_see(self, service: str | None) -> bool:
        return self.role == "admin" or (service is not None and service in self.services)

    @property
    def actor(self) -> str:
        return f"web:{self.login}"


def require_role(viewer: Principal | None, roles: frozenset[str], what: str) -> None:
    """Refuse (403) someone signed in whose role does not do this; ``None`` is the installation's
    operator (CLI, robots), who does everything."""
    if viewer is not None and viewer.role not in roles:
        raise Forbidden(f"votre rôle ({viewer.role}) ne permet pas : {what}")


def principal_of(user: User) -> Principal:
    return Principal(user.id, user.login, user.name, user.role, frozenset(user.services))


def _check_password(password: str) -> None:
    if len(password) < 12:
        raise InvalidValue("mot de passe trop court : 12 caractères au moins")


def add_user(ctx: Context, login: str, name: str, role: str, services: list[str], password: str, *,
             actor: str) -> None:
    if role not in ROLES:
        raise InvalidValue(f"rôle inconnu « {role} » (rôles : {', '.join(ROLES)})")
    unknown = [s for s in services if s not in ctx.settings.services]
    if unknown:
        raise InvalidValue(f"service(s) inconnu(s) : {', '.join(unknown)}")
    _check_password(password)
    with ctx.db.session() as session:
        if session.scalar(select(User).where(User.login == login)) is not None:
            raise InvalidValue(f"le compte {login} existe déjà")
        session.add(User(login=login, name=name, password_hash=_HASHER.hash(password), role=role,
                         services=sorted(set(services)), disabled=False, created_at=ctx.clock()))
        journal.append(session, "user.added", at=ctx.clock(), actor=actor,
                       payload={"login": login, "role": role, "services": sorted(set(services))})


def set_password(ctx: Context, login: str, password: str, *, actor: str) -> None:
    _check_password(password)
    with ctx.db.session() as session:
        user = _get(session, login)
        user.password_hash = _HASHER.hash(password)
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        journal.append(session, "user.password_changed", at=ctx.clock(), actor=actor, payload={"login": login})


def disable(ctx: Context, login: str, *, actor: str) -> None:
    with ctx.db.session() as session:
        user = _get(session, login)
        user.disabled = True
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        journal.append(session, "user.disabled", at=ctx.clock(), actor=actor, payload={"login": login})


def _get(session: object, login: str) -> User:
    user = session.scalar(select(User).where(User.login == login))  # type: ignore[attr-defined]
    if user is None:
        raise NotFound(f"compte {login} introuvable")
    return user


class TooManyAttempts(InvalidValue):
    """Sign-in refused for a while after repeated failures."""


def sign_in(ctx: Context, login: str, password: str, *, address: str) -> tuple[Principal, str, str]:
    """(principal, session token for the cookie, CSRF token); raises on failure, journaled either way."""
    now = ctx.clock()
    with ctx.db.session() as session:
        since = now - FAILURE_WINDOW
        by_pair = session.scalar(select(func.count(LoginAttempt.id)).where(
            LoginAttempt.login == login, LoginAttempt.address == address, LoginAttempt.at > since)) or 0
        by_address = session.scalar(select(func.count(LoginAttempt.id)).where(
            LoginAttempt.address == address, LoginAttempt.at > since)) or 0
        if by_pair >= MAX_FAILURES or by_address >= MAX_FAILURES_PER_ADDRESS:
            raise TooManyAttempts("trop d'essais : réessayez dans un quart d'heure")
        user = session.scalar(select(User).where(User.login == login))
        hashed = user.password_hash if user is not None and not user.disabled else _DECOY_HASH
        try:
            valid = _HASHER.verify(hashed, password) and hashed is not _DECOY_HASH
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            valid = False
        if valid and user is not None:
            if _HASHER.check_needs_rehash(user.password_hash):
                user.password_hash = _HASHER.hash(password)
            return open_session(ctx, session, user, address=address)
    # Outside the block above: a refusal must still be recorded (raising inside would roll it back).
    with ctx.db.session() as session:
        session.add(LoginAttempt(login=login, address=address, at=now))
        journal.append(session, "user.login_failed", at=now, actor=f"web:{login}", payload={"address": address})
    raise InvalidValue("identifiant ou mot de passe incorrect")


def open_session(ctx: Context, session: Session, user: User, *, address: str, provider: str | None = None,
                 id_token: str | None = None) -> tuple[Principal, str, str]:
    """A signed-in browser for this account: (principal, token for the cookie, CSRF token), journaled
    with how the person proved who they are (a password, or the identity provider's issuer)."""
    now = ctx.clock()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_digest(token), user_id=user.id, csrf=csrf, created_at=now,
                           expires_at=now + timedelta(hours=SESSION_HOURS), id_token=id_token))
    session.execute(delete(LoginAttempt).where(LoginAttempt.login == user.login, LoginAttempt.address == address))
    payload = {"address": address} | ({"provider": provider} if provider else {})
    journal.append(session, "user.login", at=now, actor=f"web:{user.login}", payload=payload)
    return principal_of(user), token, csrf


def session_user(ctx: Context, token: str | None) -> tuple[Principal, str] | None:
    """The principal and CSRF token of a live session, or None."""
    if not token:
        return None
    with ctx.db.session() as session:
        found = session.get(WebSession, _digest(token))
        if found is None or found.expires_at < ctx.clock():
            return None
        user = session.get(User, found.user_id)
        if user is None or user.disabled:
            return None
        return principal_of(user), found.csrf


def sign_out(ctx: Context, token: str) -> str | None:
    """End the session; returns the ID token of a provider's sign-in (to end it there too)."""
    with ctx.db.session() as session:
        found = session.get(WebSession, _digest(token))
        id_token = found.id_token if found else None
        session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))
        return id_token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def users(ctx: Context) -> list[tuple[str, str, str, list[str], bool]]:
    with ctx.db.session() as session:
        return [(u.login, u.name, u.role, list(u.services), u.disabled)
                for u in session.scalars(select(User).order_by(User.login))]
