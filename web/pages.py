"""The agents' pages: search, a document (preview, fields, validation), the review list, uploads, the dashboard."""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from ged import labels
from ged.errors import InvalidValue, NotFound, Unavailable
from ged.search import SearchRequest
from ged.services import documents, indicators, upload, validation
from ged.services import search as search_service
from ged.services.ingest import IngestReport, Outcome
from ged.states import document_state

from .site import DateText, DocumentId, Signed, Site, day

PAGE_SIZE = 20


@dataclass(frozen=True)
class SearchForm:
    """What the search page and ``/api/recherche`` take: words, then filters as links and fields set them."""

    q: str = ""
    type: str = ""
    service: str = ""
    etat: str = ""
    du: date | None = None
    au: date | None = None
    page: int = 1

    def request(self, signed: Signed) -> SearchRequest:
        """The engine's request, within the services the viewer may see; ``au`` is a whole day."""
        return SearchRequest(
            text=self.q, doc_types=frozenset([self.type]) if self.type else frozenset(),
            services=frozenset([self.service]) if self.service else frozenset(),
            states=frozenset([self.etat]) if self.etat else frozenset(),
            received_from=datetime.combine(self.du, time.min) if self.du else None,
            received_to=datetime.combine(self.au, time.max) if self.au else None,
            allowed_services=signed.principal.allowed_services, offset=(self.page - 1) * PAGE_SIZE, limit=PAGE_SIZE)

    def query(self, **changes: Any) -> str:
        """This search's address with some values changed (facet links, pages)."""
        values = {**self.__dict__, **changes}
        return urlencode({key: value for key, value in values.items() if value not in ("", None)})


def search(site: Site, signed: Signed, form: SearchForm) -> Any:
    """One page of hits the viewer may see (the search page and ``/api/recherche``)."""
    return search_service.search(site.ctx, form.request(signed))


def review(site: Site, signed: Signed) -> Any:
    """The documents waiting for a person, oldest first (the review page and ``/api/a-verifier``)."""
    return search_service.review_queue(site.ctx, allowed_services=signed.principal.allowed_services)


def outcome(report: IngestReport) -> dict[str, Any]:
    """One document's fate: no server path, a French label."""
    label = labels.outcome_label(report.outcome)
    if report.outcome == Outcome.DUPLICATE:
        label = f"doublon du document {report.duplicate_of}"
    elif report.reason and report.outcome != Outcome.INGESTED:
        label += f" : {report.reason}"
    return {"source": report.source, "outcome": str(report.outcome), "label": label,
            "document_id": report.document_id, "duplicate_of": report.duplicate_of, "doc_type": report.doc_type,
            "request": report.request, "reason_code": report.reason_code}


def search_form(q: Annotated[str, Query(max_length=500)] = "", type: str = "", service: str = "", etat: str = "",
                du: DateText = "", au: DateText = "",
                page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> SearchForm:
    return SearchForm(q, type, service, etat, day(du, "du"), day(au, "au"), page)


def router(site: Site) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    User = Annotated[Signed, Depends(site.current)]
    ctx = site.ctx

    @routes.get("/")
    def home() -> Response:
        return RedirectResponse("/recherche", status_code=303)

    @routes.get("/recherche", response_class=HTMLResponse)
    def search_page(request: Request, signed: User, form: Annotated[SearchForm, Depends(search_form)]) -> HTMLResponse:
        result = search(site, signed, form)
        return site.page(request, "pages/recherche.html", signed, q=form.q, result=result,
                         selected_type=form.type, selected_service=form.service,
                         selected_state=document_state(form.etat) if form.etat else "",
                         received_from=form.du, received_to=form.au, page_number=form.page,
                         pages=max(1, -(-result.total // PAGE_SIZE)), query=form.query)

    @routes.get("/documents/{document_id}", response_class=HTMLResponse)
    def document_page(request: Request, document_id: DocumentId, signed: User,
                      message: str | None = None) -> HTMLResponse:
        view = documents.show(ctx, document_id, viewer=signed.principal)
        return site.page(request, "pages/document.html", signed, doc=view, message=message)

    @routes.post("/documents/{document_id}/valider")
    async def validate_form(request: Request, document_id: DocumentId, signed: User) -> Response:
        form = await request.form()
        site.csrf_ok(signed, str(form.get("csrf", "")))
        view = documents.show(ctx, document_id, viewer=signed.principal)
        current_values = {f["code"]: str(f["value"]) for f in view.fields}
        changed = {key[6:]: str(value) for key, value in form.items()
                   if key.startswith("champ_") and str(value).strip() and current_values.get(key[6:]) != str(value)}
        try:
            validation.validate(ctx, document_id, doc_type=str(form.get("type") or "") or None, values=changed,
                                actor=signed.principal.actor, viewer=signed.principal)
        except InvalidValue as exc:
            view = documents.show(ctx, document_id, viewer=signed.principal)
            return site.page(request, "pages/document.html", signed, 400, doc=view, error=exc.message)
        return RedirectResponse(f"/documents/{document_id}?message=valide", status_code=303)

    @routes.get("/documents/{document_id}/pdf")
    def document_pdf(document_id: DocumentId, signed: User, original: bool = False) -> FileResponse:
        try:
            path, media_type = documents.readable_file(ctx, document_id, original=original, viewer=signed.principal)
        except Unavailable as exc:
            raise NotFound(exc.message) from exc
        return FileResponse(path, media_type=media_type, content_disposition_type="inline",
                            filename=f"document-{document_id}.pdf" if not original else f"original-{document_id}")

    @routes.get("/documents/{document_id}/attestation.pdf")
    def document_attestation(document_id: DocumentId, signed: User) -> FileResponse:
        try:
            path = documents.attestation_file(ctx, document_id, viewer=signed.principal)
        except Unavailable as exc:
            raise NotFound(exc.message) from exc
        return FileResponse(path, media_type="application/pdf", content_disposition_type="inline",
                            filename=f"attestation-numerisation-{document_id}.pdf")

    @routes.get("/documents/{document_id}/pages/{page_number}.png")
    def page_image(document_id: DocumentId, page_number: int, signed: User) -> Response:
        return Response(documents.thumbnail(ctx, document_id, page_number, viewer=signed.principal),
                        media_type="image/png")

    @routes.get("/a-verifier", response_class=HTMLResponse)
    def review_page(request: Request, signed: User) -> HTMLResponse:
        return site.page(request, "pages/a_verifier.html", signed, result=review(site, signed))

    @routes.get("/televersement", response_class=HTMLResponse)
    def upload_page(request: Request, signed: User) -> HTMLResponse:
        return site.page(request, "pages/televersement.html", signed, results=None)

    @routes.post("/televersement", response_class=HTMLResponse)
    def upload_form(request: Request, signed: User, csrf: Annotated[str, Form()],
                    fichiers: Annotated[list[UploadFile], File()], service: Annotated[str, Form()] = "",
                    type: Annotated[str, Form()] = "") -> HTMLResponse:
        """Without JavaScript: every file of the form, ingested and attested together, the results on the page."""
        site.csrf_ok(signed, csrf)
        try:
            results = [outcome(r) for r in upload.upload(
                ctx, [upload.Sent(sent.filename or "fichier", sent.file) for sent in fichiers],
                uploader=signed.principal, service=service or None, doc_type=type or None)]
        except InvalidValue as exc:
            results = [{"source": sent.filename, "outcome": Outcome.REFUSED, "label": exc.message} for sent in fichiers]
        return site.page(request, "pages/televersement.html", signed, results=results)

    @routes.get("/tableau-de-bord", response_class=HTMLResponse)
    def dashboard_page(request: Request, signed: User) -> HTMLResponse:
        return site.page(request, "pages/tableau.html", signed,
                         rows=indicators.indicators(ctx, signed.principal))

    return routes
