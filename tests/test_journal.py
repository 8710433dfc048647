"""The chained journal detects every kind of tampering, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from ged import journal
from ged.context import Context
from ged.db.models import Event

T0 = datetime(2026, 3, 2, 9, 0, 0)


@pytest.fixture
def filled(context: Context) -> Context:
    with context.db.session() as session:
        for i in range(5):
            journal.append(session, "document.received", at=T0 + timedelta(minutes=i), document_id=i + 1,
                           payload={"source": f"/scans/{i}.pdf", "accents": "é"})
    return context


def _breaks(ctx: Context) -> list[journal.ChainBreak]:
    with ctx.db.session() as session:
        return journal.verify(session)


def test_intact_chain_verifies(filled: Context) -> None:
    assert _breaks(filled) == []
    with filled.db.session() as session:
        events = list(session.scalars(select(Event).order_by(Event.id)))
    assert events[0].prev_hash == journal.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))


def test_modified_entry_is_detected(filled: Context) -> None:
    with filled.db.session() as session:
        session.execute(update(Event).where(Event.id == 3).values(payload={"source": "/autre.pdf"}))
    assert [(b.event_id, "modifié" in b.problem) for b in _breaks(filled)] == [(3, True)]


def test_deleted_entry_is_detected(filled: Context) -> None:
    with filled.db.session() as session:
        session.execute(delete(Event).where(Event.id == 2))
    assert [b.event_id for b in _breaks(filled)] == [3]


def test_inserted_entry_is_detected(filled: Context) -> None:
    with filled.db.session() as session:
        forged = journal.entry_hash(prev_hash="f" * 64, at=T0, kind="document.exported", actor="intrus",
                                    document_id=1, payload={})
        intruder = Event(at=T0, kind="document.exported", actor="intrus", document_id=1, payload={},
                         prev_hash="f" * 64, hash=forged)
        session.add(intruder)
        session.flush()
        intruder_id = intruder.id
    assert _breaks(filled)[0].event_id == intruder_id


def test_reordered_entries_are_detected(filled: Context) -> None:
    with filled.db.session() as session:
        first, second = session.get_one(Event, 2), session.get_one(Event, 3)
        swapped = {c: (getattr(first, c), getattr(second, c)) for c in ("at", "kind", "payload", "prev_hash",
                                                                          "hash", "document_id")}
        for column, (a, b) in swapped.items():
            setattr(first, column, b if column != "hash" else "e" * 64)  # unique hash meanwhile
            setattr(second, column, a)
        session.flush()
        first.hash = swapped["hash"][1]
    assert _breaks(filled)


def test_times_round_trip_exactly(filled: Context) -> None:
    with filled.db.session() as session:
        event = session.scalars(select(Event).where(Event.kind == "document.received").order_by(Event.id)).first()
        assert event is not None and event.at == T0 and event.at.tzinfo is None
