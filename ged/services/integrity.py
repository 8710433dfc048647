"""The journal's integrity: the hash chain, and seals (RFC 3161 timestamps over the chain head).

A seal proves that the chain, up to its head, existed at the time the TSA signed: whoever
rewrites the journal after that (even recomputing every hash) cannot produce a seal over the
rewritten head dated in the past.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from sqlalchemy import func, select

from archivage.signing import SigningError, check_timestamp_token, timestamp_token

from .. import journal
from ..context import Context
from ..db.models import Event
from ..errors import NotConfigured
from ..signing import tsa_spec, validation_material

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Seal:
    event_id: int
    head_id: int
    head_hash: str


def seal(ctx: Context, *, actor: str) -> Seal:
    """Timestamp the current head of the chain and record the token as a journal entry."""
    tsa = tsa_spec(ctx.settings)
    with ctx.db.session() as session:
        head = session.scalar(select(Event).order_by(Event.id.desc()).limit(1))
        if head is None:
            raise NotConfigured("journal vide : rien à sceller")
        try:
            token = timestamp_token(bytes.fromhex(head.hash), tsa)
        except SigningError as exc:
            raise NotConfigured(str(exc)) from exc
        event = journal.append(session, "journal.sealed", at=ctx.clock(), actor=actor, payload={
            "head_id": head.id, "head_hash": head.hash, "token": base64.b64encode(token).decode()})
        session.flush()
        return Seal(event.id, head.id, head.hash)


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
class Verification:
    entries: int
    breaks: list[journal.ChainBreak]
    seals: list[tuple[int, bool, str]]
    """(seal entry id, valid, what it says) for every seal."""

    @property
    def ok(self) -> bool:
        return not self.breaks and all(valid for _, valid, _ in self.seals)


def verify(ctx: Context) -> Verification:
    """Every chain break, and every seal checked against the entry it sealed and the trust roots."""
    material = validation_material(ctx.settings) if ctx.settings.signing.trust_roots else None
    with ctx.db.session() as session:
        breaks = journal.verify(session)
        entries = session.query(Event).count()
        seals: list[tuple[int, bool, str]] = []
        for event in session.scalars(select(Event).where(Event.kind == "journal.sealed").order_by(Event.id)):
            sealed = session.get(Event, event.payload["head_id"])
            if sealed is None or sealed.hash != event.payload["head_hash"]:
                seals.append((event.id, False, "l'entrée scellée a disparu ou a changé"))
                continue
            if material is None:
                seals.append((event.id, False, "aucune autorité de confiance configurée pour vérifier le sceau"))
                continue
            check = check_timestamp_token(base64.b64decode(event.payload["token"]), bytes.fromhex(sealed.hash),
                                          material)
            when = check.time.isoformat(timespec="seconds") if check.time else "?"
            seals.append((event.id, check.ok, f"horodaté le {when} par {check.authority}" if check.ok
                          else f"jeton invalide ({check.authority})"))
    return Verification(entries, breaks, seals)
