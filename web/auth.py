"""Signing in and out of the web UI (local accounts or an OpenID Connect provider), and the pages
anyone may read (accessibility)."""

import contextlib
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ged.errors import Forbidden, InvalidValue, NotConfigured, NotFound, Transient
from ged.services import accounts, oidc

from .site import COOKIE, Signed, Site


def _local(path: str) -> str:
    """Where to go after signing in: a path of this site only (never ``//elsewhere``)."""
    return path if path.startswith("/") and not path.startswith("//") else "/recherche"


def router(site: Site) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    User = Annotated[Signed, Depends(site.current)]
    provider = site.ctx.settings.auth.oidc

    def base_url(request: Request) -> str:
        return (site.ctx.settings.web.public_url or str(request.base_url)).rstrip("/")

    def form(request: Request, status: int = 200, suite: str = "/recherche", error: str = "") -> HTMLResponse:
        return site.page(request, "auth/connexion.html", None, status, suite=suite, error=error,
                         provider_label=provider.label if provider else None)

    def signed_in(request: Request, token: str, target: str) -> Response:
        """The session cookie, then the page. A provider's answer is a navigation from another site, on
        which a ``SameSite=Strict`` cookie is not sent: a page of ours moves on, so the next request is ours."""
        response = site.templates.TemplateResponse(request, "auth/suite.html", {"target": _local(target)})
        response.set_cookie(COOKIE, token, httponly=True, secure=site.secure, samesite="strict",
                            max_age=accounts.SESSION_HOURS * 3600)
        return response

    @routes.get("/connexion", response_class=HTMLResponse)
    def sign_in_form(request: Request, suite: str = "/recherche") -> HTMLResponse:
        return form(request, suite=suite)

    @routes.post("/connexion")
    def sign_in(request: Request, login: Annotated[str, Form()], password: Annotated[str, Form()],
                suite: Annotated[str, Form()] = "/recherche") -> Response:
        try:
            _, token, _ = accounts.sign_in(site.ctx, login, password, address=site.client_address(request))
        except accounts.TooManyAttempts as exc:
            return form(request, 429, suite, exc.message)
        except InvalidValue as exc:
            return form(request, 401, suite, exc.message)
        response = RedirectResponse(_local(suite), status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, secure=site.secure, samesite="strict",
                            max_age=accounts.SESSION_HOURS * 3600)
        return response

    @routes.get("/connexion/oidc")
    def sign_in_with_provider(request: Request, suite: str = "/recherche") -> Response:
        if provider is None:
            raise NotFound("connexion par fournisseur d'identité non configurée")
        try:
            url = oidc.begin(site.ctx, base_url(request) + "/connexion/oidc/retour", _local(suite))
        except (Transient, NotConfigured) as exc:
            return form(request, 503, suite, exc.message)
        return RedirectResponse(url, status_code=303)

    @routes.get("/connexion/oidc/retour")
    def provider_answer(request: Request, code: Annotated[str, Query(max_length=2000)] = "",
                        state: Annotated[str, Query(max_length=200)] = "",
                        error: Annotated[str, Query(max_length=200)] = "") -> Response:
        if provider is None:
            raise NotFound("connexion par fournisseur d'identité non configurée")
        if error or not code or not state:
            why = error or "réponse incomplète"
            return form(request, 401, error=f"le fournisseur d'identité n'a pas confirmé la connexion ({why})")
        try:
            done = oidc.complete(site.ctx, code, state, address=site.client_address(request))
        except InvalidValue as exc:
            return form(request, 401, error=exc.message)
        except Forbidden as exc:
            return form(request, 403, error=exc.message)
        except (Transient, NotConfigured) as exc:
            return form(request, 503, error=exc.message)
        return signed_in(request, done.token, done.next_path)

    @routes.get("/accessibilite", response_class=HTMLResponse)
    def accessibility(request: Request) -> HTMLResponse:
        """The accessibility statement (RGAA 4.1), readable without signing in, as the law asks."""
        found = accounts.session_user(site.ctx, request.cookies.get(COOKIE))
        return site.page(request, "auth/accessibilite.html", Signed(*found) if found else None,
                         commune=site.ctx.settings.commune)

    @routes.post("/deconnexion")
    def sign_out(request: Request, signed: User, csrf: Annotated[str, Form()]) -> Response:
        """Ends the session here, and at the provider when it was a provider's sign-in."""
        site.csrf_ok(signed, csrf)
        id_token = accounts.sign_out(site.ctx, request.cookies.get(COOKIE, ""))
        target = "/connexion"
        if id_token and provider is not None:
            with contextlib.suppress(Transient, NotConfigured):  # signed out here; the provider's ends on its own
                target = oidc.end_session_url(site.ctx, id_token, base_url(request) + "/connexion") or target
        response = RedirectResponse(target, status_code=303)
        response.delete_cookie(COOKIE)
        return response

    return routes
