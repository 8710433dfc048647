"""Rows that prove something are witnessed by the journal: archive records, holds, elimination
lists, transfers, accounts and API tokens.

Their values are what the archivist answers for (a DUA, a final action, a visa, who may see
what), and an UPDATE by whoever administers the database would leave no trace in the chain.
So every change made through the application appends a ``registre.ecrit`` entry holding the
row's values (a password hash only by its own hash) and their SHA-256. A session hook writes
it in the same transaction, so no service can forget one; ``ged journal verify`` recomputes
every row and names the columns that no longer match their last entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from . import journal
from .db import Database
from .db.models import ArchiveRecord, Base, EliminationItem, EliminationList, Event, Hold, Transfer, TransferItem
from .db.people import ApiToken, User

KIND = "registre.ecrit"
TRACKED: dict[type[Base], str] = {ArchiveRecord: "archive_records", Hold: "holds",
                                  EliminationList: "elimination_lists", Transfer: "transfers", User: "users",
                                  ApiToken: "api_tokens"}
"""Witnessed models and the table name their entries carry."""
_MEMBERS: dict[type[Base], tuple[type[Base], str, str]] = {
    EliminationItem: (EliminationList, "list_id", "record_id"), TransferItem: (Transfer, "transfer_id", "record_id")}
"""Association rows witnessed as part of their parent: (parent model, parent key, member key)."""
_PENDING = "witness_pending"


def _plain(value: Any) -> Any:
    """A value as JSON holds it after a round trip through either database."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.loads(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))
    return value


def row_values(session: Session, row: Base) -> dict[str, Any]:
    """What the journal keeps of a row: every column, members for lists, a password only hashed."""
    values = {prop.key: _plain(getattr(row, prop.key)) for prop in row.__mapper__.column_attrs}
    if isinstance(row, User):
        values["password_hash"] = hashlib.sha256(row.password_hash.encode()).hexdigest()
    for member, (parent, parent_key, member_key) in _MEMBERS.items():
        if isinstance(row, parent):
            values["records"] = sorted(session.scalars(select(getattr(member, member_key))
                                                       .where(getattr(member, parent_key) == row.id)))  # type: ignore[attr-defined]
    return values


def digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                          .encode()).hexdigest()


def watch(database: Database, clock: Callable[[], datetime]) -> None:
    """Witness every change to a tracked row made through this database's sessions."""

    def collect(session: Session, _context: Any) -> None:
        pending = session.info.setdefault(_PENDING, set())
        for row in (*session.new, *session.dirty, *session.deleted):
            model = type(row)
            if model in TRACKED and (row not in session.dirty or session.is_modified(row)):
                pending.add((model, row.id))
            elif model in _MEMBERS:
                parent, parent_key, _ = _MEMBERS[model]
                pending.add((parent, getattr(row, parent_key)))

    def write(session: Session) -> None:
        session.flush()
        pending = session.info.pop(_PENDING, set())
        for model, row_id in sorted(pending, key=lambda key: (TRACKED[key[0]], key[1])):
            attest(session, model, row_id, at=clock())

    database.listen("after_flush", collect)
    database.listen("before_commit", write)
    database.listen("after_rollback", lambda session: session.info.pop(_PENDING, None))


def attest(session: Session, model: type[Base], row_id: int, *, at: datetime) -> None:
    """Journal a tracked row's current values (or its deletion), as the actor of the change."""
    row = session.get(model, row_id)
    last = journal.last_entry(session)
    actor = last.actor if last is not None else "system"
    document_id = getattr(row, "document_id", None)
    payload: dict[str, Any] = {"table": TRACKED[model], "row": row_id}
    if row is None:
        payload |= {"deleted": True}
    else:
        values = row_values(session, row)
        payload |= {"values": values, "sha256": digest(values)}
    journal.append(session, KIND, at=at, actor=actor, document_id=document_id, payload=payload)


def attest_all(session: Session, *, at: datetime) -> int:
    """Witness every tracked row as it stands (an installation that predates witnessing); returns the count.

    Tables a later migration creates are not there yet when an older one runs this: skipped.
    """
    count = 0
    existing = set(inspect(session.get_bind()).get_table_names())
    for model in TRACKED:
        if model.__tablename__ not in existing:
            continue
        for row_id in session.scalars(select(model.id).order_by(model.id)):  # type: ignore[attr-defined]
            attest(session, model, row_id, at=at)
            count += 1
    return count


@dataclass(frozen=True)
class Mismatch:
    table: str
    row: int
    problem: str


def check(session: Session) -> list[Mismatch]:
    """Every tracked row that differs from its last journal entry, has none, or vanished."""
    witnessed: dict[tuple[str, int], dict[str, Any]] = {}
    for payload in session.scalars(select(Event.payload).where(Event.kind == KIND).order_by(Event.id)):
        witnessed[(payload["table"], int(payload["row"]))] = payload
    mismatches: list[Mismatch] = []
    for model, table in TRACKED.items():
        for row in session.scalars(select(model).order_by(model.id)):  # type: ignore[attr-defined]
            row_id: int = row.id  # type: ignore[attr-defined]  # every witnessed model has an integer id
            entry = witnessed.pop((table, row_id), None)
            values = row_values(session, row)
            if entry is None or entry.get("deleted"):
                mismatches.append(Mismatch(table, row_id, "ligne sans trace au journal : écrite hors de l'application"))
            elif digest(values) != entry["sha256"]:
                changed = [f"{key} (journal « {entry['values'].get(key)} », base « {value} »)"
                           for key, value in values.items() if entry["values"].get(key) != value]
                mismatches.append(Mismatch(table, row_id, "modifiée hors de l'application : " + ", ".join(changed)))
    for (table, row_id), entry in witnessed.items():
        if not entry.get("deleted"):
            mismatches.append(Mismatch(table, row_id, "ligne supprimée hors de l'application"))
    return mismatches
