"""Running robots: one run at a time per robot (a lock in the database), recorded, retried on transient errors.

The schedule is computed from the database (when each robot last ran) with APScheduler's cron
and interval triggers, and the clock is injected: ``Scheduler.tick(now)`` runs whatever is due
at ``now``, so tests move time by hand instead of sleeping, and a restarted daemon knows what it
missed. Event robots read the journal after their cursor, which moves only after a good run.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ged.context import Context
from ged.errors import GedError, Transient
from ged.services import automation, selection
from ged.states import RunOutcome

from . import definitions as d
from .actions import REGISTRY, Run

log = logging.getLogger(__name__)
Sleep = Callable[[float], object]


@dataclass(frozen=True)
class RunResult:
    robot: str
    outcome: RunOutcome
    counts: dict[str, int]
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome in (RunOutcome.OK, RunOutcome.DRY_RUN)


def _criteria(robot: d.Robot) -> selection.Criteria:
    f = robot.spec.filter
    return selection.Criteria(f.type, f.service, f.state, f.min_age_days, f.query)


def items_for(ctx: Context, robot: d.Robot, *, event_ids: list[int] | None = None,
              request_numbers: list[str] | None = None) -> list[selection.Item]:
    """What the robot acts on: the documents or requests its event brought, or its filter selects."""
    trigger = robot.spec.trigger
    if trigger.event == "demande_en_retard":
        return selection.requests_of(ctx, _criteria(robot), overdue_on=ctx.clock())
    if request_numbers is not None:
        return selection.requests_of(ctx, _criteria(robot), numbers=request_numbers)
    if event_ids is not None:
        return selection.documents(ctx, _criteria(robot), ids=event_ids)
    if robot.spec.filter != d.Filter():
        return selection.documents(ctx, _criteria(robot))
    return []


def run_robot(ctx: Context, robot: d.Robot, *, trigger: str, dry_run: bool = False,
              items: list[selection.Item] | None = None, sleep: Sleep = time.sleep) -> RunResult:
    """One run: lock, record, actions in order; transient failures retried with exponential backoff."""
    settings = ctx.settings.robots
    holder = f"{socket.gethostname()}:{os.getpid()}"
    if not automation.acquire(ctx, robot.name, holder, ttl=timedelta(minutes=settings.lock_minutes)):
        return RunResult(robot.name, RunOutcome.BUSY, {}, "déjà en cours dans un autre processus")
    run_id = automation.start_run(ctx, robot.name, trigger, dry_run=dry_run)
    run = Run(ctx, robot, items if items is not None else items_for(ctx, robot), dry_run, trigger)
    attempts, error, outcome = 0, None, RunOutcome.OK
    try:
        for action in robot.spec.actions:
            for attempt in range(settings.retries + 1):
                attempts += 1
                try:
                    REGISTRY[type(action)](run, action)
                    break
                except Transient as exc:
                    if attempt == settings.retries:
                        raise
                    log.warning("robot %s : %s — nouvel essai", robot.name, exc.message)
                    sleep(settings.backoff_seconds * 2 ** attempt)
    except GedError as exc:
        outcome, error = RunOutcome.ERROR, exc.message
    except Exception as exc:  # noqa: BLE001 - a robot's bug must be recorded, and must not kill the daemon
        log.exception("robot %s", robot.name)
        outcome, error = RunOutcome.ERROR, f"erreur interne : {exc}"
    finally:
        counts = dict(run.counts) | {"elements": len(run.items)}
        automation.finish_run(ctx, run_id, outcome=outcome, counts=counts, error=error, attempts=attempts)
        automation.release(ctx, robot.name, holder)
    final = RunOutcome.DRY_RUN if dry_run and outcome == RunOutcome.OK else outcome
    return RunResult(robot.name, final, counts, error)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Scheduler:
    """Which robots are due, from their triggers and the runs recorded in the database."""

    def __init__(self, ctx: Context, robots: list[d.Robot], *, started: datetime, sleep: Sleep = time.sleep) -> None:
        self.ctx = ctx
        self.robots = [r for r in robots if r.spec.enabled]
        self.started = started
        self.sleep = sleep

    def _due(self, robot: d.Robot, now: datetime) -> bool:
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        trigger = robot.spec.trigger
        last = automation.last_started(self.ctx, robot.name)
        if trigger.cron is not None:
            cron = CronTrigger.from_crontab(trigger.cron, timezone=UTC)
            following = cron.get_next_fire_time(None, _aware(last or self.started) + timedelta(seconds=1))
            return following is not None and following <= _aware(now)
        assert trigger.interval_minutes is not None
        if last is None:
            return True
        interval = IntervalTrigger(minutes=trigger.interval_minutes, start_date=_aware(last), timezone=UTC)
        following = interval.get_next_fire_time(_aware(last), _aware(now))
        return following is not None and following <= _aware(now)

    def tick(self, now: datetime) -> list[RunResult]:
        """Run every robot due at ``now`` (schedules) and every event robot with new journal entries."""
        results: list[RunResult] = []
        for robot in self.robots:
            trigger = robot.spec.trigger
            if trigger.event is not None:
                results += self._events(robot)
            elif self._due(robot, now):
                label = f"cron {trigger.cron}" if trigger.cron else f"toutes les {trigger.interval_minutes} min"
                results.append(run_robot(self.ctx, robot, trigger=label, sleep=self.sleep))
        return results

    def _events(self, robot: d.Robot) -> list[RunResult]:
        event = robot.spec.trigger.event
        assert event is not None
        if event == "demande_en_retard":
            items = items_for(self.ctx, robot)
            return [run_robot(self.ctx, robot, trigger=event, items=items, sleep=self.sleep)] if items else []
        entries, head = automation.events_after(self.ctx, robot.name, [d.EVENTS[event]])
        if not entries:
            automation.move_cursor(self.ctx, robot.name, head)
            return []
        if event == "demande_creee":
            items = items_for(self.ctx, robot, request_numbers=[str(e.payload.get("number")) for e in entries])
        else:
            items = items_for(self.ctx, robot, event_ids=[e.document_id for e in entries if e.document_id])
        result = run_robot(self.ctx, robot, trigger=event, items=items, sleep=self.sleep)
        if result.outcome == RunOutcome.OK:
            automation.move_cursor(self.ctx, robot.name, head)
        return [result]
