"""The journal's integrity: the hash chain, its anchors outside the database, seals, witnessed rows.

A seal (an RFC 3161 timestamp over the chain head) proves that the chain, up to that head,
existed at the time the TSA signed; the seal log outside the database keeps every seal, so
that deleting seals, shortening the chain or recomputing it (re-sealed or not) leaves the
database disagreeing with the log. See ``ged.anchors`` and ``ged.witness``.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archivage.signing import SigningError, ValidationMaterial, check_timestamp_token, timestamp_token

from . import journal, witness
from .anchors import SealLine, line_text
from .blobs import BlobDamaged
from .context import Context
from .db.models import Event
from .errors import NotConfigured
from .signing import tsa_spec, validation_material

log = logging.getLogger(__name__)


@contextmanager
def guarded(ctx: Context, *, during: str, actor: str, document_id: int | None = None) -> Iterator[None]:
    """Hand out stored bytes; a missing or changed blob met on the way is journaled as an incident.

    The refusal itself goes on to the caller (exit 7, HTTP 410): nothing is handed out. Open it
    outside any session of the caller: the incident is written in a transaction of its own.
    """
    try:
        yield
    except BlobDamaged as exc:
        record_incident(ctx, exc, during=during, actor=actor, document_id=document_id)
        raise


def record_incident(ctx: Context, damaged: BlobDamaged, *, during: str, actor: str,
                    document_id: int | None = None) -> None:
    with ctx.db.session() as session:
        journal.append(session, "blob.incident", at=ctx.clock(), actor=actor, document_id=document_id,
                       payload={"sha256": damaged.sha256, "problem": damaged.problem, "during": during})


@dataclass(frozen=True)
class Seal:
    line: SealLine
    warnings: list[str] = field(default_factory=list)
    """Copies of the seal log that could not be written (the seal itself holds)."""

    @property
    def event_id(self) -> int:
        return self.line.seal_id

    @property
    def head_id(self) -> int:
        return self.line.head_id

    def log_text(self) -> str:
        """The seal as the seal log holds it (one JSON line)."""
        return line_text(self.line)


def seal(ctx: Context, *, actor: str) -> Seal:
    """Timestamp the current head of the chain; record the token in the journal, then in the seal log."""
    tsa = tsa_spec(ctx.settings)
    with ctx.db.session() as session:
        head = session.scalar(select(Event).order_by(Event.id.desc()).limit(1))
        if head is None:
            raise NotConfigured("journal vide : rien à sceller")
        try:
            token = base64.b64encode(timestamp_token(bytes.fromhex(head.hash), tsa)).decode()
        except SigningError as exc:
            raise NotConfigured(str(exc)) from exc
        entries = session.scalar(select(func.count(Event.id)).where(Event.id <= head.id)) or 0
        event = journal.append(session, "journal.sealed", at=ctx.clock(), actor=actor, payload={
            "head_id": head.id, "head_hash": head.hash, "entries": entries, "token": token})
        session.flush()
        line = SealLine(event.id, head.id, head.hash, entries, token)
    warnings = ctx.anchors.append_seal(line)
    for warning in warnings:
        log.warning(warning)
    return Seal(line, warnings)


def seal_if_due(ctx: Context, *, actor: str) -> Seal | None:
    """Seal when ``archive.seal_every`` entries were written since the last seal (and a TSA is configured).

    Called after the operations an archivist must be able to prove; a TSA that does not answer
    delays the seal to the next call instead of failing the operation.
    """
    signing = ctx.settings.signing
    if not (signing.tsa_url or (signing.tsa_cert_file and signing.tsa_key_file)):
        return None
    with ctx.db.session() as session:
        last = session.scalar(select(Event.id).where(Event.kind == "journal.sealed").order_by(Event.id.desc())
                              .limit(1)) or 0
        since = session.scalar(select(func.count(Event.id)).where(Event.id > last)) or 0
    if since < ctx.settings.archive.seal_every:
        return None
    try:
        return seal(ctx, actor=actor)
    except NotConfigured as exc:
        log.warning("scellement du journal reporté : %s", exc.message)
        return None


@dataclass(frozen=True)
class SealCheck:
    event_id: int
    valid: bool
    detail: str
    time: datetime | None = None
    """The TSA's time, UTC without zone (as the journal's times)."""


@dataclass(frozen=True)
class Verification:
    entries: int
    breaks: list[journal.ChainBreak]
    """The chain's own breaks, and every disagreement with its anchors outside the database."""
    seals: list[SealCheck]
    records: list[witness.Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.records and all(s.valid for s in self.seals)


def verify(ctx: Context) -> Verification:
    """The chain, its seals, its anchors outside the database and the rows it witnesses, all checked."""
    material = validation_material(ctx.settings) if ctx.settings.signing.trust_roots else None
    with ctx.db.session() as session:
        breaks = journal.verify(session)
        entries = session.scalar(select(func.count(Event.id))) or 0
        seals = [_check_seal(session, event, material)
                 for event in session.scalars(select(Event).where(Event.kind == "journal.sealed").order_by(Event.id))]
        breaks += _against_anchors(ctx, session, seals)
        records = witness.check(session)
    return Verification(entries, breaks, seals, records)


def _check_seal(session: Session, event: Event, material: ValidationMaterial | None) -> SealCheck:
    sealed = session.get(Event, event.payload["head_id"])
    if sealed is None or sealed.hash != event.payload["head_hash"]:
        return SealCheck(event.id, False, f"l'entrée scellée {event.payload['head_id']} a disparu ou a changé")
    if material is None:
        return SealCheck(event.id, False, "aucune autorité de confiance configurée pour vérifier le sceau")
    check = check_timestamp_token(base64.b64decode(event.payload["token"]), bytes.fromhex(sealed.hash), material)
    if not check.ok:
        return SealCheck(event.id, False, f"jeton invalide ({check.authority})")
    when = check.time.astimezone(UTC).replace(tzinfo=None) if check.time else None
    if when is not None and when < sealed.at:
        return SealCheck(event.id, False, f"horodaté le {when:%d/%m/%Y %H:%M:%S}, avant l'entrée {sealed.id} "
                                          f"qu'il couvre (datée du {sealed.at:%d/%m/%Y %H:%M:%S})", when)
    stamp = f"{when:%d/%m/%Y %H:%M:%S}" if when else "?"
    return SealCheck(event.id, True, f"horodaté le {stamp} UTC par {check.authority}", when)


def _against_anchors(ctx: Context, session: Session, seals: list[SealCheck]) -> list[journal.ChainBreak]:
    """What the database says against what was written outside it: the head, the seal log, the gaps."""
    problems: list[journal.ChainBreak] = []
    last_id = session.scalar(select(func.max(Event.id))) or 0
    head = ctx.anchors.head()
    if head is not None:
        entry = session.get(Event, head.entry_id)
        if entry is None:
            problems.append(journal.ChainBreak(head.entry_id, f"journal raccourci : l'entrée {head.entry_id}, "
                                               f"enregistrée hors base le {head.seen_at}, a disparu"))
        elif entry.hash != head.hash:
            problems.append(journal.ChainBreak(head.entry_id, "chaîne recalculée : l'entrée ne correspond plus à "
                                               "la tête enregistrée hors base"))
    try:
        logged = ctx.anchors.seals()
    except (ValueError, TypeError, KeyError):
        return [*problems, journal.ChainBreak(last_id, f"registre des sceaux illisible : {ctx.anchors.seal_log}")]
    in_log = {line.seal_id for line in logged}
    for line in logged:
        problems += _against_seal_line(session, line)
    for check in seals:
        if check.event_id not in in_log:
            problems.append(journal.ChainBreak(check.event_id, "sceau absent du registre des sceaux hors base : "
                                               "ajouté hors de l'application ou registre remplacé"))
    for copy in ctx.anchors.copies:
        copied = ctx.anchors.seals(copy)  # an absent copy holds none: a prefix, like a copy not yet written
        if copied != logged[:len(copied)]:
            problems.append(journal.ChainBreak(last_id, f"la copie {copy} du registre des sceaux en diffère"))
    return problems + _gaps(ctx, session, seals, last_id)


def _against_seal_line(session: Session, line: SealLine) -> list[journal.ChainBreak]:
    problems = []
    stored = session.get(Event, line.seal_id)
    if stored is None or stored.kind != "journal.sealed" or stored.payload.get("token") != line.token:
        problems.append(journal.ChainBreak(line.seal_id, "sceau du registre hors base absent de la base "
                                           "(supprimé ou remplacé)"))
    sealed = session.get(Event, line.head_id)
    if sealed is None:
        problems.append(journal.ChainBreak(line.head_id, f"journal raccourci : l'entrée {line.head_id}, scellée "
                                           f"(sceau {line.seal_id}), a disparu"))
    elif sealed.hash != line.head_hash:
        problems.append(journal.ChainBreak(line.head_id, f"chaîne recalculée : l'entrée ne correspond plus au "
                                           f"sceau {line.seal_id} du registre hors base"))
    else:
        held = session.scalar(select(func.count(Event.id)).where(Event.id <= line.head_id)) or 0
        if held < line.entries:
            problems.append(journal.ChainBreak(line.head_id, f"{line.entries - held} entrée(s) disparue(s) "
                                               f"jusqu'à l'entrée scellée {line.head_id}"))
    return problems


def _gaps(ctx: Context, session: Session, seals: list[SealCheck], last_id: int) -> list[journal.ChainBreak]:
    """Seals further apart than ``journal.max_seal_gap_hours``, and entries left unsealed longer than that."""
    hours = ctx.settings.journal.max_seal_gap_hours
    if not hours or not last_id:
        return []
    gap = timedelta(hours=hours)
    problems = []
    times = sorted((s.time, s.event_id) for s in seals if s.valid and s.time is not None)
    previous: datetime | None = None  # between seals, the TSA's times; before the first, the journal's own
    for when, event_id in times:
        if previous is not None and when - previous > gap:
            problems.append(journal.ChainBreak(event_id, f"sceau {event_id} posé {when - previous} après le "
                                               f"précédent (au plus {gap})"))
        previous = when
    sealed_up_to = max((session.get_one(Event, s.event_id).payload["head_id"] for s in seals if s.valid), default=0)
    unsealed = session.scalar(select(func.min(Event.at)).where(Event.id > sealed_up_to,
                                                               Event.kind != "journal.sealed"))
    if unsealed is not None and ctx.clock() - unsealed > gap:
        problems.append(journal.ChainBreak(last_id, f"entrées non scellées depuis le {unsealed:%d/%m/%Y %H:%M} "
                                           f"(au plus {gap} entre deux sceaux)"))
    return problems
