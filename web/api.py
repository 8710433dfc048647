"""The JSON API: what the pages do, for scripts and robots (documented at ``/api/docs``).

Every POST wants the session's CSRF token in ``X-CSRF-Token`` (``GET /api/session`` gives it).
Refusals are JSON ``{"detail": …}`` with their status: 401 not signed in, 403 not allowed,
404 not found (or not visible), 409 a state that forbids it, 422 a bad value, 503 a server away.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from ged.errors import InvalidValue, NotFound, Unavailable
from ged.services import casework, citizens, documents, indicators, upload, validation
from ged.services.desk import Basket, Sort, desk
from ged.services.ingest import Outcome

from .desk import RequestNumber, desk_filter
from .pages import SearchForm, outcome, review, search, search_form
from .site import DateText, DocumentId, Signed, Site, day

_DOCS = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>API de la GED</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css">
<link rel="icon" href="/api/docs/static/favicon.png"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body></html>
"""


class ValidationBody(BaseModel):
    type: str | None = None
    values: dict[str, str] = {}


class AssignBody(BaseModel):
    agent: str = Field(min_length=1, max_length=100, description="Identifiant d'un agent du service.")


class StatusBody(BaseModel):
    statut: str = Field(max_length=40, description="nouvelle, en_cours, en_attente, cloturee.")
    note: str | None = Field(default=None, max_length=casework.NOTE_LENGTH)


class NoteBody(BaseModel):
    note: str = Field(min_length=1, max_length=casework.NOTE_LENGTH)


class TransferBody(BaseModel):
    service: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=casework.NOTE_LENGTH)


def router(site: Site) -> APIRouter:
    routes = APIRouter(prefix="/api")
    User = Annotated[Signed, Depends(site.current)]
    ctx = site.ctx

    def checked(request: Request, signed: Signed) -> None:
        site.csrf_ok(signed, request.headers.get("X-CSRF-Token"))

    @routes.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(_DOCS)

    @routes.get("/session", summary="Compte connecté et jeton CSRF")
    def api_session(signed: User) -> dict[str, Any]:
        """Who is signed in, and the CSRF token the API's POST calls must send."""
        p = signed.principal
        return {"login": p.login, "role": p.role, "services": sorted(p.services), "csrf": signed.csrf}

    @routes.get("/recherche", summary="Rechercher des documents")
    def api_search(signed: User, form: Annotated[SearchForm, Depends(search_form)]) -> dict[str, Any]:
        """Full-text search with facets, within the services the user may see: words, "phrases",
        -exclusions, prefix*, filters by type, service, state (``etat``) and dates of receipt (``du``, ``au``)."""
        result = search(site, signed, form)
        return {"total": result.total, "page": form.page, "facets": result.facets,
                "hits": [{"id": h.id, "title": h.title, "snippet": h.snippet, "doc_type": h.doc_type,
                          "service": h.service, "state": h.state, "received_at": h.received_at.isoformat()}
                         for h in result.hits]}

    @routes.get("/documents/{document_id}", summary="Un document : métadonnées, champs, texte, historique")
    def api_document(document_id: DocumentId, signed: User) -> dict[str, Any]:
        """A document: metadata, fields, pages' text, files and history (no server path)."""
        data = documents.show(ctx, document_id, viewer=signed.principal).as_dict()
        del data["source_path"]  # the server's folders are nobody's business outside it
        for event in data["history"]:
            event["payload"] = {k: v for k, v in event["payload"].items() if k != "source"}
        return data

    @routes.get("/documents/{document_id}/fichier", response_class=FileResponse,
                summary="Télécharger la copie PDF/A ou l'original")
    def api_document_file(document_id: DocumentId, signed: User, original: bool = False) -> FileResponse:
        """The PDF/A copy, or the original as received (``original=true``); the download is journaled."""
        try:
            path, media_type = documents.readable_file(ctx, document_id, original=original, viewer=signed.principal)
        except Unavailable as exc:
            raise NotFound(exc.message) from exc
        return FileResponse(path, media_type=media_type,
                            filename=f"document-{document_id}.pdf" if not original else f"original-{document_id}")

    @routes.get("/documents/{document_id}/attestation", response_class=FileResponse,
                summary="Télécharger l'attestation de numérisation du lot du document")
    def api_document_attestation(document_id: DocumentId, signed: User) -> FileResponse:
        """The PDF/A attestation of the document's scan batch, for archivists (it lists every file of the
        batch); 404 while the batch is not timestamped. The download is journaled."""
        try:
            path = documents.attestation_file(ctx, document_id, viewer=signed.principal)
        except Unavailable as exc:
            raise NotFound(exc.message) from exc
        return FileResponse(path, media_type="application/pdf", filename=f"attestation-numerisation-{document_id}.pdf")

    @routes.post("/documents/{document_id}/validation", summary="Valider un document (type et champs)")
    def api_validate(request: Request, document_id: DocumentId, body: ValidationBody, signed: User) -> dict[str, Any]:
        """Confirm or change the type, correct fields (values in their usual written form)."""
        checked(request, signed)
        result = validation.validate(ctx, document_id, doc_type=body.type, values=body.values,
                                     actor=signed.principal.actor, viewer=signed.principal)
        return {"document_id": result.document_id, "type": result.doc_type, "changes": result.changes,
                "request": result.request_number}

    @routes.get("/a-verifier", summary="Documents à vérifier")
    def api_review(signed: User) -> list[dict[str, Any]]:
        """The documents waiting for a person, oldest first."""
        return [{"id": h.id, "title": h.title, "doc_type": h.doc_type, "service": h.service,
                 "received_at": h.received_at.isoformat()} for h in review(site, signed).hits]

    @routes.get("/tableau-de-bord", summary="Indicateurs par service")
    def api_dashboard(signed: User) -> list[dict[str, Any]]:
        """Per service: open and overdue requests, and per week and month what came in and went out."""
        def period(p: Any) -> dict[str, Any]:
            return {"period": p.label, "received": p.received, "opened": p.opened, "closed": p.closed,
                    "average_days": p.average_days, "on_time_share": p.on_time_share}

        return [{"service": row.service, "open": row.open_now, "overdue": row.overdue_now,
                 "weeks": [period(p) for p in row.weeks], "months": [period(p) for p in row.months]}
                for row in indicators.indicators(ctx, signed.principal)]

    @routes.get("/demandes", summary="Corbeilles de demandes (filtres, tri, pages)")
    def api_requests(signed: User, corbeille: Basket = Basket.ALL, service: str = "", type: str = "",
                     statut: str = "", agent: str = "", echeance_du: DateText = "",
                     echeance_au: DateText = "", tri: Sort = Sort.DUE, ordre: str = "",
                     page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
                     taille: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
        """One page of a basket (``agent=moi`` or ``personne`` too), with every basket's count."""
        wanted = desk_filter(signed, corbeille, service, type, statut, agent, day(echeance_du, "echeance_du"),
                             day(echeance_au, "echeance_au"), tri, ordre == "desc", page, taille)
        result = desk(ctx, signed.principal, wanted)
        return {"total": result.total, "page": result.filter.page, "pages": result.pages,
                "counts": {str(b): n for b, n in result.counts.items()}, "requests": [r.as_dict() for r in result.rows]}

    @routes.get("/demandes/{number}", summary="Une demande")
    def api_request(number: RequestNumber, signed: User) -> dict[str, Any]:
        """A request: requester, deadline and the rule applied, fields, documents, history with notes."""
        return casework.show(ctx, number, viewer=signed.principal).as_dict()

    @routes.get("/demandes/{number}/usager", summary="Dossier de l'usager")
    def api_citizen(number: RequestNumber, signed: User) -> dict[str, Any]:
        """The requester's file: their other requests and mail in the services the user may see, each
        with why it was linked; same-name matches without a same address or contact apart, as possible."""
        found = citizens.citizen_file(ctx, number, viewer=signed.principal)
        return {**{k: v for k, v in found.__dict__.items() if k not in ("linked", "possible")},
                **{key: [{**entry.__dict__, "received_on": entry.received_on.isoformat(),
                          "reasons": [str(r) for r in entry.reasons]} for entry in getattr(found, key)]
                   for key in ("linked", "possible")}}

    @routes.post("/demandes/{number}/attribution", summary="Attribuer une demande")
    def api_assign(request: Request, number: RequestNumber, body: AssignBody, signed: User) -> dict[str, Any]:
        """Give the request to a colleague of its service (``moi`` for oneself)."""
        checked(request, signed)
        who = signed.principal.login if body.agent == "moi" else body.agent
        return casework.assign(ctx, number, who, actor=signed.principal.actor, viewer=signed.principal).as_dict()

    @routes.post("/demandes/{number}/statut", summary="Changer le statut d'une demande")
    def api_status(request: Request, number: RequestNumber, body: StatusBody, signed: User) -> dict[str, Any]:
        """Change the status (``cloturee`` closes it), with an optional note."""
        checked(request, signed)
        return casework.set_status(ctx, number, body.statut, note=body.note, actor=signed.principal.actor,
                                   viewer=signed.principal).as_dict()

    @routes.post("/demandes/{number}/notes", status_code=201, summary="Ajouter une note")
    def api_note(request: Request, number: RequestNumber, body: NoteBody, signed: User) -> dict[str, Any]:
        """Add a note to the request's history (kept in the journal: never edited)."""
        checked(request, signed)
        return casework.add_note(ctx, number, body.note, actor=signed.principal.actor,
                                 viewer=signed.principal).as_dict()

    @routes.post("/demandes/{number}/transfert", summary="Transférer une demande à un autre service")
    def api_transfer(request: Request, number: RequestNumber, body: TransferBody, signed: User) -> dict[str, Any]:
        """Send the request and its documents to another service."""
        checked(request, signed)
        return casework.transfer(ctx, number, body.service, note=body.note, actor=signed.principal.actor,
                                 viewer=signed.principal).as_dict()

    @routes.get("/demandes/{number}/accuse-reception", response_class=FileResponse,
                summary="Télécharger l'accusé de réception")
    def api_acknowledgement(number: RequestNumber, signed: User, courriel: bool = False) -> FileResponse:
        """The acknowledgement of receipt: the PDF letter, or the e-mail's text (``courriel=true``)."""
        path, media_type = casework.acknowledgement_file(ctx, number, email=courriel, actor=signed.principal.actor,
                                                         viewer=signed.principal)
        return FileResponse(path, media_type=media_type,
                            filename=f"accuse-reception-{number}.{'txt' if courriel else 'pdf'}")

    @routes.post("/demandes/{number}/accuse-reception/envoi", summary="Envoyer l'accusé de réception par courriel")
    def api_send_acknowledgement(request: Request, number: RequestNumber, signed: User) -> dict[str, Any]:
        """E-mail the acknowledgement to the requester's address (through the configured SMTP server)."""
        checked(request, signed)
        return {"sent_to": casework.send_acknowledgement(ctx, number, actor=signed.principal.actor,
                                                         viewer=signed.principal)}

    @routes.post("/televersement", status_code=201, summary="Déposer des fichiers")
    def api_upload(request: Request, signed: User, fichier: Annotated[list[UploadFile], File()],
                   service: Annotated[str, Form()] = "", type: Annotated[str, Form()] = "") -> JSONResponse:
        """One file, or several (``fichier`` repeated), ingested together and attested as one batch;
        a file may become several documents (an e-mail). Each document's fate is in ``results``; the
        status is the worst of them: 413 a file past the size limit, 422 one quarantined, 409 every
        document a duplicate, 201 otherwise."""
        checked(request, signed)
        try:
            reports = upload.upload(ctx, [upload.Sent(sent.filename or "fichier", sent.file) for sent in fichier],
                                    uploader=signed.principal, service=service or None, doc_type=type or None)
        except InvalidValue as exc:
            raise HTTPException(400, exc.message) from exc
        outcomes = {r.outcome for r in reports}
        status = (413 if Outcome.REFUSED in outcomes else 422 if Outcome.QUARANTINED in outcomes
                  else 409 if outcomes == {Outcome.DUPLICATE} else 201)
        return JSONResponse({"files": [sent.filename for sent in fichier], "results": [outcome(r) for r in reports]},
                            status_code=status)

    return routes
