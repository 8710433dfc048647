"""Dossiers filed online (démarches-simplifiées, a commune's portal): each becomes a registered
request with its documents, once, whatever the transport that brought it.

The dossier's summary is typeset as a PDF (its fields, label by label, with a text layer: no OCR)
and is the request's first document; each attached file joins the request. Deadlines run from the
date the dossier was filed on the platform, its legal date of receipt. The mapped fields are the
requester's own answers, so they are stored as given (``method = "en ligne"``, confidence 1) over
whatever extraction read, and the dossier's number is the request's file reference.

Never twice, never lost: the ledger row (``ExternalDossier``) is written only once every document
is committed. A run that dies between the two takes the dossier again: its files come back as
duplicates of what was stored (the summary is typeset byte for byte the same), the request they
opened is found again, and the ledger is completed.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import classifiers
from archivage.typesetting import paragraph, styles

from .. import journal, labels
from ..context import Context
from ..db.models import Document, DocumentField, ExternalDossier, ExternalSync, Request
from ..errors import InvalidValue, Transient
from ..ingest import IngestService, IntakeHints, Outcome

ONLINE = "en ligne"
"""How the mapped fields were read: typed by the requester on the platform."""


@dataclass(frozen=True)
class OnlineFile:
    name: str
    fetch: Callable[[Path], object]
    """Writes the file's bytes to the path (the robot downloads it; raises ``Transient`` on trouble)."""


@dataclass(frozen=True)
class OnlineDossier:
    source: str
    """``demarches-simplifiees:12345``: the platform and the démarche."""
    reference: str
    """The dossier's number on the platform."""
    title: str
    filed_at: datetime
    modified_at: datetime
    state: str
    requester: str | None
    email: str | None
    fields: list[tuple[str, str]]
    """(label, value) in the form's order."""
    files: list[OnlineFile]


@dataclass(frozen=True)
class Taken:
    reference: str
    already: bool
    request: str | None
    documents: list[int]


SYNC_MARGIN = timedelta(minutes=10)
"""Asked again before the last complete pass: the platform's clock and ours may differ a little."""


def changed_since(ctx: Context, source: str) -> datetime | None:
    """From when to ask the platform: the start of the last pass that went through (None: everything)."""
    with ctx.db.session() as session:
        synced = session.get(ExternalSync, source)
        return synced.complete_until - SYNC_MARGIN if synced else None


def mark_synced(ctx: Context, source: str, started: datetime) -> None:
    """Every dossier changed before ``started`` was looked at (a pass that went through)."""
    with ctx.db.session() as session:
        synced = session.get(ExternalSync, source)
        if synced is None:
            session.add(ExternalSync(source=source, complete_until=started))
        else:
            synced.complete_until = max(synced.complete_until, started)


def known(ctx: Context, source: str, reference: str) -> bool:
    with ctx.db.session() as session:
        return session.get(ExternalDossier, (source, reference)) is not None


def summary_pdf(dossier: OnlineDossier, *, via: str = "déposé en ligne") -> bytes:
    """The dossier as a page the agents read, the same bytes for the same dossier (invariant mode)."""
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    style = styles()
    buffer = io.BytesIO()
    previous, rl_config.invariant = rl_config.invariant, 1
    try:
        document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                                     topMargin=18 * mm, bottomMargin=18 * mm, lang="fr-FR",
                                     title=f"Dossier n° {dossier.reference}", author=dossier.source)
        story = [paragraph(dossier.title, style["bold"]),
                 paragraph(f"Dossier n° {dossier.reference} {via} le {labels.local_time(dossier.filed_at)}, "
                           f"état « {dossier.state} »", style["body"]),
                 paragraph(f"Demandeur : {dossier.requester or '—'} — {dossier.email or '—'}", style["body"]),
                 Spacer(1, 6 * mm)]
        story += [paragraph(f"{label} : {value}", style["body"]) for label, value in dossier.fields]
        if dossier.files:
            story += [Spacer(1, 4 * mm), paragraph("Pièces jointes : " + ", ".join(f.name for f in dossier.files),
                                                   style["body"])]
        document.build(story)
    finally:
        rl_config.invariant = previous
    return buffer.getvalue()


def _safe(name: str, index: int) -> str:
    cleaned = re.sub(r"[^\w.\- ]", "_", Path(name).name).strip(" .") or "piece"
    return f"{index:02d}-{cleaned[:120]}"


def take(ctx: Context, dossier: OnlineDossier, *, doc_type: str, service: str | None, mapping: dict[str, str],
         actor: str, via: str = "déposé en ligne") -> Taken:
    """Register one dossier as a request with its documents, unless it was taken before."""
    if doc_type not in ctx.settings.types or ctx.settings.types[doc_type].category is None:
        raise InvalidValue(f"type « {doc_type} » : ce n'est pas un type de demande")
    if known(ctx, dossier.source, dossier.reference):
        return Taken(dossier.reference, True, None, [])
    channel = f"{ONLINE}:{dossier.source}"
    ingest = IngestService(ctx, actor=actor)
    with tempfile.TemporaryDirectory(prefix="ged-dossier-") as folder:
        summary = Path(folder) / f"dossier-{dossier.reference}.pdf"
        summary.write_bytes(summary_pdf(dossier, via=via))
        pieces = []
        for index, online in enumerate(dossier.files, start=1):
            pieces.append(Path(folder) / _safe(online.name, index))
            online.fetch(pieces[-1])  # every file is here before anything is stored
        [first] = ingest.ingest([summary], hints_for=lambda _path: IntakeHints(
            service=service, doc_type=doc_type, channel=channel, filed_at=dossier.filed_at))
        founding = first.document_id or first.duplicate_of
        if founding is None or first.outcome == Outcome.QUARANTINED:
            raise InvalidValue(f"dossier {dossier.reference} : résumé refusé ({first.reason})")
        number = _complete_request(ctx, founding, dossier, mapping, actor=actor)
        if number is None:  # processed by the workers, not yet typed: taken again at the next pass
            raise Transient(f"dossier {dossier.reference} : résumé en cours de traitement, repris au prochain passage")
        reports = ingest.ingest(pieces, hints_for=lambda _path: IntakeHints(
            service=service, doc_type=doc_type, channel=channel, request=number, filed_at=dossier.filed_at))
    documents = [founding, *(i for r in reports if (i := r.document_id or r.duplicate_of) is not None)]
    record_taken(ctx, source=dossier.source, reference=dossier.reference, request=number, documents=documents,
                 modified_at=dossier.modified_at, actor=actor,
                 refused=[r.source for r in reports if r.outcome == Outcome.QUARANTINED])
    return Taken(dossier.reference, False, number, documents)


def record_taken(ctx: Context, *, source: str, reference: str, request: str | None, documents: list[int],
                 modified_at: datetime, actor: str, refused: list[str]) -> None:
    """The ledger row, written once every document is committed: from now on the dossier is known."""
    with ctx.db.session() as session:
        session.add(ExternalDossier(source=source, reference=reference, request_number=request,
                                    documents=documents, modified_at=modified_at, stored_at=ctx.clock()))
        journal.append(session, "request.filed_online" if request else "deposit.taken", at=ctx.clock(), actor=actor,
                       document_id=documents[0] if documents else None,
                       payload={"source": source, "dossier": reference, "request": request, "documents": documents,
                                "refused": refused})


def _complete_request(ctx: Context, document_id: int, dossier: OnlineDossier, mapping: dict[str, str], *,
                      actor: str) -> str | None:
    """The requester's answers over what was read on the summary; the request's requester, contact
    and file reference from the dossier. Idempotent: a second run writes the same values."""
    with ctx.db.session() as session:
        document = session.get_one(Document, document_id)
        codes = set(classifiers.field_codes(document.doc_type or ""))
        given: dict[str, Any] = {}
        for label, value in dossier.fields:
            code = mapping.get(label)
            if code in codes and value.strip():
                normal = classifiers.normalise_value(code, value, reference=dossier.filed_at.date())
                given[code] = normal if normal is not None else value.strip()
        existing = {f.code: f for f in document.fields}
        for code, value in given.items():
            field = existing.get(code)
            if field is None:
                session.add(DocumentField(document_id=document.id, code=code, value=value, confidence=1.0, page=1,
                                          box=None, method=ONLINE))
            elif field.method != "agent":
                field.value, field.confidence, field.method = value, 1.0, ONLINE
        document.indexed_at = None
        request = session.get(Request, document.request_id) if document.request_id else None
        if request is None:
            return None
        requester = given.get("demandeur_nom") or dossier.requester
        before = {"requester": request.requester, "contact": request.contact, "file_reference": request.file_reference}
        request.requester = str(requester)[:300] if requester else request.requester
        request.contact = dossier.email or request.contact
        request.file_reference = dossier.reference[:60]
        after = {"requester": request.requester, "contact": request.contact, "file_reference": request.file_reference}
        if after != before:
            journal.append(session, "request.completed_online", at=ctx.clock(), actor=actor, request_id=request.id,
                           payload={"number": request.number, "dossier": dossier.reference, "before": before,
                                    "after": after})
        return request.number
