"""Small things several tests need: a clock moved by hand, a free port on loopback."""

from __future__ import annotations

import socket
from datetime import datetime


class Clock:
    """A clock the test moves by hand (``clock.now = …``); nothing in the tests sleeps for time to pass."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
