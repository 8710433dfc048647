"""What robots need from the core: locks, run records, the delivery ledger, journal cursors, mail ledger.

Every guarantee of the robots lives in the database, so that it holds across processes and
restarts: a lock row with an expiry (a robot never runs twice at once; a crashed holder's
lock expires), a run row per run, a ledger of notifications keyed by what they are about
(re-running after a crash does not send them again), the last journal entry each event
robot has seen, and the Message-IDs of mails already taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..context import Context
from ..db.models import Event, MailboxMessage, RobotCursor, RobotDelivery, RobotLock, RobotRun
from ..states import DeliveryStatus, RunOutcome


def acquire(ctx: Context, robot: str, holder: str, *, ttl: timedelta) -> bool:
    """Take the robot's lock unless someone else holds an unexpired one."""
    now = ctx.clock()
    with ctx.db.session() as session:
        taken = cast(CursorResult[Any], session.execute(update(RobotLock).where(
            RobotLock.robot == robot, or_(RobotLock.expires_at < now, RobotLock.holder == holder))
            .values(holder=holder, expires_at=now + ttl))).rowcount
        if taken:
            return True
        if session.get(RobotLock, robot) is not None:
            return False
    try:
        with ctx.db.session() as session:
            session.add(RobotLock(robot=robot, holder=holder, expires_at=now + ttl))
        return True
    except IntegrityError:
        return False  # another process created it between our check and our insert


def release(ctx: Context, robot: str, holder: str) -> None:
    with ctx.db.session() as session:
        session.execute(delete(RobotLock).where(RobotLock.robot == robot, RobotLock.holder == holder))


def start_run(ctx: Context, robot: str, trigger: str, *, dry_run: bool) -> int:
    with ctx.db.session() as session:
        run = RobotRun(robot=robot, trigger=trigger, started_at=ctx.clock(),
                       outcome=RunOutcome.DRY_RUN if dry_run else RunOutcome.RUNNING, counts={})
        session.add(run)
        session.flush()
        return run.id


def finish_run(ctx: Context, run_id: int, *, outcome: RunOutcome, counts: dict[str, Any], error: str | None,
               attempts: int) -> None:
    with ctx.db.session() as session:
        run = session.get_one(RobotRun, run_id)
        run.ended_at, run.counts, run.error, run.attempts = ctx.clock(), counts, error, attempts
        if run.outcome != RunOutcome.DRY_RUN:
            run.outcome = outcome


@dataclass(frozen=True)
class RunView:
    id: int
    robot: str
    trigger: str
    started_at: datetime
    ended_at: datetime | None
    outcome: RunOutcome
    counts: dict[str, Any]
    error: str | None
    attempts: int


def history(ctx: Context, robot: str | None = None, *, limit: int = 50) -> list[RunView]:
    with ctx.db.session() as session:
        query = select(RobotRun).order_by(RobotRun.id.desc()).limit(limit)
        if robot:
            query = query.where(RobotRun.robot == robot)
        return [RunView(r.id, r.robot, r.trigger, r.started_at, r.ended_at, r.outcome, r.counts, r.error, r.attempts)
                for r in session.scalars(query)]


def last_started(ctx: Context, robot: str) -> datetime | None:
    """When the robot last ran for real (simulations do not count)."""
    with ctx.db.session() as session:
        return session.scalar(select(RobotRun.started_at).where(RobotRun.robot == robot,
                                                                 RobotRun.outcome != RunOutcome.DRY_RUN)
                              .order_by(RobotRun.id.desc()).limit(1))


def claim_delivery(ctx: Context, robot: str, key: str) -> bool:
    """True if this notification was never sent (nor being sent): the caller sends it, then confirms.

    A delivery left ``envoi`` by a crash between the server's answer and the confirmation is not
    sent again: a missed notification is visible in the run history, a duplicate is not recoverable.
    """
    try:
        with ctx.db.session() as session:
            session.add(RobotDelivery(robot=robot, key=key, status=DeliveryStatus.SENDING, at=ctx.clock()))
        return True
    except IntegrityError:
        return False


def confirm_delivery(ctx: Context, robot: str, key: str) -> None:
    with ctx.db.session() as session:
        session.execute(update(RobotDelivery).where(RobotDelivery.robot == robot, RobotDelivery.key == key)
                        .values(status=DeliveryStatus.SENT, at=ctx.clock()))


def forget_delivery(ctx: Context, robot: str, key: str) -> None:
    """The server refused it: it may be tried again on the next run."""
    with ctx.db.session() as session:
        session.execute(delete(RobotDelivery).where(RobotDelivery.robot == robot, RobotDelivery.key == key))


def events_after(ctx: Context, robot: str, kinds: Sequence[str], *, limit: int = 500) -> tuple[list[Event], int]:
    """Journal entries of these kinds after the robot's cursor, and the id to move the cursor to.

    A robot seen for the first time starts at the current end of the journal: it reacts to what
    happens from now on, not to years of history.
    """
    with ctx.db.session() as session:
        cursor = session.get(RobotCursor, robot)
        head = session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0
        if cursor is None:
            session.add(RobotCursor(robot=robot, last_event_id=head))
            return [], head
        events = list(session.scalars(select(Event).where(Event.id > cursor.last_event_id, Event.kind.in_(kinds))
                                      .order_by(Event.id).limit(limit)))
        session.expunge_all()
        return events, (events[-1].id if len(events) == limit else head)


def move_cursor(ctx: Context, robot: str, last_event_id: int) -> None:
    with ctx.db.session() as session:
        cursor = session.get(RobotCursor, robot)
        if cursor is None:
            session.add(RobotCursor(robot=robot, last_event_id=last_event_id))
        else:
            cursor.last_event_id = max(cursor.last_event_id, last_event_id)


def mail_seen(ctx: Context, message_id: str) -> bool:
    with ctx.db.session() as session:
        return session.get(MailboxMessage, message_id) is not None


def record_mail(ctx: Context, message_id: str, mailbox: str, documents: list[int]) -> None:
    with ctx.db.session() as session:
        session.add(MailboxMessage(message_id=message_id, mailbox=mailbox, stored_at=ctx.clock(),
                                   documents=documents))
