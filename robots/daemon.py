"""The robots' loop: every ``robots.poll_seconds``, run what is due, until asked to stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ged.clock import Clock
from ged.context import Context

from .definitions import load_robots
from .runner import RunResult, Scheduler

log = logging.getLogger(__name__)


def run_robots(ctx: Context, stop: threading.Event, *, clock: Clock,
               on_result: Callable[[RunResult], None] | None = None) -> None:
    """Reload the robot files at each tick (an administrator edits them while the daemon runs)."""
    started = clock()
    while not stop.is_set():
        robots, errors = load_robots(ctx.settings.robots_path)
        for error in errors:
            log.error("robot ignoré : %s", error)
        scheduler = Scheduler(ctx, robots, started=started, sleep=lambda seconds: stop.wait(seconds))
        for result in scheduler.tick(clock()):
            if on_result is not None:
                on_result(result)
        stop.wait(ctx.settings.robots.poll_seconds)
