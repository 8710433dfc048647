"""The request desk: baskets, a request's page, and the actions an agent takes from it.

Every action is a form with the CSRF token that answers with a redirect to the request's page and
a message (POST-redirect-GET: reloading does not act twice); a refused action shows the page again
with the reason and its status (422 a bad value, 409 a state that forbids it, 503 the mail server).
"""

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParameter
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from ged.errors import Conflict, InvalidValue, NotConfigured, Transient, Unavailable
from ged.services import casework, citizens
from ged.services.desk import BASKET_LABELS, NOBODY, PAGE_SIZE, Basket, DeskFilter, Sort, desk

from .site import DateText, Signed, Site, day, status_of

RequestNumber = Annotated[str, PathParameter(pattern=r"^\d{4}-[A-Z]{2,10}-\d{6}$", max_length=30)]
"""``2026-URB-000042``: anything else is a 422 before any query."""

MESSAGES = {
    "attribuee": "Demande attribuée.", "statut": "Statut modifié.", "note": "Note ajoutée.",
    "ar-envoye": "Accusé de réception envoyé.", "transferee": "Demande transférée.",
}


def desk_filter(signed: Signed, basket: Basket, service: str | None, doc_type: str | None, status: str | None,
                assignee: str | None, due_from: date | None, due_to: date | None, sort: Sort, descending: bool,
                page: int, page_size: int = PAGE_SIZE) -> DeskFilter:
    """The filter as people type it: ``moi`` is the viewer, ``personne`` nobody yet, empty is any."""
    who = {"moi": signed.principal.login, "personne": NOBODY}.get(assignee or "", assignee or None)
    return DeskFilter(basket=basket, service=service or None, doc_type=doc_type or None, status=status or None,
                      assignee=who, due_from=due_from, due_to=due_to, sort=sort, descending=descending,
                      page=max(1, page), page_size=page_size)


def router(site: Site) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    User = Annotated[Signed, Depends(site.current)]
    ctx = site.ctx

    @routes.get("/demandes", response_class=HTMLResponse)
    def desk_page(request: Request, signed: User, corbeille: Basket = Basket.TO_DO, service: str = "",
                  type: str = "", statut: str = "", agent: str = "", echeance_du: DateText = "",
                  echeance_au: DateText = "", tri: Sort = Sort.DUE, ordre: str = "",
                  page: Annotated[int, Query(ge=1, le=1_000_000)] = 1, message: str = "",
                  numero: str = "") -> HTMLResponse:
        wanted = desk_filter(signed, corbeille, service, type, statut, agent, day(echeance_du, "échéance du"),
                             day(echeance_au, "échéance au"), tri, ordre == "desc", page)
        result = desk(ctx, signed.principal, wanted)
        args = {key: value for key, value in request.query_params.items() if key not in ("page", "message", "numero")}
        notice = f"Demande {numero} transférée." if message == "transferee" and numero else ""
        return site.page(request, "desk/demandes.html", signed, desk=result, args=args, baskets=BASKET_LABELS,
                         query=lambda **changes: urlencode({**args, **changes}), notice=notice,
                         statut=statut, agent=agent)

    def request_page(request: Request, signed: Signed, number: str, status: int = 200, **values: Any) -> Response:
        view = casework.show(ctx, number, viewer=signed.principal)
        may_work = signed.principal.role in casework.WORKERS
        return site.page(request, "desk/demande.html", signed, status, req=view, may_work=may_work,
                         may_transfer=signed.principal.role in casework.ROUTERS,
                         colleagues=casework.colleagues(ctx, view.service) if may_work else [], **values)

    @routes.get("/demandes/{number}/usager", response_class=HTMLResponse)
    def citizen(request: Request, number: RequestNumber, signed: User) -> Response:
        found = citizens.citizen_file(ctx, number, viewer=signed.principal)
        return site.page(request, "desk/usager.html", signed, file=found)

    @routes.get("/demandes/{number}", response_class=HTMLResponse)
    def request_detail(request: Request, number: RequestNumber, signed: User, message: str = "") -> Response:
        return request_page(request, signed, number, message=MESSAGES.get(message, ""))

    def act(request: Request, signed: Signed, number: str, csrf: str, done: str, action: Any) -> Response:
        site.csrf_ok(signed, csrf)
        try:
            action()
        except (InvalidValue, Conflict, Unavailable, NotConfigured, Transient) as exc:
            return request_page(request, signed, number, status_of(exc), error=exc.message)
        return RedirectResponse(f"/demandes/{number}?message={done}", status_code=303)

    Csrf = Annotated[str, Form()]
    Note = Annotated[str, Form(max_length=casework.NOTE_LENGTH + 100)]

    @routes.post("/demandes/{number}/attribuer")
    def assign(request: Request, number: RequestNumber, signed: User, csrf: Csrf,
               agent: Annotated[str, Form(max_length=100)]) -> Response:
        who = signed.principal.login if agent == "moi" else agent
        return act(request, signed, number, csrf, "attribuee", lambda: casework.assign(
            ctx, number, who, actor=signed.principal.actor, viewer=signed.principal))

    @routes.post("/demandes/{number}/statut")
    def set_status(request: Request, number: RequestNumber, signed: User, csrf: Csrf,
                   statut: Annotated[str, Form(max_length=40)], note: Note = "") -> Response:
        return act(request, signed, number, csrf, "statut", lambda: casework.set_status(
            ctx, number, statut, note=note, actor=signed.principal.actor, viewer=signed.principal))

    @routes.post("/demandes/{number}/note")
    def add_note(request: Request, number: RequestNumber, signed: User, csrf: Csrf, note: Note) -> Response:
        return act(request, signed, number, csrf, "note", lambda: casework.add_note(
            ctx, number, note, actor=signed.principal.actor, viewer=signed.principal))

    @routes.post("/demandes/{number}/transfert")
    def transfer(request: Request, number: RequestNumber, signed: User, csrf: Csrf,
                 service: Annotated[str, Form(max_length=100)], note: Note = "") -> Response:
        site.csrf_ok(signed, csrf)
        try:
            casework.transfer(ctx, number, service, note=note, actor=signed.principal.actor, viewer=signed.principal)
        except (InvalidValue, Conflict) as exc:
            return request_page(request, signed, number, status_of(exc), error=exc.message)
        if signed.principal.may_see(service):
            return RedirectResponse(f"/demandes/{number}?message=transferee", status_code=303)
        return RedirectResponse("/demandes?" + urlencode({"message": "transferee", "numero": number}),
                                status_code=303)

    @routes.post("/demandes/{number}/accuse-reception/envoi")
    def send_acknowledgement(request: Request, number: RequestNumber, signed: User, csrf: Csrf) -> Response:
        return act(request, signed, number, csrf, "ar-envoye", lambda: casework.send_acknowledgement(
            ctx, number, actor=signed.principal.actor, viewer=signed.principal))

    @routes.get("/demandes/{number}/accuse-reception")
    def acknowledgement(number: RequestNumber, signed: User, courriel: bool = False) -> FileResponse:
        path, media_type = casework.acknowledgement_file(ctx, number, email=courriel, actor=signed.principal.actor,
                                                         viewer=signed.principal)
        name = f"accuse-reception-{number}.{'txt' if courriel else 'pdf'}"
        return FileResponse(path, media_type=media_type, filename=name,
                            content_disposition_type="inline" if not courriel else "attachment")

    return routes
