"""The agents' web UI (server-rendered, French) and its JSON API, over the core's services only.

The routes live in routers by area (``auth``, ``pages``, ``desk``, ``archives``, ``account``,
``api``); this module puts them together with what applies to all: security headers, no caching,
and one HTTP status per kind of refusal, as a page for people and as JSON for the API (never a 500
for bad input).
"""

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from ged.context import Context
from ged.errors import GedError

from . import account, api, archives, auth, desk, pages
from .site import HERE, SignIn, Site, status_of

_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'; "
                               "form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(title="GED des collectivités", description="API de la GED : recherche, documents, demandes.",
                  docs_url=None, openapi_url="/api/openapi.json", redoc_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Swagger UI 5 (OpenAPI 3.1) from the files fastapi-offline ships: a mairie's intranet may have no
    # internet, and the CSP blocks a CDN and inline scripts alike (/api/docs was a blank page). Its own
    # page is not used: it starts Swagger UI with an inline script.
    app.mount("/api/docs/static", StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"),
              name="swagger")
    site = Site(ctx)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        """A malformed address or parameter (a document number of 23 digits): 422, never a 500."""
        where = ", ".join(".".join(str(part) for part in error.get("loc", ())) for error in exc.errors())
        return site.refusal(request, f"paramètre invalide ({where})", 422)

    @app.exception_handler(SignIn)
    async def _to_sign_in(request: Request, exc: SignIn) -> Response:
        return RedirectResponse("/connexion?" + urlencode({"suite": str(request.url.path)}), status_code=303)

    @app.exception_handler(GedError)
    async def _refused(request: Request, exc: GedError) -> Response:
        return site.refusal(request, exc.message, status_of(exc))

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for key, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if not request.url.path.startswith("/static/"):
            # Documents, previews and lists stay out of every cache: on a shared PC, a page kept by
            # the browser would be shown to the next person after sign-out.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    for area in (auth, pages, desk, archives, account, api):
        app.include_router(area.router(site))
    return app
