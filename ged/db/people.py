"""The people of the web UI: local accounts, their signed-in browsers, failed sign-ins and API tokens.

Apart from the documents' models so that ``models.py`` holds the archive and its procedures; the
same declarative base, so one schema and one set of migrations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class User(Base):
    """A local account: argon2 password hash, a role, the services whose documents it may see."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    """``courrier``, ``agent``, ``archiviste`` or ``admin`` (who sees every service)."""
    services: Mapped[list[Any]] = mapped_column(default=list)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the table only its hash."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    id_token: Mapped[str | None] = mapped_column(Text)
    """A provider's sign-in: the ID token it gave, sent back at sign-out (``id_token_hint``)."""


class LoginAttempt(Base):
    """Failed sign-ins, by login and by address, for rate limiting across processes."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class ApiToken(Base):
    """A personal API token: a script or robot acting as its account, with the account's rights as
    they are at each call (a service taken from the account is taken from the token). Only the
    token's SHA-256 is kept; the token itself is shown once, when made."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    """What it is for (« robot de relance », « script des finances »)."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    """The token's first characters, shown to tell tokens apart."""
    read_only: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class OidcLogin(Base):
    """A sign-in on its way through the identity provider: what the answer must match. In the
    database, not a cookie, so that any process of the web server can take the answer; used once."""

    __tablename__ = "oidc_logins"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(200))
    redirect_uri: Mapped[str] = mapped_column(String(1000))
    next_path: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
