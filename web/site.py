"""What every router of the web UI shares: the signed-in user, pages, CSRF, the client's address.

Every page and API call goes through ``Site.current``: a signed-in session, or a redirect to the
sign-in page (401 for the API). Permissions are the services': searches pass the viewer's
services to the engine, pages and downloads ask the services, which answer "introuvable" for
what the viewer may not see. Forms carry a CSRF token, the API wants it in ``X-CSRF-Token``.
"""

# No "from __future__ import annotations": FastAPI reads the dependency annotations at run time.
import ipaddress
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import HTTPException, Query, Request
from fastapi import Path as PathParameter
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from ged import labels
from ged.context import Context
from ged.errors import (
    Conflict,
    Damaged,
    Forbidden,
    GedError,
    InvalidValue,
    NotConfigured,
    NotFound,
    Transient,
    Unavailable,
)
from ged.services import accounts, tokens
from ged.services.accounts import Principal
from ged.states import ArchiveStatus, EliminationStatus, RequestStatus

HERE = Path(__file__).parent
COOKIE = "ged_session"

REFUSALS: tuple[tuple[type[GedError], int], ...] = (
    (NotFound, 404), (Damaged, 410), (Forbidden, 403), (Conflict, 409), (Unavailable, 409), (InvalidValue, 422),
    (NotConfigured, 503), (Transient, 503))
"""The HTTP status of each refusal the services raise, for the error page, the API and a page shown
again with its reason alike (``Damaged``: a stored file gone or changed, nothing of it served;
``Unavailable``: the thing lacks what was asked, an acknowledgement, an e-mail address)."""


def status_of(error: GedError) -> int:
    """Anything else of the core's is a 400."""
    return next((code for kind, code in REFUSALS if isinstance(error, kind)), 400)


_HEADINGS = {403: "Action non autorisée", 409: "Action impossible", 410: "Fichier indisponible",
             422: "Demande invalide", 503: "Service momentanément indisponible"}

DocumentId = Annotated[int, PathParameter(ge=1, le=2**63 - 1)]
"""A document number as the database can hold it; larger is a 422, not an overflow."""


DateText = Annotated[str, Query(max_length=20)]
"""A date field as a form sends it (empty when not filled): read by ``day``."""


def day(value: str, name: str) -> date | None:
    """A date field of a form: empty is no date (a browser sends ``du=`` for an empty field), a wrong
    one is a 422 like any bad parameter."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidValue(f"date invalide pour « {name} » : {value[:20]} (attendu AAAA-MM-JJ)") from exc


class Signed:
    """Who a request comes from: a signed-in browser with its session's CSRF token, or a script with
    an API token (``bearer``), which has no cookie to forge and so needs no CSRF token."""

    def __init__(self, principal: Principal, csrf: str, bearer: tokens.Bearer | None = None) -> None:
        self.principal, self.csrf, self.bearer = principal, csrf, bearer


class SignIn(Exception):
    """Not signed in: pages redirect to the sign-in form."""


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


class Site:
    """The installation the web UI serves, its templates and the helpers every route uses."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.templates = Jinja2Templates(directory=HERE / "templates")
        self.templates.env.globals.update(field_label=labels.field_label, event_label=labels.event_label,
                                          shown=labels.shown, local_time=labels.local_time,
                                          status_label=labels.status_label, state_label=labels.state_label,
                                          statuses=labels.STATUSES, ArchiveStatus=ArchiveStatus,
                                          EliminationStatus=EliminationStatus, RequestStatus=RequestStatus,
                                          history_detail=self._history_detail, service_label=self._service_label)
        self.secure = ctx.settings.web.secure_cookies
        self.trusted = [_network(entry) for entry in ctx.settings.web.trusted_proxies]

    def _service_label(self, code: str) -> str:
        return labels.service_label(self.ctx.settings.services, code)

    def _history_detail(self, event: dict[str, Any]) -> str:
        return labels.history_detail(event, self.ctx.settings.services)

    def page(self, request: Request, name: str, signed: Signed | None, status: int = 200,
             **values: Any) -> HTMLResponse:
        values |= {"user": signed.principal if signed else None, "csrf": signed.csrf if signed else "",
                   "types": self.ctx.settings.types, "services": self.ctx.settings.services}
        return self.templates.TemplateResponse(request, name, values, status_code=status)

    def current(self, request: Request) -> Signed:
        authorization = request.headers.get("authorization", "")
        if authorization and request.url.path.startswith("/api/"):
            scheme, _, secret = authorization.partition(" ")
            bearer = tokens.bearer(self.ctx, secret.strip()) if scheme.lower() == "bearer" else None
            if bearer is None:
                raise HTTPException(401, "jeton d'API inconnu, révoqué ou expiré",
                                    headers={"WWW-Authenticate": "Bearer"})
            return Signed(bearer.principal, "", bearer)
        found = accounts.session_user(self.ctx, request.cookies.get(COOKIE))
        if found is None:
            if request.url.path.startswith("/api/"):
                raise HTTPException(401, "connexion requise")
            raise SignIn()
        return Signed(*found)

    def client_address(self, request: Request) -> str:
        """The address the request came from: behind a trusted proxy, the last address of
        ``X-Forwarded-For`` that is not one of the trusted proxies themselves."""
        peer = request.client.host if request.client else "?"
        if not _listed(peer, self.trusted):
            return peer
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
        return next((address for address in reversed(forwarded) if not _listed(address, self.trusted)),
                    forwarded[0] if forwarded else peer)

    @staticmethod
    def csrf_ok(signed: Signed, token: str | None) -> None:
        """Called by every route that changes something: the CSRF token of a browser's session,
        or an API token that may write."""
        if signed.bearer is not None:
            if signed.bearer.read_only:
                raise HTTPException(403, "jeton d'API en lecture seule")
            return
        if not token or token != signed.csrf:
            raise HTTPException(403, "jeton CSRF absent ou invalide")

    def refusal(self, request: Request, message: str, status: int) -> Response:
        """JSON for the API, the error page (with the signed-in user's menu) for a browser."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=status)
        found = accounts.session_user(self.ctx, request.cookies.get(COOKIE))
        return self.page(request, "erreur.html", Signed(*found) if found else None, status, message=message,
                         heading=_HEADINGS.get(status, "Introuvable"))
