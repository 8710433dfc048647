"""The citizen's file: every request and document of one person across the services the agent may
see, with why each was linked (what a GRC, gestion de la relation citoyen, gives an agent).

People are matched as a mail room would: the same e-mail address or telephone number is the same
person; the same name is the same person only at the same postal address (two Jean Martin live in
most towns). A same name without an address to compare, or at another one, is shown apart as a
possible homonym for the agent to judge, never merged. Names and addresses are compared folded
(accents, case, civilities, word order) and fuzzily (rapidfuzz), so OCR slips do not break a link.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from rapidfuzz import fuzz
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

import classifiers

from .. import labels
from ..context import Context
from ..db.models import Document, DocumentField, Request
from ..errors import NotFound
from ..registration import ADDRESS_FIELDS, REQUESTER_FIELDS
from ..search import SearchRequest
from . import search as search_service
from .accounts import Principal
from .casework import type_label

CIVILITIES = frozenset({"m", "mr", "mme", "mlle", "monsieur", "madame", "mademoiselle", "et", "epoux", "famille",
                        "dr", "me", "les"})
NAME_SIMILARITY = 90
ADDRESS_SIMILARITY = 85
CANDIDATES = 500
"""Requests and documents looked at per file: a name shared by more is a homonym list, not a person."""


class Match(StrEnum):
    EMAIL = "même adresse électronique"
    PHONE = "même téléphone"
    NAME_AND_ADDRESS = "même nom et même adresse"
    NAME_ONLY = "même nom, adresse différente ou inconnue : homonyme possible"


@dataclass(frozen=True)
class Linked:
    kind: str
    """``demande`` or ``document``."""
    reference: str
    """The request's number, or the document's id."""
    label: str
    service: str
    received_on: date
    status: str
    reasons: list[Match]


@dataclass
class CitizenFile:
    number: str
    requester: str | None
    contact: str | None
    address: str | None
    linked: list[Linked] = field(default_factory=list)
    possible: list[Linked] = field(default_factory=list)


def person_key(name: str | None) -> str:
    """``Mme Aïcha BENALI`` and ``Benali Aicha`` alike: folded, without civilities, words sorted."""
    words = re.findall(r"[a-z0-9]+", classifiers.fold(name or ""))
    return " ".join(sorted(w for w in words if w not in CIVILITIES))


def _address_key(address: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", classifiers.fold(address or "")))


def _contact_key(contact: str | None) -> tuple[Match, str] | None:
    value = (contact or "").strip().lower()
    if "@" in value:
        return Match.EMAIL, value
    digits = re.sub(r"\D", "", value)
    return (Match.PHONE, digits[-9:]) if len(digits) >= 9 else None


@dataclass(frozen=True)
class _Person:
    name: str
    address: str
    contact: tuple[Match, str] | None

    def reasons(self, other: _Person) -> tuple[list[Match], bool]:
        """Why ``other`` is this person (sure), and whether only the name says so (possible)."""
        found = [self.contact[0]] if self.contact and other.contact == self.contact else []
        same_name = bool(self.name and other.name) and fuzz.token_sort_ratio(self.name, other.name) >= NAME_SIMILARITY
        if same_name and self.address and other.address and \
                fuzz.token_set_ratio(self.address, other.address) >= ADDRESS_SIMILARITY:
            found.append(Match.NAME_AND_ADDRESS)
        return found, same_name and not found


def _fields_of(session: Session, document_ids: list[int]) -> dict[int, dict[str, str]]:
    wanted = (*REQUESTER_FIELDS, *ADDRESS_FIELDS, "contact")
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for first in range(0, len(document_ids), 500):
        rows = session.execute(select(DocumentField.document_id, DocumentField.code, DocumentField.value).where(
            DocumentField.document_id.in_(document_ids[first:first + 500]), DocumentField.code.in_(wanted)))
        for document_id, code, value in rows:
            if isinstance(value, str):
                found[document_id].setdefault(code, value)
    return found


def _first(values: dict[str, str], codes: tuple[str, ...]) -> str | None:
    return next((values[code] for code in codes if values.get(code)), None)


def _merged(fields: dict[int, dict[str, str]], document_ids: list[int]) -> dict[str, str]:
    """A request's fields: the first document's first, later ones fill the gaps."""
    values: dict[str, str] = {}
    for document_id in sorted(document_ids):
        values = {**fields.get(document_id, {}), **values}
    return values


def citizen_file(ctx: Context, number: str, *, viewer: Principal | None = None) -> CitizenFile:
    """The file of the requester of request ``number``."""
    allowed = viewer.allowed_services if viewer is not None else None
    with ctx.db.session() as session:
        anchor = session.scalar(select(Request).where(Request.number == number.strip().upper()))
        if anchor is None or (viewer is not None and not viewer.may_see(anchor.service)):
            raise NotFound(f"demande {number} introuvable")
        anchor_fields = _merged(_fields_of(session, [d.id for d in anchor.documents]), [d.id for d in anchor.documents])
        address = _first(anchor_fields, ADDRESS_FIELDS)
        person = _Person(person_key(anchor.requester), _address_key(address), _contact_key(anchor.contact))
        result = CitizenFile(anchor.number, anchor.requester, anchor.contact, address)
        surname = max(person.name.split(), key=len, default="")
        raw = max(re.findall(r"\w+", (anchor.requester or "").lower()), key=len, default="")
        clauses = [func.lower(Request.requester).contains(word) for word in {surname, raw} if len(word) >= 3]
        if anchor.contact:
            clauses.append(Request.contact == anchor.contact)
        if not clauses:
            return result
        query = select(Request).where(or_(*clauses), Request.id != anchor.id)
        if allowed is not None:
            query = query.where(Request.service.in_(sorted(allowed)))
        requests = list(session.scalars(query.order_by(Request.received_on.desc()).limit(CANDIDATES)))
        documents_of: dict[int | None, list[int]] = defaultdict(list)
        for document_id, request_id in session.execute(select(Document.id, Document.request_id).where(
                Document.request_id.in_([r.id for r in requests]))):
            documents_of[request_id].append(document_id)
        fields = _fields_of(session, [d for ids in documents_of.values() for d in ids])
        for request in requests:
            values = _merged(fields, documents_of[request.id])
            other = _Person(person_key(request.requester), _address_key(_first(values, ADDRESS_FIELDS)),
                            _contact_key(request.contact or values.get("contact")))
            reasons, possible = person.reasons(other)
            if reasons or possible:
                entry = Linked("demande", request.number, type_label(ctx, request.doc_type), request.service,
                               request.received_on, labels.status_label(request.status), reasons or [Match.NAME_ONLY])
                (result.linked if reasons else result.possible).append(entry)
        if len(surname) >= 3:
            _loose_mail(ctx, session, person, surname, allowed, result)
    return result


def _loose_mail(ctx: Context, session: Session, person: _Person, surname: str, allowed: frozenset[str] | None,
                result: CitizenFile) -> None:
    """Mail of the same person that opened no request (a letter, an invoice dispute): found by the
    search engine on the name (a JSON column is no place for a text search), judged here."""
    hits = search_service.search(ctx, SearchRequest(text=surname, allowed_services=allowed, limit=100))
    loose = list(session.scalars(select(Document).where(Document.id.in_([h.id for h in hits.hits]),
                                                        Document.request_id.is_(None))))
    fields = _fields_of(session, [d.id for d in loose])
    for document in sorted(loose, key=lambda d: d.received_at, reverse=True):
        values = fields.get(document.id, {})
        other = _Person(person_key(_first(values, REQUESTER_FIELDS)), _address_key(_first(values, ADDRESS_FIELDS)),
                        _contact_key(values.get("contact")))
        reasons, possible = person.reasons(other)
        if reasons or possible:
            entry = Linked("document", str(document.id), type_label(ctx, document.doc_type or "autre"),
                           document.service or "", document.received_at.date(), labels.state_label(document.state),
                           reasons or [Match.NAME_ONLY])
            (result.linked if reasons else result.possible).append(entry)
