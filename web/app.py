"""The agents' web UI (server-rendered, French) and its JSON API, over the core's services only.

Every page and API call goes through ``current``: a signed-in session, or a redirect to the
sign-in page (401 for the API). Permissions are the services': searches pass the viewer's
services to the engine, pages and downloads ask the services, which answer "introuvable" for
what the viewer may not see. Forms carry a CSRF token, the API wants it in ``X-CSRF-Token``.
"""

# No "from __future__ import annotations": FastAPI reads the dependency annotations (``User``, a local
# alias of ``Annotated[Signed, Depends(current)]``) at run time.
import ipaddress
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import fastapi_offline
from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParameter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from ged import labels
from ged.context import Context
from ged.errors import Damaged, GedError, InvalidValue, NotFound, Unavailable
from ged.search import SearchRequest
from ged.services import accounts, documents, indicators, requests, upload, validation
from ged.services import search as search_service
from ged.services.accounts import Principal
from ged.services.ingest import IngestReport, Outcome

HERE = Path(__file__).parent
COOKIE = "ged_session"
_PAGE = 20
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'; "
                               "form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


_API_DOCS = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>API de la GED</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css">
<link rel="icon" href="/api/docs/static/favicon.png"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body></html>
"""


class Signed:
    """The signed-in user of a request, with the session's CSRF token."""

    def __init__(self, principal: Principal, csrf: str) -> None:
        self.principal, self.csrf = principal, csrf


DocumentId = Annotated[int, PathParameter(ge=1, le=2**63 - 1)]
"""A document number as the database can hold it; larger is a 422, not an overflow."""


class _SignIn(Exception):
    """Not signed in: pages redirect to the sign-in form."""


class ValidationBody(BaseModel):
    type: str | None = None
    values: dict[str, str] = {}


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | str:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return entry  # a name, as some test clients and socket paths give


def _listed(address: str, trusted: list[ipaddress.IPv4Network | ipaddress.IPv6Network | str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address in trusted
    return any(not isinstance(entry, str) and ip in entry for entry in trusted)


def _outcome(report: IngestReport) -> dict[str, Any]:
    """What an uploader is told of one document: no server path, a French label."""
    label = labels.outcome_label(report.outcome)
    if report.outcome == Outcome.DUPLICATE:
        label = f"doublon du document {report.duplicate_of}"
    elif report.reason and report.outcome != Outcome.INGESTED:
        label += f" : {report.reason}"
    return {"source": report.source, "outcome": str(report.outcome), "label": label,
            "document_id": report.document_id, "duplicate_of": report.duplicate_of, "doc_type": report.doc_type,
            "request": report.request, "reason_code": report.reason_code}


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(title="GED des collectivités", description="API de la GED : recherche, documents, demandes.",
                  docs_url=None, openapi_url="/api/openapi.json", redoc_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Swagger UI 5 (OpenAPI 3.1) from the files fastapi-offline ships: a mairie's intranet may have no
    # internet, and the CSP blocks a CDN and inline scripts alike (/api/docs was a blank page). Its own
    # page is not used: it starts Swagger UI with an inline script.
    app.mount("/api/docs/static", StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"),
              name="swagger")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(field_label=labels.field_label, event_label=labels.event_label, shown=labels.shown,
                                 local_time=labels.local_time)
    secure = ctx.settings.web.secure_cookies

    def page(request: Request, name: str, signed: Signed | None, status: int = 200, **values: Any) -> HTMLResponse:
        values |= {"user": signed.principal if signed else None, "csrf": signed.csrf if signed else "",
                   "types": ctx.settings.types, "services": ctx.settings.services}
        return templates.TemplateResponse(request, name, values, status_code=status)

    def current(request: Request) -> Signed:
        found = accounts.session_user(ctx, request.cookies.get(COOKIE))
        if found is None:
            if request.url.path.startswith("/api/"):
                raise HTTPException(401, "connexion requise")
            raise _SignIn()
        return Signed(*found)

    trusted = [_network(entry) for entry in ctx.settings.web.trusted_proxies]

    def client_address(request: Request) -> str:
        """The address the request came from: behind a trusted proxy, the last address of
        ``X-Forwarded-For`` that is not one of the trusted proxies themselves."""
        peer = request.client.host if request.client else "?"
        if not _listed(peer, trusted):
            return peer
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
        return next((address for address in reversed(forwarded) if not _listed(address, trusted)),
                    forwarded[0] if forwarded else peer)

    def csrf_ok(signed: Signed, token: str | None) -> None:
        if not token or token != signed.csrf:
            raise HTTPException(403, "jeton CSRF absent ou invalide")

    User = Annotated[Signed, Depends(current)]

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        """A malformed address or parameter (a document number of 23 digits): 422, never a 500."""
        where = ", ".join(".".join(str(part) for part in error.get("loc", ())) for error in exc.errors())
        return refusal(request, f"paramètre invalide ({where})", 422)

    @app.exception_handler(_SignIn)
    async def _to_sign_in(request: Request, exc: _SignIn) -> Response:
        return RedirectResponse("/connexion?" + urlencode({"suite": str(request.url.path)}), status_code=303)

    def refusal(request: Request, message: str, status: int) -> Response:
        """JSON for the API, the error page (with the signed-in user's menu) for a browser."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=status)
        found = accounts.session_user(ctx, request.cookies.get(COOKIE))
        return page(request, "erreur.html", Signed(*found) if found else None, status, message=message)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return refusal(request, exc.message, 404)

    @app.exception_handler(Damaged)
    async def _damaged(request: Request, exc: Damaged) -> Response:
        """A stored file gone or changed: 410, nothing of it served (the service journaled the incident)."""
        return refusal(request, exc.message, 410)

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

    # -- sign-in -------------------------------------------------------------------------------------
    @app.get("/connexion", response_class=HTMLResponse)
    def sign_in_form(request: Request, suite: str = "/recherche") -> HTMLResponse:
        return page(request, "connexion.html", None, suite=suite)

    @app.post("/connexion")
    def sign_in(request: Request, login: Annotated[str, Form()], password: Annotated[str, Form()],
                suite: Annotated[str, Form()] = "/recherche") -> Response:
        try:
            _, token, _ = accounts.sign_in(ctx, login, password, address=client_address(request))
        except accounts.TooManyAttempts as exc:
            return page(request, "connexion.html", None, 429, error=exc.message, suite=suite)
        except InvalidValue as exc:
            return page(request, "connexion.html", None, 401, error=exc.message, suite=suite)
        target = suite if suite.startswith("/") and not suite.startswith("//") else "/recherche"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, secure=secure, samesite="strict",
                            max_age=accounts.SESSION_HOURS * 3600)
        return response

    @app.post("/deconnexion")
    def sign_out(request: Request, signed: User, csrf: Annotated[str, Form()]) -> Response:
        csrf_ok(signed, csrf)
        accounts.sign_out(ctx, request.cookies.get(COOKIE, ""))
        response = RedirectResponse("/connexion", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # -- pages ---------------------------------------------------------------------------------------
    @app.get("/")
    def home() -> Response:
        return RedirectResponse("/recherche", status_code=303)

    def _search(signed: Signed, q: str, doc_type: str | None, service: str | None, page_number: int) -> Any:
        return search_service.search(ctx, SearchRequest(
            text=q, doc_types=frozenset([doc_type]) if doc_type else frozenset(),
            services=frozenset([service]) if service else frozenset(),
            allowed_services=signed.principal.allowed_services, offset=(page_number - 1) * _PAGE, limit=_PAGE))

    @app.get("/recherche", response_class=HTMLResponse)
    def search_page(request: Request, signed: User, q: str = "", type: str | None = None,
                    service: str | None = None, page_number: Annotated[int, Query(alias="page")] = 1) -> HTMLResponse:
        result = _search(signed, q, type, service, max(1, page_number))
        return page(request, "recherche.html", signed, q=q, result=result, selected_type=type,
                    selected_service=service, page_number=page_number, page_size=_PAGE)

    @app.get("/documents/{document_id}", response_class=HTMLResponse)
    def document_page(request: Request, document_id: DocumentId, signed: User,
                      message: str | None = None) -> HTMLResponse:
        view = documents.show(ctx, document_id, viewer=signed.principal)
        return page(request, "document.html", signed, doc=view, message=message)

    @app.post("/documents/{document_id}/valider")
    async def validate_form(request: Request, document_id: DocumentId, signed: User) -> Response:
        form = await request.form()
        csrf_ok(signed, str(form.get("csrf", "")))
        view = documents.show(ctx, document_id, viewer=signed.principal)
        current_values = {f["code"]: str(f["value"]) for f in view.fields}
        changed = {key[6:]: str(value) for key, value in form.items()
                   if key.startswith("champ_") and str(value).strip() and current_values.get(key[6:]) != str(value)}
        try:
            validation.validate(ctx, document_id, doc_type=str(form.get("type") or "") or None, values=changed,
                                actor=signed.principal.actor, viewer=signed.principal)
        except InvalidValue as exc:
            view = documents.show(ctx, document_id, viewer=signed.principal)
            return page(request, "document.html", signed, 400, doc=view, error=exc.message)
        return RedirectResponse(f"/documents/{document_id}?message=valide", status_code=303)

    @app.get("/documents/{document_id}/pdf")
    def document_pdf(document_id: DocumentId, signed: User, original: bool = False) -> FileResponse:
        try:
            path, media_type = documents.readable_file(ctx, document_id, original=original, viewer=signed.principal)
        except Unavailable as exc:
            raise NotFound(exc.message) from exc
        return FileResponse(path, media_type=media_type, content_disposition_type="inline",
                            filename=f"document-{document_id}.pdf" if not original else f"original-{document_id}")

    @app.get("/documents/{document_id}/pages/{page_number}.png")
    def page_image(document_id: DocumentId, page_number: int, signed: User) -> Response:
        return Response(documents.thumbnail(ctx, document_id, page_number, viewer=signed.principal),
                        media_type="image/png")

    @app.get("/a-verifier", response_class=HTMLResponse)
    def review_page(request: Request, signed: User) -> HTMLResponse:
        result = search_service.search(ctx, SearchRequest(states=frozenset({"needs_review"}), sort="date",
                                                          allowed_services=signed.principal.allowed_services,
                                                          limit=200))
        return page(request, "a_verifier.html", signed, result=result)

    @app.get("/demandes", response_class=HTMLResponse)
    def requests_page(request: Request, signed: User, retard: bool = False, service: str | None = None) -> HTMLResponse:
        views = requests.list_requests(ctx, overdue=retard, service=service, viewer=signed.principal)
        return page(request, "demandes.html", signed, views=views, retard=retard)

    @app.get("/televersement", response_class=HTMLResponse)
    def upload_page(request: Request, signed: User) -> HTMLResponse:
        return page(request, "televersement.html", signed, results=None)

    @app.post("/televersement", response_class=HTMLResponse)
    def upload_form(request: Request, signed: User, csrf: Annotated[str, Form()],
                    fichiers: Annotated[list[UploadFile], File()], service: Annotated[str, Form()] = "",
                    type: Annotated[str, Form()] = "") -> HTMLResponse:
        """Without JavaScript: every file of the form, the results on the page."""
        csrf_ok(signed, csrf)
        results = []
        for sent in fichiers:
            try:
                results += [_outcome(r) for r in upload.upload(ctx, sent.filename or "fichier", sent.file,
                                                               uploader=signed.principal, service=service or None,
                                                               doc_type=type or None)]
            except InvalidValue as exc:
                results.append({"source": sent.filename, "outcome": "refused", "label": exc.message})
        return page(request, "televersement.html", signed, results=results)

    @app.get("/tableau-de-bord", response_class=HTMLResponse)
    def dashboard_page(request: Request, signed: User) -> HTMLResponse:
        return page(request, "tableau.html", signed, rows=indicators.indicators(ctx, signed.principal))

    # -- JSON API ------------------------------------------------------------------------------------
    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(_API_DOCS)

    @app.get("/api/recherche")
    def api_search(signed: User, q: str = "", type: str | None = None, service: str | None = None,
                   page_number: Annotated[int, Query(alias="page")] = 1) -> dict[str, Any]:
        result = _search(signed, q, type, service, max(1, page_number))
        return {"total": result.total, "facets": result.facets,
                "hits": [{"id": h.id, "title": h.title, "snippet": h.snippet, "doc_type": h.doc_type,
                          "service": h.service, "state": h.state, "received_at": h.received_at.isoformat()}
                         for h in result.hits]}

    @app.get("/api/documents/{document_id}")
    def api_document(document_id: DocumentId, signed: User) -> dict[str, Any]:
        data = documents.show(ctx, document_id, viewer=signed.principal).as_dict()
        del data["source_path"]  # the server's folders are nobody's business outside it
        for event in data["history"]:
            event["payload"] = {k: v for k, v in event["payload"].items() if k != "source"}
        return data

    @app.post("/api/documents/{document_id}/validation")
    def api_validate(request: Request, document_id: DocumentId, body: ValidationBody, signed: User) -> dict[str, Any]:
        csrf_ok(signed, request.headers.get("X-CSRF-Token"))
        try:
            result = validation.validate(ctx, document_id, doc_type=body.type, values=body.values,
                                         actor=signed.principal.actor, viewer=signed.principal)
        except InvalidValue as exc:
            raise HTTPException(400, exc.message) from exc
        return {"document_id": result.document_id, "type": result.doc_type, "changes": result.changes,
                "request": result.request_number}

    @app.get("/api/a-verifier")
    def api_review(signed: User) -> list[dict[str, Any]]:
        result = search_service.search(ctx, SearchRequest(states=frozenset({"needs_review"}), sort="date",
                                                          allowed_services=signed.principal.allowed_services,
                                                          limit=200))
        return [{"id": h.id, "title": h.title, "doc_type": h.doc_type, "service": h.service,
                 "received_at": h.received_at.isoformat()} for h in result.hits]

    @app.get("/api/tableau-de-bord")
    def api_dashboard(signed: User) -> list[dict[str, Any]]:
        def period(p: Any) -> dict[str, Any]:
            return {"period": p.label, "received": p.received, "opened": p.opened, "closed": p.closed,
                    "average_days": p.average_days, "on_time_share": p.on_time_share}

        return [{"service": row.service, "open": row.open_now, "overdue": row.overdue_now,
                 "weeks": [period(p) for p in row.weeks], "months": [period(p) for p in row.months]}
                for row in indicators.indicators(ctx, signed.principal)]

    @app.get("/api/demandes")
    def api_requests(signed: User, retard: bool = False) -> list[dict[str, Any]]:
        return [v.as_dict() for v in requests.list_requests(ctx, overdue=retard, viewer=signed.principal)]

    @app.post("/api/televersement", status_code=201)
    def api_upload(request: Request, signed: User, fichier: Annotated[UploadFile, File()],
                   service: Annotated[str, Form()] = "", type: Annotated[str, Form()] = "") -> JSONResponse:
        """One file (an e-mail may become several documents): 201 when stored, 409 when every
        document is a duplicate, 422 when quarantined (the reason in ``results``)."""
        csrf_ok(signed, request.headers.get("X-CSRF-Token"))
        try:
            reports = upload.upload(ctx, fichier.filename or "fichier", fichier.file, uploader=signed.principal,
                                    service=service or None, doc_type=type or None)
        except InvalidValue as exc:
            raise HTTPException(400, exc.message) from exc
        outcomes = {r.outcome for r in reports}
        status = 422 if Outcome.QUARANTINED in outcomes else 409 if outcomes == {Outcome.DUPLICATE} else 201
        return JSONResponse({"file": fichier.filename, "results": [_outcome(r) for r in reports]},
                            status_code=status)

    @app.get("/api/session")
    def api_session(signed: User) -> dict[str, Any]:
        """Who is signed in, and the CSRF token the API's POST calls must send."""
        p = signed.principal
        return {"login": p.login, "role": p.role, "services": sorted(p.services), "csrf": signed.csrf}

    @app.exception_handler(GedError)
    async def _ged_error(request: Request, exc: GedError) -> Response:
        return JSONResponse({"detail": exc.message}, status_code=400)

    return app

