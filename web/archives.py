"""The archivist's pages: what is due, the elimination lists and their visa, holds.

The same services as ``ged retention`` and ``ged hold``, so the same rules and the same journal:
the visa is refused to whoever proposed the list, a hold stops a record at every step, and an
elimination destroys only after the visa. Archivists and administrators only (403 for others).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as PathParameter
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from ged.errors import Conflict, Forbidden, InvalidValue, NotFound
from ged.services import accounts, holds, retention
from ged.states import EliminationStatus

from .site import DocumentId, Signed, Site, status_of

ListNumber = Annotated[str, PathParameter(pattern=r"^ELIM-\d{4}-\d{4,6}$")]
FileKind = Annotated[str, PathParameter(pattern=r"^(bordereau|demande_seda|attestation|notification_seda)$")]
SHOWN_DUE = 500
"""Due records listed on the page (the count says how many there are in all)."""
MESSAGES = {"proposee": "Liste d'élimination proposée : à transmettre pour visa.", "visa": "Visa enregistré.",
            "executee": "Élimination exécutée, attestation produite.", "gel": "Gel posé.", "levee": "Gel levé."}
LIST_STATES = {EliminationStatus.PROPOSED: "proposée, en attente du visa",
               EliminationStatus.APPROVED: "visée, à exécuter", EliminationStatus.EXECUTED: "exécutée"}


def router(site: Site) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    User = Annotated[Signed, Depends(site.current)]
    ctx = site.ctx

    def archivist(signed: Signed) -> None:
        accounts.require_role(signed.principal, accounts.ARCHIVISTS, "consulter les archives")

    def overview(request: Request, signed: Signed, status: int = 200, **values: Any) -> Response:
        archivist(signed)
        due = retention.due(ctx)
        return site.page(request, "archives/archives.html", signed, status, due=due[:SHOWN_DUE],
                         due_count=len(due), lists=retention.lists(ctx), holds=holds.active(ctx),
                         list_states=LIST_STATES, **values)

    def elimination_page(request: Request, signed: Signed, number: str, status: int = 200,
                         **values: Any) -> Response:
        archivist(signed)
        found = [entry for entry in retention.lists(ctx) if entry["number"] == number]
        if not found:
            raise NotFound(f"liste d'élimination {number} introuvable")
        return site.page(request, "archives/elimination.html", signed, status, entry=found[0],
                         list_states=LIST_STATES, **values)

    @routes.get("/archives", response_class=HTMLResponse)
    def archives_page(request: Request, signed: User, message: str = "") -> Response:
        return overview(request, signed, message=MESSAGES.get(message, ""))

    @routes.post("/archives/eliminations")
    def propose(request: Request, signed: User, csrf: Annotated[str, Form()],
                triage: Annotated[bool, Form()] = False) -> Response:
        site.csrf_ok(signed, csrf)
        try:
            elimination = retention.propose(ctx, actor=signed.principal.actor, include_triage=triage,
                                            viewer=signed.principal)
        except NotFound as exc:  # nothing is due: a state of the archive, not an address that does not exist
            return overview(request, signed, 409, error=exc.message)
        return RedirectResponse(f"/archives/eliminations/{elimination.number}?message=proposee", status_code=303)

    @routes.get("/archives/eliminations/{number}", response_class=HTMLResponse)
    def elimination(request: Request, number: ListNumber, signed: User, message: str = "") -> Response:
        return elimination_page(request, signed, number, message=MESSAGES.get(message, ""))

    @routes.post("/archives/eliminations/{number}/visa")
    def visa(request: Request, number: ListNumber, signed: User, csrf: Annotated[str, Form()],
             reference: Annotated[str, Form(max_length=200)]) -> Response:
        site.csrf_ok(signed, csrf)
        try:
            retention.approve(ctx, number, reference, actor=signed.principal.actor, viewer=signed.principal)
        except (InvalidValue, Conflict, Forbidden) as exc:
            return elimination_page(request, signed, number, status_of(exc), error=exc.message)
        return RedirectResponse(f"/archives/eliminations/{number}?message=visa", status_code=303)

    @routes.post("/archives/eliminations/{number}/execution")
    def execute(request: Request, number: ListNumber, signed: User, csrf: Annotated[str, Form()],
                confirmation: Annotated[bool, Form()] = False) -> Response:
        site.csrf_ok(signed, csrf)
        if not confirmation:
            return elimination_page(request, signed, number, 422,
                                    error="cochez la case de confirmation : l'élimination est définitive")
        try:
            retention.eliminate(ctx, number, actor=signed.principal.actor, viewer=signed.principal)
        except Conflict as exc:
            return elimination_page(request, signed, number, status_of(exc), error=exc.message)
        return RedirectResponse(f"/archives/eliminations/{number}?message=executee", status_code=303)

    @routes.get("/archives/eliminations/{number}/fichiers/{kind}")
    def list_file(number: ListNumber, kind: FileKind, signed: User) -> FileResponse:
        archivist(signed)
        path, media_type, name = retention.list_file(ctx, number, kind, actor=signed.principal.actor)
        return FileResponse(path, media_type=media_type, filename=name)

    @routes.post("/archives/gels")
    def hold(request: Request, signed: User, csrf: Annotated[str, Form()], document: Annotated[int, Form(ge=1)],
             motif: Annotated[str, Form(max_length=1000)]) -> Response:
        site.csrf_ok(signed, csrf)
        try:
            holds.add(ctx, document, motif, actor=signed.principal.actor, viewer=signed.principal)
        except (InvalidValue, NotFound) as exc:
            return overview(request, signed, status_of(exc), error=exc.message)
        return RedirectResponse("/archives?message=gel", status_code=303)

    @routes.post("/archives/gels/{document_id}/levee")
    def release(request: Request, document_id: DocumentId, signed: User, csrf: Annotated[str, Form()],
                motif: Annotated[str, Form(max_length=1000)]) -> Response:
        site.csrf_ok(signed, csrf)
        try:
            holds.remove(ctx, document_id, motif, actor=signed.principal.actor, viewer=signed.principal)
        except (InvalidValue, NotFound) as exc:
            return overview(request, signed, status_of(exc), error=exc.message)
        return RedirectResponse("/archives?message=levee", status_code=303)

    return routes
