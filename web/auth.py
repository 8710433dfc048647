"""Signing in and out of the web UI (local accounts), and the pages anyone may read (accessibility)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ged.errors import InvalidValue
from ged.services import accounts

from .site import COOKIE, Signed, Site


def router(site: Site) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    User = Annotated[Signed, Depends(site.current)]

    @routes.get("/connexion", response_class=HTMLResponse)
    def sign_in_form(request: Request, suite: str = "/recherche") -> HTMLResponse:
        return site.page(request, "auth/connexion.html", None, suite=suite)

    @routes.post("/connexion")
    def sign_in(request: Request, login: Annotated[str, Form()], password: Annotated[str, Form()],
                suite: Annotated[str, Form()] = "/recherche") -> Response:
        try:
            _, token, _ = accounts.sign_in(site.ctx, login, password, address=site.client_address(request))
        except accounts.TooManyAttempts as exc:
            return site.page(request, "auth/connexion.html", None, 429, error=exc.message, suite=suite)
        except InvalidValue as exc:
            return site.page(request, "auth/connexion.html", None, 401, error=exc.message, suite=suite)
        target = suite if suite.startswith("/") and not suite.startswith("//") else "/recherche"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, secure=site.secure, samesite="strict",
                            max_age=accounts.SESSION_HOURS * 3600)
        return response

    @routes.get("/accessibilite", response_class=HTMLResponse)
    def accessibility(request: Request) -> HTMLResponse:
        """The accessibility statement (RGAA 4.1), readable without signing in, as the law asks."""
        found = accounts.session_user(site.ctx, request.cookies.get(COOKIE))
        return site.page(request, "auth/accessibilite.html", Signed(*found) if found else None,
                         commune=site.ctx.settings.commune)

    @routes.post("/deconnexion")
    def sign_out(request: Request, signed: User, csrf: Annotated[str, Form()]) -> Response:
        site.csrf_ok(signed, csrf)
        accounts.sign_out(site.ctx, request.cookies.get(COOKIE, ""))
        response = RedirectResponse("/connexion", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    return routes
