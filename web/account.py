"""The signed-in person's own account: their API tokens (made, listed, revoked), in pages and in the API."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi import Path as PathParameter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from ged.errors import InvalidValue
from ged.services import tokens

from .site import Signed, Site

TokenId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]


class TokenBody(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="À quoi sert le jeton.")
    read_only: bool = Field(default=False, description="Lecture seule : toute écriture est refusée (403).")
    days: int | None = Field(default=365, ge=1, le=tokens.MAX_DAYS, description="Validité en jours (null : sans fin).")


def _as_dict(view: tokens.TokenView) -> dict[str, Any]:
    return {"id": view.id, "name": view.name, "prefix": view.prefix, "read_only": view.read_only,
            "created_at": view.created_at.isoformat(), "expires_at": view.expires_at.isoformat()
            if view.expires_at else None, "revoked_at": view.revoked_at.isoformat() if view.revoked_at else None}


def router(site: Site) -> APIRouter:
    routes = APIRouter()
    User = Annotated[Signed, Depends(site.current)]
    ctx = site.ctx

    def account_page(request: Request, signed: Signed, status: int = 200, **values: Any) -> Response:
        listed = tokens.listed(ctx, signed.principal.login, viewer=signed.principal)
        return site.page(request, "account/compte.html", signed, status, tokens=listed, **values)

    @routes.get("/compte", response_class=HTMLResponse, include_in_schema=False)
    def account(request: Request, signed: User, message: str = "") -> Response:
        return account_page(request, signed, message="Jeton révoqué." if message == "revoque" else "")

    @routes.post("/compte/jetons", include_in_schema=False)
    def create_form(request: Request, signed: User, csrf: Annotated[str, Form()],
                    nom: Annotated[str, Form(max_length=200)], duree: Annotated[str, Form()] = "365",
                    lecture: Annotated[bool, Form()] = False) -> Response:
        """The secret is on this answer only: not a redirect, and the page is never cached."""
        site.csrf_ok(signed, csrf)
        try:
            view, secret = tokens.create(ctx, signed.principal.login, nom, read_only=lecture,
                                         days=int(duree) if duree.isdigit() else None,
                                         actor=signed.principal.actor, viewer=signed.principal)
        except InvalidValue as exc:
            return account_page(request, signed, 422, error=exc.message)
        return account_page(request, signed, 201, created=view, secret=secret)

    @routes.post("/compte/jetons/{token_id}/revocation", include_in_schema=False)
    def revoke_form(token_id: TokenId, signed: User, csrf: Annotated[str, Form()]) -> Response:
        site.csrf_ok(signed, csrf)
        tokens.revoke(ctx, token_id, actor=signed.principal.actor, viewer=signed.principal)
        return RedirectResponse("/compte?message=revoque", status_code=303)

    @routes.get("/api/jetons", summary="Mes jetons d'API")
    def api_tokens(signed: User) -> list[dict[str, Any]]:
        """The signed-in account's API tokens (never their secret)."""
        return [_as_dict(t) for t in tokens.listed(ctx, signed.principal.login, viewer=signed.principal)]

    @routes.post("/api/jetons", status_code=201, summary="Créer un jeton d'API")
    def api_create(request: Request, body: TokenBody, signed: User) -> dict[str, Any]:
        """A new token for the signed-in account; ``secret`` is in this answer only. Not with a token:
        a leaked token must not be able to outlive its revocation by making others."""
        if signed.bearer is not None:
            raise HTTPException(403, "un jeton d'API ne peut pas créer de jeton : connectez-vous")
        site.csrf_ok(signed, request.headers.get("X-CSRF-Token"))
        view, secret = tokens.create(ctx, signed.principal.login, body.name, read_only=body.read_only,
                                     days=body.days, actor=signed.principal.actor, viewer=signed.principal)
        return {**_as_dict(view), "secret": secret}

    @routes.delete("/api/jetons/{token_id}", summary="Révoquer un jeton d'API")
    def api_revoke(request: Request, token_id: TokenId, signed: User) -> dict[str, Any]:
        """Revoke one of the account's tokens (an administrator: anyone's)."""
        if signed.bearer is None or signed.bearer.read_only:
            site.csrf_ok(signed, request.headers.get("X-CSRF-Token"))
        return _as_dict(tokens.revoke(ctx, token_id, actor=signed.principal.actor, viewer=signed.principal))

    return routes
