"""The append-only event journal: every state change, chained by SHA-256.

Each entry's hash covers its own content and the previous entry's hash, so that a
modified, deleted, inserted or reordered entry breaks the chain at that point.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .db.models import Event

GENESIS = "0" * 64
_PG_JOURNAL_LOCK = 0x6765645F6A6E6C  # pg_advisory_xact_lock key reserved for the journal
_HEAD = "journal_head"
_LAST = "journal_last"


def entry_hash(*, prev_hash: str, at: datetime, kind: str, actor: str, document_id: int | None,
               payload: dict[str, Any], request_id: int | None = None) -> str:
    content = {"prev": prev_hash, "at": at.isoformat(timespec="microseconds"), "kind": kind, "actor": actor,
               "document": document_id, "payload": payload}
    if request_id is not None:  # absent rather than null, so that entries written before requests still verify
        content["request"] = request_id
    serialised = json.dumps(
        content,
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(serialised.encode()).hexdigest()


def append(session: Session, kind: str, *, at: datetime, actor: str = "system",
           document_id: int | None = None, request_id: int | None = None,
           payload: dict[str, Any] | None = None) -> Event:
    """Add an entry in the caller's transaction; concurrent writers are serialised by a lock.

    The lock lasts until the transaction ends (SQLite: the write lock every transaction takes
    up front; PostgreSQL: an advisory transaction lock), so the head read by a transaction's
    first entry stays the head: later entries chain on the last one added, without a query.
    """
    payload = payload or {}
    head = _head(session)
    event = Event(at=at, kind=kind, actor=actor, document_id=document_id, request_id=request_id, payload=payload,
                  prev_hash=head, hash=entry_hash(prev_hash=head, at=at, kind=kind, actor=actor,
                                                  document_id=document_id, payload=payload, request_id=request_id))
    session.add(event)
    session.info[_HEAD] = (session.get_transaction(), event.hash)
    session.info[_LAST] = event
    return event


def last_entry(session: Session) -> Event | None:
    """The last entry this session wrote in its current transaction (who acted, for derived entries)."""
    event = session.info.get(_LAST)
    return event if isinstance(event, Event) else None


def committed_head(session: Session) -> tuple[int, str] | None:
    """After a commit: the id and hash of the last entry it wrote, for the anchor outside the database."""
    event = session.info.pop(_LAST, None)
    if event is None or event.id is None:
        return None
    return int(event.id), str(event.hash)


def forget_uncommitted(session: Session) -> None:
    """After a rollback: the entries written are gone, nothing to anchor."""
    session.info.pop(_LAST, None)


def _head(session: Session) -> str:
    """The hash the next entry chains on: remembered for this transaction, else read under the lock."""
    remembered = session.info.get(_HEAD)
    if remembered is not None and remembered[0] is session.get_transaction() and remembered[0] is not None:
        return str(remembered[1])
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_JOURNAL_LOCK})
    session.flush()
    return session.scalar(select(Event.hash).order_by(Event.id.desc()).limit(1)) or GENESIS


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


def verify(session: Session) -> list[ChainBreak]:
    """Every place where the chain does not hold, in order (empty when intact)."""
    breaks: list[ChainBreak] = []
    previous = GENESIS
    for event in session.scalars(select(Event).order_by(Event.id)):
        if event.prev_hash != previous:
            breaks.append(ChainBreak(event.id, "chaînage rompu : entrée supprimée, insérée ou déplacée"))
        expected = entry_hash(prev_hash=event.prev_hash, at=event.at, kind=event.kind, actor=event.actor,
                              document_id=event.document_id, payload=event.payload, request_id=event.request_id)
        if expected != event.hash:
            breaks.append(ChainBreak(event.id, "contenu modifié après enregistrement"))
        previous = event.hash
    return breaks


def history(session: Session, document_id: int) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.document_id == document_id).order_by(Event.id)))


def request_history(session: Session, request_id: int) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.request_id == request_id).order_by(Event.id)))
