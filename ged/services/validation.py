"""A person checks a document: confirms or changes its type, corrects fields; the GED learns from it.

Every correction is journaled with the value before and after, the corrected fields are kept
through any later re-extraction, and validated documents are what ``ged classify train``
learns from. A corrected value must be valid in its normal form (a SIRET passes its checksum).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, selectinload

import classifiers

from .. import indexing, journal, registration
from ..context import Context
from ..db.models import Document, DocumentField, DocumentState, Request
from ..errors import InvalidValue, NotFound
from ..ingest import retype
from ..states import STATE_LABELS_FR
from .accounts import Principal

_LOCKED = (DocumentState.QUARANTINED, DocumentState.ARCHIVED, DocumentState.ELIMINATED, DocumentState.TRANSFERRED)


@dataclass(frozen=True)
class Validated:
    document_id: int
    doc_type: str
    changes: dict[str, Any]
    request_number: str | None


def validate(ctx: Context, document_id: int, *, doc_type: str | None = None,
             values: Mapping[str, str] | None = None, actor: str, viewer: Principal | None = None) -> Validated:
    """Confirm the type (or set another), apply corrections, then route and register as needed."""
    values = dict(values or {})
    with ctx.db.session() as session:
        document = session.get(Document, document_id, options=[selectinload(Document.pages),
                                                               selectinload(Document.fields)])
        if document is None or (viewer is not None and not viewer.may_see(document.service)):
            raise NotFound(f"document {document_id} introuvable")
        if document.state in _LOCKED:
            raise InvalidValue(f"le document {document_id} est {STATE_LABELS_FR[DocumentState(document.state)]} : "
                               "il ne peut plus être modifié")
        new_type = _checked_type(ctx, doc_type or document.doc_type)
        changes: dict[str, Any] = {}
        if new_type != document.doc_type:
            changes["type"] = [document.doc_type, new_type]
            retype(ctx, session, document, new_type)
            document.service = ctx.settings.types[new_type].service
        corrections = _normalised(ctx, new_type, values, document)
        existing = {f.code: f for f in document.fields}
        for code, value in corrections.items():
            field = existing.get(code)
            before = field.value if field else None
            if field is None:
                session.add(DocumentField(document_id=document.id, code=code, value=value, confidence=1.0, page=None,
                                          box=None, method="agent"))
            else:
                field.value, field.confidence, field.method = value, 1.0, "agent"
            if before != value:
                changes[code] = [before, value]
        document.doc_type = new_type
        document.type_confidence = 1.0
        document.state = DocumentState.VALIDATED
        document.state_reason = document.reason_code = None
        document.classified_at = document.classified_at or ctx.clock()
        document.indexed_at = None
        journal.append(session, "document.validated", at=ctx.clock(), actor=actor, document_id=document.id,
                       payload={"type": new_type, "changes": changes})
        session.flush()
        session.refresh(document, ["fields"])
        if "type" in changes:
            registration.follow_retype(ctx, session, document, actor=actor)
        request = None
        if document.request_id is None:
            fields = {f.code: f.value for f in document.fields}
            request = registration.open_or_join(ctx, session, document, fields, actor=actor)
        number = request.number if request else _number_of(session, document)
    indexing.index_pending(ctx)
    return Validated(document_id, new_type, changes, number)


def _checked_type(ctx: Context, doc_type: str | None) -> str:
    if doc_type is None:
        raise InvalidValue("type du document inconnu : précisez --type")
    if doc_type not in ctx.settings.types:
        raise InvalidValue(f"type inconnu « {doc_type} » (types : {', '.join(ctx.settings.types)})")
    return doc_type


def _normalised(ctx: Context, doc_type: str, values: Mapping[str, str], document: Document) -> dict[str, Any]:
    codes = classifiers.field_codes(doc_type)
    result: dict[str, Any] = {}
    for code, raw in values.items():
        if code not in codes:
            raise InvalidValue(f"champ « {code} » inconnu pour le type {doc_type} (champs : {', '.join(codes)})")
        value = classifiers.normalise_value(code, raw, reference=document.received_at.date())
        if value is None:
            raise InvalidValue(f"valeur invalide pour {code} : « {raw} »")
        result[code] = value
    return result


def _number_of(session: Session, document: Document) -> str | None:
    if document.request_id is None:
        return None
    request = session.get(Request, document.request_id)
    return request.number if request else None
