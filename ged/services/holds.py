"""Legal holds (gel): a held document is neither eliminated nor transferred, at any step, whatever its DUA."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import journal
from ..context import Context
from ..db.models import Document, Hold
from ..errors import InvalidValue, NotFound
from .accounts import ARCHIVISTS, Principal, require_role


@dataclass(frozen=True)
class HoldView:
    document_id: int
    reason: str
    created_by: str
    created_at: datetime


def held(session: Session, document_ids: Iterable[int]) -> set[int]:
    """Which of these documents are under an active hold."""
    ids = list(document_ids)
    if not ids:
        return set()
    return set(session.scalars(select(Hold.document_id).where(Hold.document_id.in_(ids), Hold.removed_at.is_(None))))


def add(ctx: Context, document_id: int, reason: str, *, actor: str, viewer: Principal | None = None) -> None:
    require_role(viewer, ARCHIVISTS, "poser un gel")
    if not reason.strip():
        raise InvalidValue("un gel doit avoir un motif (--reason)")
    with ctx.db.session() as session:
        if session.get(Document, document_id) is None:
            raise NotFound(f"document {document_id} introuvable")
        if held(session, [document_id]):
            raise InvalidValue(f"le document {document_id} est déjà gelé")
        session.add(Hold(document_id=document_id, reason=reason.strip(), created_by=actor, created_at=ctx.clock()))
        journal.append(session, "hold.added", at=ctx.clock(), actor=actor, document_id=document_id,
                       payload={"reason": reason.strip()})


def remove(ctx: Context, document_id: int, reason: str, *, actor: str, viewer: Principal | None = None) -> None:
    require_role(viewer, ARCHIVISTS, "lever un gel")
    if not reason.strip():
        raise InvalidValue("la levée d'un gel doit avoir un motif (--reason)")
    with ctx.db.session() as session:
        hold = session.scalar(select(Hold).where(Hold.document_id == document_id, Hold.removed_at.is_(None)))
        if hold is None:
            raise NotFound(f"aucun gel actif sur le document {document_id}")
        hold.removed_by, hold.removed_at, hold.removal_reason = actor, ctx.clock(), reason.strip()
        journal.append(session, "hold.removed", at=ctx.clock(), actor=actor, document_id=document_id,
                       payload={"reason": reason.strip(), "since": hold.created_at.isoformat()})


def active(ctx: Context) -> list[HoldView]:
    with ctx.db.session() as session:
        holds = session.scalars(select(Hold).where(Hold.removed_at.is_(None)).order_by(Hold.id))
        return [HoldView(h.document_id, h.reason, h.created_by, h.created_at) for h in holds]
